"""``/api/risk-assessments/``: victims' risk assessments, answers in, score and level out (issue 18).

Thin, like the rest of the API. Reads start from ``jps.selectors.risk_assessments_visible_to`` (the
rule ``jps.rules.risk_scope_q``: the problem's owner and the district's officers and supervisors; an
assessment out of sight is a 404); a role that never reads risk assessments (a partner above all)
is answered 403 for the list. Writes call ``jps.services.risk_assess``, which checks
``jps.assess_risk`` (403 on a problem the user sees but may not assess) and the answers against the
questionnaire in use (400 naming the questions). Every page of assessments shown goes into the access
log, with the victim and the problem.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from jps import selectors, services
from jps.filters import IdFilter
from jps.models import PersonRole, Problem, ProblemPerson, Risk, RiskAssessment, RiskQuestion, RiskQuestionnaire
from jps.models import ProblemView as View
from jps.models.fields import text_limit
from jps.rules import reads_risk

from .base import BaseViewSet
from .permissions import require_perm

# --- serializers ---------------------------------------------------------------------------------


class RiskQuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = RiskQuestion
        fields = ["key", "text", "weight"]


class RiskQuestionnaireSerializer(serializers.ModelSerializer):
    questions = RiskQuestionSerializer(many=True, read_only=True)
    max_score = serializers.IntegerField(read_only=True, help_text="The score with every question answered yes.")

    class Meta:
        model = RiskQuestionnaire
        fields = ["id", "force", "version", "name", "medium_threshold", "high_threshold", "max_score", "questions"]
        read_only_fields = fields


class RiskAssessmentSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="link.person_id", read_only=True)
    person_name = serializers.CharField(source="link.person.name", read_only=True)
    questionnaire_version = serializers.IntegerField(source="questionnaire.version", read_only=True)
    answers = serializers.DictField(child=serializers.BooleanField(), read_only=True)
    assessed_by = serializers.StringRelatedField()

    class Meta:
        model = RiskAssessment
        fields = [
            "id",
            "link",
            "problem",
            "person",
            "person_name",
            "questionnaire",
            "questionnaire_version",
            "answers",
            "score",
            "level",
            "occasion",
            "notes",
            "assessed_by",
            "assessed_at",
        ]
        read_only_fields = fields


class _YesOrNo(serializers.BooleanField):
    """An answer: JSON ``true`` (yes) or ``false`` (no), nothing DRF would read as one ("yes", 1, "true")."""

    default_error_messages = {"invalid": "Answer yes (true) or no (false)."}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


def _victim_links(user: Any) -> QuerySet[ProblemPerson]:
    """Victims' links on problems ``user`` may see: a link elsewhere is unknown (400), never "forbidden"."""
    return selectors.person_links_visible_to(user).filter(role=PersonRole.VICTIM)


def _victim_link(user: Any, *, problem: int, person: int) -> ProblemPerson | None:
    return _victim_links(user).filter(problem_id=problem, person_id=person).first()


@extend_schema_field(OpenApiTypes.INT)
class _VictimLinkField(serializers.PrimaryKeyRelatedField):
    """A victim's link id, accepted only on a problem the requesting user may see."""

    def get_queryset(self) -> Any:
        return _victim_links(self.context["request"].user)


class RiskAssessmentWriteSerializer(serializers.Serializer):
    link = _VictimLinkField(required=False, help_text="The victim's link on the problem; or give problem and person.")
    problem = serializers.IntegerField(required=False, min_value=1, help_text="With person: the victim's problem.")
    person = serializers.IntegerField(required=False, min_value=1, help_text="With problem: the victim.")
    answers = serializers.DictField(
        child=_YesOrNo(), help_text="Each question's key (GET questionnaire/): true for yes, false for no."
    )
    occasion = serializers.ChoiceField(choices=RiskAssessment.Occasion.choices)
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=text_limit(RiskAssessment, "notes")
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        """The victim named by ``link``, or by ``problem`` and ``person`` together, never both ways."""
        problem, person = data.pop("problem", None), data.pop("person", None)
        if "link" in data:
            if problem is not None or person is not None:
                raise serializers.ValidationError({"link": "Give the link, or the problem and the person, not both."})
            return data
        if problem is None or person is None:
            raise serializers.ValidationError({"link": "Say who is assessed: the link, or the problem and the person."})
        link = _victim_link(self.context["request"].user, problem=problem, person=person)
        if link is None:
            raise serializers.ValidationError({"person": "This person is not a victim on that problem."})
        data["link"] = link
        return data


class RiskAssessmentFilter(django_filters.FilterSet):
    problem = IdFilter(field_name="problem_id")
    person = IdFilter(field_name="link__person_id")
    link = IdFilter(field_name="link_id")
    level = django_filters.ChoiceFilter(choices=Risk.choices)
    current = django_filters.BooleanFilter(method="filter_current", label="Only each victim's latest assessment")

    class Meta:
        model = RiskAssessment
        fields: list[str] = []

    def filter_current(
        self, queryset: QuerySet[RiskAssessment], name: str, value: bool | None
    ) -> QuerySet[RiskAssessment]:
        return selectors.risk_assessments_current(queryset) if value else queryset


# --- the endpoint --------------------------------------------------------------------------------

_PROBLEM = OpenApiParameter(
    "problem", OpenApiTypes.INT, description="The problem to assess on: its force's version (default: your force's)."
)


@extend_schema_view(
    list=extend_schema(summary="Victims' risk assessments you may read (403 for partners); ?current=true"),
    retrieve=extend_schema(summary="One risk assessment (404 if out of sight); the read is logged"),
    create=extend_schema(
        summary="Assess a victim: answers in, score and level out; sets the problem's risk",
        request=RiskAssessmentWriteSerializer,
        responses={201: RiskAssessmentSerializer},
    ),
)
class RiskAssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Victims' risk assessments: police staff working the problem; never a partner."""

    serializer_class = RiskAssessmentSerializer
    filterset_class = RiskAssessmentFilter
    ordering_fields = ["assessed_at"]
    ordering = ["-assessed_at"]
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self) -> QuerySet[RiskAssessment]:
        return selectors.risk_assessments_visible_to(self.request.user)

    def _shown(self, assessments: list[RiskAssessment], many: bool = True) -> Any:
        """Serialize, and log the read of each victim through their problem."""
        services.person_views_record(
            user=self.request.user,
            reads=[(a.link.person_id, a.problem_id) for a in assessments],
            channel=View.Channel.API,
            request_id=getattr(self.request, "request_id", ""),
        )
        context = self.get_serializer_context()
        return RiskAssessmentSerializer(assessments if many else assessments[0], many=many, context=context).data

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not reads_risk(request.user):
            raise exceptions.PermissionDenied("Victims' risk assessments are for police staff working the problem.")
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset())) or []
        return self.get_paginated_response(self._shown(list(page)))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._shown([self.get_object()], many=False))

    def create(self, request: Request) -> Response:
        data = self.validated(RiskAssessmentWriteSerializer)
        assessment = services.risk_assess(by=request.user, **data)
        return Response(self._shown([assessment], many=False), status=201)

    @extend_schema(
        summary="The questionnaire in use: its version, thresholds and questions",
        parameters=[_PROBLEM],
        responses={200: RiskQuestionnaireSerializer},
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def questionnaire(self, request: Request) -> Response:
        """For a problem you may assess on (``?problem=``), or your own force's."""
        force_id = request.user.force_id
        if "problem" in request.query_params:
            try:
                problem = selectors.problem_get_for(request.user, int(request.query_params["problem"]))
            except (Problem.DoesNotExist, ValueError, OverflowError):
                raise exceptions.NotFound() from None
            require_perm(request.user, "jps.view_risk", problem)
            force_id = problem.force_id
        elif not reads_risk(request.user):
            raise exceptions.PermissionDenied("Victims' risk assessments are for police staff working the problem.")
        questionnaire = selectors.risk_questionnaire_for(force_id=force_id)
        if questionnaire is None:
            raise exceptions.NotFound("No risk questionnaire is in use for this force.")
        return Response(RiskQuestionnaireSerializer(questionnaire).data)
