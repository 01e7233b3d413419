"""Serializers: the shape of the API. Reads describe; writes only validate input.

Write serializers never save: the views hand ``validated_data`` to a ``jps.services``
function, so the workflow guards, the permission rules and the audit trail hold.
Related problems are looked up in ``problems_visible_to(user)`` only, so an id the
user may not see is reported exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jps import policy, selectors
from jps.models import (
    Action,
    Agency,
    Analysis,
    Assessment,
    Category,
    Classification,
    District,
    Evaluation,
    LearningNeed,
    Neighbourhood,
    Problem,
    ProblemReport,
    ProgressUpdate,
    Stage,
    SupervisoryReview,
    Transfer,
    User,
)
from jps.models.fields import text_limit


@extend_schema_field(OpenApiTypes.INT)
class VisibleProblemField(serializers.PrimaryKeyRelatedField):
    """A problem id, accepted only if the requesting user may see the problem."""

    def get_queryset(self) -> Any:
        return selectors.problems_visible_to(self.context["request"].user)


def _active_users() -> Any:
    return User.objects.filter(is_active=True)


# --- reference data ------------------------------------------------------------------------


class DistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["id", "name", "slug", "force"]


class NeighbourhoodSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True)

    class Meta:
        model = Neighbourhood
        fields = ["id", "name", "slug", "district", "district_name", "character", "latitude", "longitude"]


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "kind", "force", "contact_email"]


# --- problems ------------------------------------------------------------------------------


class ProblemSerializer(serializers.ModelSerializer):
    """A problem as listed and shown; everything here is within the user's sight."""

    neighbourhood_name = serializers.CharField(source="neighbourhood.display_name", read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    lead_agency_name = serializers.CharField(source="lead_agency.name", read_only=True)
    classification = serializers.ChoiceField(choices=Classification.choices, allow_blank=True, read_only=True)
    participating_agencies = serializers.SerializerMethodField()
    review_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Problem
        fields = [
            "id",
            "reference",
            "title",
            "description",
            "problem_statement",
            "category",
            "category_name",
            "classification",
            "risk",
            "district",
            "district_name",
            "neighbourhood",
            "neighbourhood_name",
            "location",
            "latitude",
            "longitude",
            "source",
            "originator",
            "originator_agency",
            "owner",
            "owner_name",
            "lead_agency",
            "lead_agency_name",
            "participating_agencies",
            "stage",
            "stage_changed_at",
            "review_interval_days",
            "next_review_due",
            "review_overdue",
            "closure_requested_at",
            "closed_at",
            "closure_reason",
            "escalated_at",
            "public_priority",
            "adopted_on",
            "public_title",
            "public_title_cy",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_participating_agencies(self, problem: Problem) -> list[int]:
        return sorted(p.agency_id for p in problem.participations.all())

    @extend_schema_field(serializers.BooleanField())
    def get_review_overdue(self, problem: Problem) -> bool:
        return problem.is_review_overdue(self.context.get("today") or timezone.localdate())


class ProblemWriteSerializer(serializers.ModelSerializer):
    """Logging a problem: every field the write policy (``jps.policy``) knows.

    Which of them this user may set, and to which values, the service decides: a field
    the user may not set is a 400 naming it. The public fields are for supervisors of
    the district and web editors; ``owner`` and ``lead_agency`` are limited to those the
    policy offers (a partner: its own agency).
    """

    owner = serializers.PrimaryKeyRelatedField(queryset=_active_users(), required=False)
    lead_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), required=False)
    client_key = serializers.UUIDField(
        required=False, write_only=True, help_text="The draft's idempotency key (or send an Idempotency-Key header)."
    )

    class Meta:
        model = Problem
        fields = [*policy.PROBLEM_FIELDS, *policy.ASSIGNMENT_FIELDS, "client_key"]
        extra_kwargs = {"review_interval_days": {"min_value": 1, "max_value": 365}}


class ProblemUpdateSerializer(ProblemWriteSerializer):
    """Editing a problem: ownership moves by review or transfer, not by edit."""

    class Meta(ProblemWriteSerializer.Meta):
        fields = list(policy.PROBLEM_FIELDS)


class ProblemPublicSerializer(serializers.Serializer):
    """What the force says in public about a problem (``services.problem_public_set``)."""

    public_priority = serializers.BooleanField(required=False, help_text="False withdraws it from the public site.")
    adopted_on = serializers.DateField(required=False)
    public_title = serializers.CharField(
        required=False, allow_blank=True, max_length=text_limit(Problem, "public_title")
    )
    public_title_cy = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=text_limit(Problem, "public_title_cy"),
        help_text="The title in Welsh: needed with the title where the force publishes in Welsh.",
    )
    public_outcome = serializers.CharField(
        required=False, allow_blank=True, max_length=text_limit(Assessment, "public_outcome")
    )
    public_outcome_cy = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=text_limit(Assessment, "public_outcome_cy"),
        help_text="The outcome in Welsh: needed with the outcome where the force publishes in Welsh.",
    )


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Stage.choices, help_text="The stage to move to.")
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=text_limit(Problem, "closure_reason"),
        help_text="Needed to close or go back.",
    )


class TransitionRefusedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    missing = serializers.ListField(child=serializers.CharField(), help_text="What the transition still needs.")
    conflict = serializers.BooleanField(help_text="True when someone else changed the problem meanwhile.")


class AnalysisSerializer(serializers.ModelSerializer):
    class Meta:
        model = Analysis
        fields = ["problem", *policy.ANALYSIS_FIELDS, "updated_at"]
        read_only_fields = ["problem", "updated_at"]


class AssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Assessment
        fields = ["problem", *policy.ASSESSMENT_FIELDS, "updated_at"]
        read_only_fields = ["problem", "updated_at"]
        extra_kwargs = {"reduction_percent": {"min_value": 0, "max_value": 100}}


# --- actions -------------------------------------------------------------------------------


class ActionSerializer(serializers.ModelSerializer):
    problem_reference = serializers.CharField(source="problem.reference", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    assignee_name = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "problem",
            "problem_reference",
            "action_type",
            "description",
            "agency",
            "agency_name",
            "assignee",
            "assignee_name",
            "due_on",
            "status",
            "result",
            "completed_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_assignee_name(self, action: Action) -> str | None:
        return str(action.assignee) if action.assignee_id else None


class ActionCreateSerializer(serializers.Serializer):
    problem = VisibleProblemField()
    action_type = serializers.ChoiceField(choices=Action.Type.choices)
    description = serializers.CharField(max_length=text_limit(Action, "description"))
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    assignee = serializers.PrimaryKeyRelatedField(queryset=_active_users(), required=False, allow_null=True)
    due_on = serializers.DateField(required=False, allow_null=True)


class ActionUpdateSerializer(serializers.ModelSerializer):
    """The fields of ``services.ACTION_EDITABLE``."""

    assignee = serializers.PrimaryKeyRelatedField(queryset=_active_users(), required=False, allow_null=True)

    class Meta:
        model = Action
        fields = ["status", "result", "due_on", "description", "assignee", "action_type"]


class ActionTransferSerializer(serializers.Serializer):
    to_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    to_user = serializers.PrimaryKeyRelatedField(queryset=_active_users(), required=False, allow_null=True)
    reason = serializers.CharField(max_length=text_limit(Transfer, "reason"))


class TransferSerializer(serializers.ModelSerializer):
    class Meta:
        model = Transfer
        fields = ["id", "problem", "action", "from_agency", "to_agency", "from_user", "to_user", "reason", "by", "at"]
        read_only_fields = fields


# --- reviews, updates, evaluations ---------------------------------------------------------


class ReviewSerializer(serializers.ModelSerializer):
    reviewer_name = serializers.CharField(source="reviewer.__str__", read_only=True)

    class Meta:
        model = SupervisoryReview
        fields = [
            "id",
            "problem",
            "reviewer",
            "reviewer_name",
            "reviewed_at",
            "comment",
            "decision",
            "tier",
            "stage_at_review",
            "was_overdue_days",
            "next_review_due",
        ]
        read_only_fields = fields


class ReviewCreateSerializer(serializers.Serializer):
    problem = VisibleProblemField()
    comment = serializers.CharField(max_length=text_limit(SupervisoryReview, "comment"))
    decision = serializers.ChoiceField(choices=SupervisoryReview.Decision.choices)
    new_owner = serializers.PrimaryKeyRelatedField(queryset=_active_users(), required=False, allow_null=True)
    to_stage = serializers.ChoiceField(choices=Stage.choices, required=False, allow_blank=True, default="")
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=text_limit(Problem, "closure_reason")
    )


class ProgressUpdateSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.__str__", read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "problem",
            "author",
            "author_name",
            "created_at",
            "text",
            "status",
            "public_text",
            "public_text_cy",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields


class ProgressUpdateCreateSerializer(serializers.Serializer):
    problem = VisibleProblemField()
    text = serializers.CharField(max_length=text_limit(ProgressUpdate, "text"))
    propose_public = serializers.BooleanField(default=False, help_text="Ask a web editor to publish it.")


class UpdateDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    public_text = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=text_limit(ProgressUpdate, "public_text"),
        help_text="The text to publish, if approved.",
    )
    public_text_cy = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=text_limit(ProgressUpdate, "public_text_cy"),
        help_text="The text to publish in Welsh: needed to approve where the force publishes in Welsh.",
    )


class LearningNeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = LearningNeed
        fields = ["id", "district", "role", "skill", "notes"]
        read_only_fields = ["id", "district"]


class EvaluationSerializer(serializers.ModelSerializer):
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    learning_needs = LearningNeedSerializer(many=True, read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "problem",
            "analyst",
            "evaluated_at",
            "rating",
            "what_worked",
            "what_did_not",
            "learning",
            "transferable",
            "best_practice",
            "tags",
            "learning_needs",
        ]
        read_only_fields = fields


class LearningNeedInputSerializer(serializers.Serializer):
    skill = serializers.CharField(max_length=160)
    role = serializers.ChoiceField(choices=User.Role.choices, required=False, allow_blank=True, default="")
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=text_limit(LearningNeed, "notes")
    )


class EvaluationCreateSerializer(serializers.Serializer):
    problem = VisibleProblemField()
    rating = serializers.ChoiceField(choices=Evaluation.Rating.choices)
    learning = serializers.CharField(max_length=text_limit(Evaluation, "learning"))
    what_worked = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=text_limit(Evaluation, "what_worked")
    )
    what_did_not = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=text_limit(Evaluation, "what_did_not")
    )
    transferable = serializers.BooleanField(default=False)
    best_practice = serializers.BooleanField(default=False)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=80), required=False, default=list, max_length=20
    )
    learning_needs = LearningNeedInputSerializer(many=True, required=False, default=list)


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug", "group"]


# --- duplicate check and further reports (issue 11) -------------------------------------------


class DuplicateQuerySerializer(serializers.Serializer):
    """What a partner system knows before logging: enough to find the problem it may already be."""

    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())
    neighbourhood = serializers.PrimaryKeyRelatedField(queryset=Neighbourhood.objects.all())
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=text_limit(Problem, "description")
    )
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False)


class DuplicateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    stage = serializers.CharField()
    neighbourhood = serializers.IntegerField(source="neighbourhood_id")
    shared_words = serializers.ListField(child=serializers.CharField())
    distance_m = serializers.IntegerField(allow_null=True)


class ProblemReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProblemReport
        fields = ["id", "problem", "source", "originator", "reported_by", "reported_at", "text", "location"]
        read_only_fields = ["id", "problem", "reported_by", "reported_at"]


class ProblemReportWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProblemReport
        fields = ["source", "originator", "text", "location", "latitude", "longitude"]


class MergeSerializer(serializers.Serializer):
    into = serializers.IntegerField(help_text="Id of the problem to keep; this one is merged into it and closed.")
    reason = serializers.CharField(max_length=text_limit(Problem, "closure_reason"))
