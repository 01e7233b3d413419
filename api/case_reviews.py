"""``/api/case-reviews/``: ASB case review applications, each step of their handling, and the statutory figures.

Thin like the rest of the API: reads start from ``jps.selectors.case_reviews_visible_to`` (an
application the user's agency takes no part in is a 404), writes call ``jps.services`` (which check
``jps.rules``: a visible application the user may not work is a 403). The applicant's contact details
follow the people rule (``PERSON_CONTACT_FIELDS``: police staff of the force only). Mounted by one
``include`` in ``api/urls.py``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from jps import selectors, services
from jps.models import (
    Action,
    Agency,
    CaseReviewApplication,
    CaseReviewRecommendation,
    CitedIncident,
    District,
    User,
)
from jps.rules import sees_people_of_force

from .base import BaseViewSet
from .people import _VisibleField

# --- serializers -------------------------------------------------------------------------------


class PersonBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    vulnerable = serializers.BooleanField(source="is_vulnerable")
    date_of_birth = serializers.DateField(allow_null=True)
    phone = serializers.CharField(allow_null=True)
    email = serializers.CharField(allow_null=True)
    address = serializers.CharField(allow_null=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not sees_people_of_force(self.context["request"].user):
            data.update(dict.fromkeys(services.PERSON_CONTACT_FIELDS))
        return data


class IncidentSerializer(serializers.ModelSerializer):
    class Meta:
        model = CitedIncident
        fields = ["id", "occurred_on", "description", "problem", "reported_to", "hate_incident"]


class RecommendationSerializer(serializers.ModelSerializer):
    problem = serializers.IntegerField(source="action.problem_id")
    agency = serializers.CharField(source="action.agency.name")
    assignee = serializers.StringRelatedField(source="action.assignee")
    due_on = serializers.DateField(source="action.due_on")
    status = serializers.CharField(source="action.status")

    class Meta:
        model = CaseReviewRecommendation
        fields = ["id", "text", "action", "problem", "agency", "assignee", "due_on", "status", "created_at"]


class EvidenceSerializer(serializers.Serializer):
    kind = serializers.CharField()
    day = serializers.DateField()
    reference = serializers.CharField(help_text="Empty for a problem you may not see.")
    agency = serializers.CharField()
    text = serializers.CharField()
    hate = serializers.BooleanField()


class ThresholdSerializer(serializers.Serializer):
    met = serializers.BooleanField()
    rule = serializers.CharField(help_text="count, hate, vulnerable, or empty when not met.")
    complaints = serializers.IntegerField()
    required = serializers.IntegerField()
    since = serializers.DateField()
    until = serializers.DateField()
    items = EvidenceSerializer(many=True)


class CaseReviewSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True)
    applicant = PersonBriefSerializer(read_only=True)
    behalf_of = PersonBriefSerializer(read_only=True, allow_null=True)
    problems = serializers.SerializerMethodField(help_text="Linked problems you may see.")
    incidents = IncidentSerializer(many=True, read_only=True)
    recommendations = RecommendationSerializer(many=True, read_only=True)

    class Meta:
        model = CaseReviewApplication
        fields = [
            "id", "reference", "state", "district", "district_name", "applicant", "on_behalf", "behalf_of",
            "received_on", "received_by_agency", "received_by", "channel", "summary", "problems", "lead_agency",
            "lead_officer", "acknowledge_due", "decision_due", "meeting_due", "outcome_due", "handling_review_due",
            "acknowledged_on", "threshold_met", "threshold_overridden", "decision_reasons", "decided_on",
            "meeting_held_on", "meeting_agencies", "findings", "outcome_sent_on", "outcome_text",
            "handling_review_requested_on", "handling_review_outcome", "closed_on", "incidents", "recommendations",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_problems(self, obj: CaseReviewApplication) -> list[int]:
        visible = self.context.get("visible_problems")
        ids = [p.pk for p in obj.problems.all()]
        return [pk for pk in ids if visible is None or pk in visible]


class CaseReviewDetailSerializer(CaseReviewSerializer):
    threshold = serializers.SerializerMethodField()

    class Meta(CaseReviewSerializer.Meta):
        fields = [*CaseReviewSerializer.Meta.fields, "threshold"]
        read_only_fields = fields

    @extend_schema_field(ThresholdSerializer)
    def get_threshold(self, obj: CaseReviewApplication) -> dict[str, Any]:
        check = selectors.threshold_check(application=obj, user=self.context["request"].user)
        return dict(ThresholdSerializer(check).data)


class IncidentWriteSerializer(serializers.Serializer):
    occurred_on = serializers.DateField()
    description = serializers.CharField(max_length=5000)
    problem = _VisibleField(visible=selectors.problems_visible_to, required=False, allow_null=True)
    reported_to = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), many=True, required=False)
    hate_incident = serializers.BooleanField(required=False, default=False)


class CaseReviewWriteSerializer(serializers.Serializer):
    district = serializers.PrimaryKeyRelatedField(queryset=District.objects.all())
    applicant = _VisibleField(visible=selectors.people_visible_to)
    on_behalf = serializers.BooleanField(required=False, default=False)
    behalf_of = _VisibleField(visible=selectors.people_visible_to, required=False, allow_null=True)
    received_on = serializers.DateField()
    channel = serializers.ChoiceField(choices=CaseReviewApplication.Channel.choices)
    summary = serializers.CharField(max_length=5000)
    lead_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    lead_officer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    problems = _VisibleField(visible=selectors.problems_visible_to, many=True, required=False)
    incidents = IncidentWriteSerializer(many=True, required=False)


class AcknowledgeSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="Default: today.")


class DecisionSerializer(serializers.Serializer):
    met = serializers.BooleanField()
    reasons = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class MeetingSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    agencies = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), many=True)
    findings = serializers.CharField(max_length=5000)


class RecommendSerializer(serializers.Serializer):
    problem = _VisibleField(visible=selectors.problems_visible_to)
    text = serializers.CharField(max_length=5000)
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    due_on = serializers.DateField()
    action_type = serializers.ChoiceField(choices=Action.Type.choices, required=False, default=Action.Type.PREVENTION)


class OutcomeSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
    sent_on = serializers.DateField(required=False)


class HandlingReviewSerializer(serializers.Serializer):
    requested_on = serializers.DateField()


class CloseSerializer(serializers.Serializer):
    handling_outcome = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class LeadSerializer(serializers.Serializer):
    lead_officer = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))


class FigureSerializer(serializers.Serializer):
    district = serializers.IntegerField(source="district_id")
    district_name = serializers.CharField(source="district")
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    received = serializers.IntegerField()
    threshold_not_met = serializers.IntegerField()
    reviews = serializers.IntegerField()
    with_recommendations = serializers.IntegerField()


# --- the viewset -------------------------------------------------------------------------------

_YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="Only applications received in this year.")
_STEP_RESPONSES = {200: CaseReviewDetailSerializer}


@extend_schema_view(
    list=extend_schema(summary="Case review applications your agency takes part in"),
    retrieve=extend_schema(summary="One application with its threshold evidence (404 if out of sight)"),
    create=extend_schema(request=CaseReviewWriteSerializer, responses={201: CaseReviewDetailSerializer}),
)
class CaseReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    serializer_class = CaseReviewSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[CaseReviewApplication]:
        return selectors.case_reviews_visible_to(self.request.user).prefetch_related(
            "problems", "incidents__reported_to", "recommendations__action__agency",
            "recommendations__action__assignee",
        )  # fmt: skip

    def get_serializer_context(self) -> dict[str, Any]:
        visible = selectors.problems_visible_to(self.request.user).values_list("pk", flat=True)
        return super().get_serializer_context() | {"visible_problems": _Lazy(visible)}

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.respond(CaseReviewDetailSerializer, self.get_object())

    def create(self, request: Request) -> Response:
        data = self.validated(CaseReviewWriteSerializer)
        incidents = [
            services.Incident(**{**i, "reported_to": tuple(i.get("reported_to", ()))})
            for i in data.pop("incidents", [])
        ]
        application = services.case_review_create(by=request.user, incidents=incidents, **data)
        return self.respond(CaseReviewDetailSerializer, self.get_queryset().get(pk=application.pk), 201)

    def _step(self, serializer_class: type[serializers.Serializer], service: Any, code: int = 200) -> Response:
        application = self.get_object()
        service(application=application, by=self.request.user, **self.validated(serializer_class))
        return self.respond(CaseReviewDetailSerializer, self.get_queryset().get(pk=application.pk), code)

    @extend_schema(request=AcknowledgeSerializer, responses=_STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str) -> Response:
        """Record that the applicant was told the application was received."""
        return self._step(AcknowledgeSerializer, services.case_review_acknowledge)

    @extend_schema(request=DecisionSerializer, responses=_STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def threshold(self, request: Request, pk: str) -> Response:
        """The lead officer's decision; going against what the records show needs reasons (an override)."""
        return self._step(DecisionSerializer, services.case_review_decide)

    @extend_schema(request=MeetingSerializer, responses=_STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def meeting(self, request: Request, pk: str) -> Response:
        """The review meeting: the agencies present and what they found."""
        return self._step(MeetingSerializer, services.case_review_meeting)

    @extend_schema(request=RecommendSerializer, responses={201: CaseReviewDetailSerializer})
    @action(detail=True, methods=["post"])
    def recommendations(self, request: Request, pk: str) -> Response:
        """A recommendation, carried out as an owned action (agency, person, due date) on a linked problem."""
        return self._step(RecommendSerializer, services.case_review_recommend, status.HTTP_201_CREATED)

    @extend_schema(request=OutcomeSerializer, responses=_STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def outcome(self, request: Request, pk: str) -> Response:
        """The outcome letter sent to the applicant."""
        return self._step(OutcomeSerializer, services.case_review_outcome)

    @extend_schema(request=HandlingReviewSerializer, responses=_STEP_RESPONSES)
    @action(detail=True, methods=["post"], url_path="handling-review")
    def handling_review(self, request: Request, pk: str) -> Response:
        """The applicant asks for the handling to be reviewed (the PCC's process), with its own deadline."""
        return self._step(HandlingReviewSerializer, services.case_review_handling_review)

    @extend_schema(request=CloseSerializer, responses=_STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        return self._step(CloseSerializer, services.case_review_close)

    @extend_schema(request=LeadSerializer, responses=_STEP_RESPONSES)
    @action(detail=True, methods=["post"])
    def lead(self, request: Request, pk: str) -> Response:
        """Name (or change) the lead officer: someone of the lead agency."""
        return self._step(LeadSerializer, services.case_review_lead_set)

    @extend_schema(request=IncidentWriteSerializer, responses={201: CaseReviewDetailSerializer})
    @action(detail=True, methods=["post"])
    def incidents(self, request: Request, pk: str) -> Response:
        """Add an incident the applicant cites (a problem JPS holds, or one in their words)."""
        application = self.get_object()
        data = self.validated(IncidentWriteSerializer)
        incident = services.Incident(**{**data, "reported_to": tuple(data.get("reported_to", ()))})
        services.incident_add(application=application, by=request.user, incident=incident)
        return self.respond(CaseReviewDetailSerializer, self.get_queryset().get(pk=application.pk), 201)

    @extend_schema(parameters=[_YEAR], responses={200: FigureSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None)
    def figures(self, request: Request) -> Response:
        """The statutory figures per CSP area, year and quarter (counts: they name no application)."""
        year = request.query_params.get("year")
        if year is not None and not year.isdigit():
            return Response({"year": ["Give a year, e.g. 2026."]}, status=status.HTTP_400_BAD_REQUEST)
        rows = selectors.case_review_figures(
            districts=selectors.figures_scope(request.user), year=int(year) if year else None
        )
        return Response(FigureSerializer(rows, many=True).data)


class _Lazy:
    """A set of ids evaluated on first use (one query per response, none when nothing asks)."""

    def __init__(self, queryset: Any) -> None:
        self.queryset = queryset
        self.ids: set[int] | None = None

    def __contains__(self, pk: object) -> bool:
        if self.ids is None:
            self.ids = set(self.queryset)
        return pk in self.ids


router = DefaultRouter()
router.include_root_view = False
router.register("case-reviews", CaseReviewViewSet, basename="case-review")
urlpatterns = router.urls
