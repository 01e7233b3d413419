"""The API's views: thin. Reads start from ``jps.selectors``; writes call ``jps.services``.

Objects are looked up in the user's visible scope, so anything out of sight is a
404; a visible object the user may not change is a 403 (from the service or the
rule). Errors are JSON, see ``api.permissions.exception_handler``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Prefetch, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import exceptions as drf_exceptions
from rest_framework import mixins, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from jps import policy, selectors, services, two_factor
from jps.casework import field
from jps.models import (
    Action,
    Agency,
    Analysis,
    Assessment,
    Category,
    District,
    Evaluation,
    LearningNeed,
    Neighbourhood,
    Problem,
    ProblemView,
    ProgressUpdate,
    SupervisoryReview,
)
from jps.problems.workflow import transition_options

from . import filters
from . import serializers as s
from .base import BaseViewSet, ProblemPagination, _field_default
from .permissions import AuthThrottle, exception_handler

# --- authentication ------------------------------------------------------------------------


class TokenRequestSerializer(AuthTokenSerializer):
    # Limits the server enforces, so the schema says them (issue 21): a username's field length, a generous password.
    username = serializers.CharField(label="Username", max_length=150, write_only=True)
    password = serializers.CharField(
        label="Password", max_length=1024, style={"input_type": "password"}, trim_whitespace=False, write_only=True
    )
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=16,
        help_text="The 6-digit code from the authenticator app: required for accounts with two-factor authentication.",
    )


class TokenView(ObtainAuthToken):
    """Exchange a username and password (and a code, for two-factor accounts) for an API token.

    Throttled per address and locked out by django-axes like the web sign-in. Someone who
    needs two-factor (``User.two_factor_required``) must send a valid ``otp`` too; the token
    then works as any other, so scripts need a code only when they ask for a token.
    """

    throttle_classes = [AuthThrottle]
    serializer_class = TokenRequestSerializer

    def get_exception_handler(self) -> Any:
        return exception_handler

    @extend_schema(
        # Documented as JSON only, like every other request body: one body type in the schema, so a generated
        # client's module for the operation imports (issue 21). Forms are still accepted, for existing scripts.
        request={"application/json": TokenRequestSerializer},
        responses={200: inline_serializer("Token", {"token": serializers.CharField()})},
        auth=[],
        tags=["auth"],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # django-axes marks the request it saw (DRF's) when this attempt locked the account out.
            if getattr(request, "axes_locked_out", False):
                return Response(
                    {"detail": "Too many failed sign-in attempts from here; try again later or reset your password."},
                    status=status.HTTP_429_TOO_MANY_REQUESTS,
                )
            raise drf_exceptions.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        try:
            two_factor.two_factor_check_for_token(user=user, code=serializer.validated_data.get("otp"))
        except two_factor.CodeRefused as refused:
            if refused.retry_after:
                raise drf_exceptions.Throttled(wait=refused.retry_after, detail=refused.message) from refused
            raise drf_exceptions.ValidationError({"otp": [refused.message]}) from refused
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


# --- problems ------------------------------------------------------------------------------

_problem_list = extend_schema(summary="Problems the user may see, filtered and paged")


@extend_schema_view(
    list=_problem_list,
    retrieve=extend_schema(summary="One problem (404 if out of sight)"),
    create=extend_schema(request=s.ProblemWriteSerializer, responses={201: s.ProblemSerializer}),
    partial_update=extend_schema(request=s.ProblemUpdateSerializer, responses={200: s.ProblemSerializer}),
)
class ProblemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    serializer_class = s.ProblemSerializer
    filterset_class = filters.ProblemFilter
    pagination_class = ProblemPagination
    ordering_fields = ["created_at", "updated_at", "reference", "next_review_due", "stage_changed_at"]
    ordering = ["-created_at"]

    def get_queryset(self) -> QuerySet[Problem]:
        return selectors.problems_visible_to(self.request.user).prefetch_related("participations")

    def _record_view(self, problem: Problem) -> None:
        """The access log (who viewed what): every problem shown in full through the API is recorded."""
        services.problem_view_record(
            user=self.request.user,
            problem=problem,
            channel=ProblemView.Channel.API,
            request_id=getattr(self.request, "request_id", ""),
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A page of full records: each problem on it goes into the access log, in one INSERT."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None  # ProblemPagination always pages
        services.problem_views_record(
            user=request.user,
            problem_ids=[problem.pk for problem in page],
            channel=ProblemView.Channel.API,
            request_id=getattr(request, "request_id", ""),
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        problem = self.get_object()
        self._record_view(problem)
        return self.respond(s.ProblemSerializer, problem)

    def create(self, request: Request) -> Response:
        """Log a problem. An ``Idempotency-Key`` header (or ``client_key`` field), a UUID per draft,
        makes a retry return the first problem (200) instead of logging it twice."""
        data = self.validated(s.ProblemWriteSerializer)
        draft_key = data.pop("client_key", None)
        key = request.headers.get("Idempotency-Key") or draft_key
        problem, created = field.problem_create_once(
            by=request.user, client_key=key, create=lambda: services.problem_create(by=request.user, **data)
        )
        found = self.get_queryset().filter(pk=problem.pk).first() or problem
        return self.respond(s.ProblemSerializer, found, 201 if created else 200)

    def partial_update(self, request: Request, pk: str) -> Response:
        problem = self.get_object()
        data = self.validated(s.ProblemUpdateSerializer, partial=True)
        services.problem_update(problem=problem, by=request.user, **data)
        return self.respond(s.ProblemSerializer, problem)

    @extend_schema(
        request=s.DuplicateQuerySerializer,
        responses={200: s.DuplicateSerializer(many=True)},
        summary="Open problems that are probably the one about to be logged",
    )
    @action(detail=False, methods=["post"])
    def duplicates(self, request: Request) -> Response:
        """Call before creating: same category, nearby or same neighbourhood, similar words; open only."""
        data = self.validated(s.DuplicateQuerySerializer)
        found = selectors.problems_possibly_duplicate(
            request.user,
            category=data["category"],
            neighbourhood=data["neighbourhood"],
            text=f"{data['title']} {data['description']}",
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
        )
        return Response(s.DuplicateSerializer(found, many=True).data)

    @extend_schema(request=s.ProblemReportWriteSerializer, responses={201: s.ProblemReportSerializer})
    @action(detail=True, methods=["post"])
    def reports(self, request: Request, pk: str) -> Response:
        """Attach another report (its own source and originator) to this open problem instead of a duplicate."""
        problem = self.get_object()
        data = self.validated(s.ProblemReportWriteSerializer)
        report = field.problem_report_attach(problem=problem, by=request.user, **data)
        return self.respond(s.ProblemReportSerializer, report, 201)

    @extend_schema(request=s.ProblemPublicSerializer, responses={200: s.ProblemSerializer})
    @action(detail=True, methods=["post"], url_path="public")
    def public(self, request: Request, pk: str) -> Response:
        """Adopt, retitle or withdraw a public priority, or set its public outcome: supervisors of the
        district and web editors of the force. Published at once."""
        problem = self.get_object()
        data = self.validated(s.ProblemPublicSerializer)
        services.problem_public_set(problem=problem, by=request.user, **data)
        return self.respond(s.ProblemSerializer, problem)

    @extend_schema(request=s.MergeSerializer, responses={200: s.ProblemSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str) -> Response:
        """A supervisor merges this problem into another: its work and reports move; it is closed."""
        problem = self.get_object()
        data = self.validated(s.MergeSerializer)
        keep = self.get_queryset().filter(pk=data["into"]).first()
        if keep is None:
            raise drf_exceptions.NotFound("No such problem to merge into.")
        kept = field.problem_merge(keep=keep, merge=problem, by=request.user, reason=data["reason"])
        return self.respond(s.ProblemSerializer, kept)

    @extend_schema(
        request=s.TransitionSerializer,
        responses={
            200: s.ProblemSerializer,
            409: OpenApiResponse(s.TransitionRefusedSerializer, description="Refused: says what is missing."),
        },
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str) -> Response:
        """Move the problem to another SARA stage through the workflow table.

        Refused by the workflow: 409 with what is missing. Closing a problem whose victims have had no
        final contact logged (nor a reason recorded for none) is a 400, since the caller can supply it:
        ``{"detail", "missing", "victims": ["Sharon Doyle"], "conflict": false}``.
        """
        problem = self.get_object()
        data = self.validated(s.TransitionSerializer)
        services.problem_transition(problem=problem, to=data["to"], by=request.user, reason=data["reason"])
        return self.respond(s.ProblemSerializer, problem)

    @extend_schema(
        responses={
            200: inline_serializer(
                "TransitionOption",
                {
                    "to": serializers.CharField(),
                    "label": serializers.CharField(),
                    "allowed": serializers.BooleanField(),
                    "why_not": serializers.CharField(),
                    "needs_reason": serializers.BooleanField(),
                },
                many=True,
            )
        },
    )
    @action(detail=True, methods=["get"], url_path="transitions", pagination_class=None, filter_backends=[])
    def transitions(self, request: Request, pk: str) -> Response:
        """The stage changes from here, for this user: allowed, or why not."""
        problem = self.get_object()
        options = [
            {
                "to": o.transition.target,
                "label": o.transition.label,
                "allowed": o.allowed,
                "why_not": o.why_not,
                "needs_reason": o.needs_reason,
            }
            for o in transition_options(problem, request.user)
        ]
        return Response(options)

    @extend_schema(
        responses={
            200: inline_serializer(
                "HistoryEntry",
                {
                    "when": serializers.DateTimeField(),
                    "who": serializers.CharField(allow_null=True),
                    "kind": serializers.CharField(),
                    "reason": serializers.CharField(),
                    "fields": serializers.ListField(child=serializers.CharField()),
                },
                many=True,
            )
        },
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: Request, pk: str) -> Response:
        """The audit trail of the problem record, newest first."""
        problem = self.get_object()
        entries = selectors.problem_history(problem)
        self._record_view(problem)
        for entry in entries:
            entry["who"] = str(entry["who"]) if entry["who"] is not None else None
        return Response(entries)

    def _singleton(self, request: Request, model: type[Model], serializer: type, save: Any, fields: Any) -> Any:
        """GET, PUT or PATCH a problem's analysis or assessment; ``fields(user, problem)`` are those
        the user may write, which a PUT resets when they are not sent."""
        problem = self.get_object()
        if request.method == "GET":
            obj = model.objects.filter(problem=problem).first()  # type: ignore[attr-defined]
            if obj is None:
                raise NotFound(f"This problem has no {model._meta.verbose_name} yet.")
            self._record_view(problem)
            return self.respond(serializer, obj)
        data = self.validated(serializer, partial=request.method == "PATCH")
        if request.method == "PUT":  # replace: what is not sent goes back to empty
            defaults = {name: _field_default(model, name) for name in fields(request.user, problem)}
            data = defaults | data
        return self.respond(serializer, save(problem=problem, by=request.user, **data))

    @extend_schema(methods=["GET"], responses={200: s.AnalysisSerializer})
    @extend_schema(methods=["PUT", "PATCH"], request=s.AnalysisSerializer, responses={200: s.AnalysisSerializer})
    @action(detail=True, methods=["get", "put", "patch"], pagination_class=None, filter_backends=[])
    def analysis(self, request: Request, pk: str) -> Response:
        """The problem analysis triangle and objective (saved through ``services.analysis_save``)."""
        return self._singleton(
            request, Analysis, s.AnalysisSerializer, services.analysis_save, lambda user, p: policy.ANALYSIS_FIELDS
        )

    @extend_schema(methods=["GET"], responses={200: s.AssessmentSerializer})
    @extend_schema(methods=["PUT", "PATCH"], request=s.AssessmentSerializer, responses={200: s.AssessmentSerializer})
    @action(detail=True, methods=["get", "put", "patch"], pagination_class=None, filter_backends=[])
    def assessment(self, request: Request, pk: str) -> Response:
        """Did it work (saved through ``services.assessment_save``)."""
        return self._singleton(
            request, Assessment, s.AssessmentSerializer, services.assessment_save, policy.assessment_fields_writable
        )


# --- actions -------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(request=s.ActionCreateSerializer, responses={201: s.ActionSerializer}),
    partial_update=extend_schema(request=s.ActionUpdateSerializer, responses={200: s.ActionSerializer}),
)
class ActionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Actions on problems the user can see; a partner fetches ``?ours=true&open=true``."""

    serializer_class = s.ActionSerializer
    filterset_class = filters.ActionFilter
    ordering_fields = ["due_on", "updated_at", "created_at"]
    ordering = ["due_on"]

    def get_queryset(self) -> QuerySet[Action]:
        return selectors.actions_visible_to(self.request.user)

    def create(self, request: Request) -> Response:
        data = self.validated(s.ActionCreateSerializer)
        action = services.action_add(by=request.user, **data)
        return self.respond(s.ActionSerializer, action, 201)

    def partial_update(self, request: Request, pk: str) -> Response:
        action = self.get_object()
        data = self.validated(s.ActionUpdateSerializer, partial=True)
        services.action_update(action=action, by=request.user, **data)
        return self.respond(s.ActionSerializer, action)

    @extend_schema(request=s.ActionTransferSerializer, responses={201: s.TransferSerializer})
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, pk: str) -> Response:
        """Hand the action to another agency, on the record."""
        action = self.get_object()
        data = self.validated(s.ActionTransferSerializer)
        transfer = services.action_transfer(action=action, by=request.user, **data)
        return self.respond(s.TransferSerializer, transfer, 201)


# --- reviews, updates, evaluations ---------------------------------------------------------


@extend_schema_view(create=extend_schema(request=s.ReviewCreateSerializer, responses={201: s.ReviewSerializer}))
class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Supervisory reviews; recording one acts on its decision (``services.review_record``)."""

    serializer_class = s.ReviewSerializer
    filterset_class = filters.ReviewFilter
    ordering_fields = ["reviewed_at"]
    ordering = ["-reviewed_at"]

    def get_queryset(self) -> QuerySet[SupervisoryReview]:
        return selectors.reviews_visible_to(self.request.user)

    def create(self, request: Request) -> Response:
        data = self.validated(s.ReviewCreateSerializer)
        review = services.review_record(by=request.user, **data)
        return self.respond(s.ReviewSerializer, review, 201)


@extend_schema_view(
    create=extend_schema(request=s.ProgressUpdateCreateSerializer, responses={201: s.ProgressUpdateSerializer})
)
class ProgressUpdateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Progress notes; a web editor lists ``?status=pending`` and decides each."""

    serializer_class = s.ProgressUpdateSerializer
    filterset_class = filters.ProgressUpdateFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]

    def get_queryset(self) -> QuerySet[ProgressUpdate]:
        return selectors.updates_visible_to(self.request.user)

    def create(self, request: Request) -> Response:
        data = self.validated(s.ProgressUpdateCreateSerializer)
        update = services.update_add(by=request.user, **data)
        return self.respond(s.ProgressUpdateSerializer, update, 201)

    @extend_schema(request=s.UpdateDecisionSerializer, responses={200: s.ProgressUpdateSerializer})
    @action(detail=True, methods=["post"])
    def decision(self, request: Request, pk: str) -> Response:
        """Approve (with the text to publish) or reject an update awaiting approval."""
        update = self.get_object()
        data = self.validated(s.UpdateDecisionSerializer)
        services.update_decide(update=update, by=request.user, **data)
        return self.respond(s.ProgressUpdateSerializer, update)


@extend_schema_view(
    create=extend_schema(
        request=s.EvaluationCreateSerializer, responses={200: s.EvaluationSerializer, 201: s.EvaluationSerializer}
    )
)
class EvaluationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Analysts' evaluations of closed problems; posting again revises the evaluation."""

    serializer_class = s.EvaluationSerializer
    filterset_class = filters.EvaluationFilter
    ordering_fields = ["evaluated_at"]
    ordering = ["-evaluated_at"]

    def get_queryset(self) -> QuerySet[Evaluation]:
        return selectors.evaluations_visible_to(self.request.user).prefetch_related(
            "tags", Prefetch("learning_needs", queryset=LearningNeed.objects.order_by("id"))
        )

    def create(self, request: Request) -> Response:
        data = self.validated(s.EvaluationCreateSerializer)
        existed = Evaluation.objects.filter(problem=data["problem"]).exists()
        evaluation = services.evaluation_record(by=request.user, **data)
        evaluation = self.get_queryset().get(pk=evaluation.pk)
        return self.respond(s.EvaluationSerializer, evaluation, 200 if existed else 201)


# --- reference data ------------------------------------------------------------------------


class ReferenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Read-only lists every signed-in user may read."""

    ordering_fields = ["name"]
    ordering = ["name"]


class NeighbourhoodViewSet(ReferenceViewSet):
    queryset = Neighbourhood.objects.select_related("district")
    serializer_class = s.NeighbourhoodSerializer
    filterset_class = filters.NeighbourhoodFilter


class DistrictViewSet(ReferenceViewSet):
    queryset = District.objects.all()
    serializer_class = s.DistrictSerializer


class AgencyViewSet(ReferenceViewSet):
    queryset = Agency.objects.all()
    serializer_class = s.AgencySerializer


class CategoryViewSet(ReferenceViewSet):
    queryset = Category.objects.all()
    serializer_class = s.CategorySerializer
