"""``/api/meetings/``: PACT meetings and the decisions taken at them.

Thin, like the rest of the API: reads start from ``jps.meetings.meetings_visible_to``
(anything out of sight is a 404), writes call the services in ``jps.meetings`` (which
check ``jps.rules``; a visible meeting the user may not change is a 403). Problems
named in a request are looked up in ``problems_visible_to(user)`` only. A meeting's
items come from ``meetings.meeting_items_for`` (an item about a problem the user may not
see shows none of it) and its internal notes from ``meetings.meeting_notes_for``, the
same selectors the pages use.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.validators import MinLengthValidator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from jps import meetings
from jps.models import Agency, Assessment, Category, Meeting, MeetingItem, Neighbourhood, Problem, Risk, User
from jps.models.fields import text_limit

from . import filters
from .base import BaseViewSet
from .serializers import VisibleProblemField

# --- fields and serializers ------------------------------------------------------------------


class MeetingItemSerializer(serializers.Serializer):
    """One item as the viewer may see it (``jps.meetings.meeting_items_for``): the same as the page shows."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=MeetingItem.Kind.choices, read_only=True)
    kind_label = serializers.CharField(read_only=True)
    restricted = serializers.BooleanField(
        read_only=True, help_text="About a problem you may not see: no problem, title, response or note."
    )
    problem = serializers.IntegerField(source="problem_id", read_only=True, allow_null=True)
    problem_reference = serializers.CharField(read_only=True, allow_null=True)
    summary = serializers.CharField(read_only=True)
    public_response = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True, help_text="Internal; empty when you may not read it.")
    closure_requested = serializers.BooleanField(read_only=True, allow_null=True)
    recorded_by = serializers.CharField(read_only=True)
    recorded_at = serializers.DateTimeField(read_only=True)
    publication = serializers.ChoiceField(
        choices=[("", "Not a priority agreed here"), *MeetingItem.Publication.choices],
        read_only=True,
        help_text="A priority agreed at the meeting: awaiting the web editor, published, or not published.",
    )
    publication_label = serializers.CharField(read_only=True)
    reason = serializers.CharField(read_only=True, help_text="Why the web editor did not publish it.")


def _viewer(serializer: serializers.Serializer) -> Any:
    return serializer.context["request"].user


class MeetingSerializer(serializers.ModelSerializer):
    neighbourhood_names = serializers.SerializerMethodField()
    online_url = serializers.CharField(read_only=True, help_text="Where to join an online meeting; may be empty.")
    chair_display = serializers.CharField(read_only=True)
    notes = serializers.SerializerMethodField(help_text="Internal: only for police staff of the meeting's district.")

    class Meta:
        model = Meeting
        fields = [
            "id",
            "title",
            "status",
            "neighbourhoods",
            "neighbourhood_names",
            "starts_at",
            "ends_at",
            "online",
            "venue",
            "address",
            "online_url",
            "chair",
            "chair_name",
            "chair_display",
            "agencies",
            "residents_attending",
            "public_agenda",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_neighbourhood_names(self, meeting: Meeting) -> list[str]:
        return [n.display_name for n in meeting.neighbourhoods.all()]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_notes(self, meeting: Meeting) -> str | None:
        return meetings.meeting_notes_for(_viewer(self), meeting)


class MeetingDetailSerializer(MeetingSerializer):
    items = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "items"]
        read_only_fields = fields

    @extend_schema_field(MeetingItemSerializer(many=True))
    def get_items(self, meeting: Meeting) -> list[dict[str, Any]]:
        seen = meetings.meeting_items_for(_viewer(self), meeting)
        return list(MeetingItemSerializer(seen, many=True).data)


class MeetingWriteSerializer(serializers.Serializer):
    """Input for creating (all of it) or changing (``PATCH``, any of it) a meeting; never saves."""

    # A meeting serves at least one neighbourhood (jps.meetings refuses none); the validator puts minItems 1
    # in the schema, so the document says what the server enforces (issue 21).
    neighbourhoods = serializers.ManyRelatedField(
        child_relation=serializers.PrimaryKeyRelatedField(queryset=Neighbourhood.objects.select_related("district")),
        allow_empty=False,
        validators=[MinLengthValidator(1)],
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    title = serializers.CharField(required=False, max_length=200)
    online = serializers.BooleanField(required=False)
    venue = serializers.CharField(required=False, allow_blank=True, max_length=200)
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    online_url = serializers.URLField(required=False, allow_blank=True)
    chair = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    chair_name = serializers.CharField(required=False, allow_blank=True, max_length=160)
    agencies = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), many=True, required=False)
    residents_attending = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100000)
    public_agenda = serializers.CharField(
        max_length=text_limit(Meeting, "public_agenda"), required=False, allow_blank=True
    )
    notes = serializers.CharField(max_length=text_limit(Meeting, "notes"), required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=Meeting.Status.choices, required=False)


class AgreeSerializer(serializers.Serializer):
    neighbourhood = serializers.PrimaryKeyRelatedField(queryset=Neighbourhood.objects.select_related("district"))
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=text_limit(Problem, "description"))
    problem_statement = serializers.CharField(
        max_length=text_limit(Problem, "problem_statement"), required=False, allow_blank=True, default=""
    )
    originator = serializers.CharField(required=False, allow_blank=True, max_length=160, default="")
    public_title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    summary = serializers.CharField(
        max_length=text_limit(MeetingItem, "summary"), required=False, allow_blank=True, default=""
    )
    risk = serializers.ChoiceField(choices=Risk.choices, required=False)
    confirm_new = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The duplicate check runs first: if open problems look like this one the answer is a 400 "
        "naming them (field confirm_new). Adopt one of them instead, or send again with confirm_new true.",
    )


class AdoptSerializer(serializers.Serializer):
    problem = VisibleProblemField()
    summary = serializers.CharField(
        max_length=text_limit(MeetingItem, "summary"), required=False, allow_blank=True, default=""
    )


class CarryOverSerializer(serializers.Serializer):
    problem = VisibleProblemField()
    progress_note = serializers.CharField(max_length=text_limit(MeetingItem, "note"))
    public_response = serializers.CharField(
        max_length=text_limit(MeetingItem, "public_response"), required=False, allow_blank=True, default=""
    )
    propose_public = serializers.BooleanField(required=False, default=False)


class SignOffSerializer(serializers.Serializer):
    problem = VisibleProblemField()
    public_outcome = serializers.CharField(max_length=text_limit(Assessment, "public_outcome"))
    note = serializers.CharField(
        max_length=text_limit(MeetingItem, "note"), required=False, allow_blank=True, default=""
    )
    outcome = serializers.ChoiceField(choices=Assessment.Outcome.choices, required=False)
    reduction_percent = serializers.IntegerField(required=False, min_value=0, max_value=100)
    measure_before = serializers.CharField(required=False, allow_blank=True, max_length=200)
    measure_after = serializers.CharField(required=False, allow_blank=True, max_length=200)
    displacement_checked = serializers.BooleanField(required=False)
    displacement_notes = serializers.CharField(
        max_length=text_limit(Assessment, "displacement_notes"), required=False, allow_blank=True
    )
    objective_met = serializers.CharField(
        max_length=text_limit(Assessment, "objective_met"), required=False, allow_blank=True
    )
    evidence = serializers.CharField(max_length=text_limit(Assessment, "evidence"), required=False, allow_blank=True)


class RaiseSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=text_limit(MeetingItem, "summary"))
    public_response = serializers.CharField(
        max_length=text_limit(MeetingItem, "public_response"), required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(
        max_length=text_limit(MeetingItem, "note"), required=False, allow_blank=True, default=""
    )


class PriorityAwaitingSerializer(serializers.Serializer):
    """A priority agreed at a PACT meeting, waiting for the web editor: the words as they would be published."""

    id = serializers.IntegerField(read_only=True)
    meeting = serializers.IntegerField(source="meeting_id", read_only=True)
    meeting_title = serializers.CharField(source="meeting.title", read_only=True)
    adopted_on = serializers.DateField(source="meeting.date", read_only=True)
    problem = serializers.IntegerField(source="problem_id", read_only=True)
    problem_reference = serializers.CharField(source="problem.reference", read_only=True)
    title = serializers.CharField(source="problem.title", read_only=True)
    public_title = serializers.CharField(source="problem.public_name", read_only=True)
    public_title_cy = serializers.CharField(source="problem.public_title_cy", read_only=True)
    summary = serializers.CharField(read_only=True)
    summary_cy = serializers.CharField(read_only=True)
    recorded_by = serializers.CharField(read_only=True)
    recorded_at = serializers.DateTimeField(read_only=True)


class PriorityDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    public_title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    summary = serializers.CharField(
        max_length=text_limit(MeetingItem, "summary"), required=False, allow_blank=True, default=""
    )
    public_title_cy = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        default="",
        help_text="Needed where the force publishes in Welsh.",
    )
    summary_cy = serializers.CharField(
        max_length=text_limit(MeetingItem, "summary_cy"),
        required=False,
        allow_blank=True,
        default="",
        help_text="Needed where the force publishes in Welsh.",
    )
    reason = serializers.CharField(
        max_length=text_limit(MeetingItem, "reason"),
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when not approving: the officer reads it.",
    )


class StandardSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True)
    last_meeting_at = serializers.DateTimeField(read_only=True, allow_null=True)
    next_meeting_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Neighbourhood
        fields = ["id", "name", "district", "district_name", "last_meeting_at", "next_meeting_at"]


# --- the viewset --------------------------------------------------------------------------------------

_decision = {201: MeetingItemSerializer}


@extend_schema_view(
    list=extend_schema(
        summary="Meetings the user may see, newest first",
        parameters=[
            OpenApiParameter("neighbourhood", OpenApiTypes.INT),
            OpenApiParameter("status", OpenApiTypes.STR, enum=Meeting.Status.values),
            OpenApiParameter("from", OpenApiTypes.DATETIME, description="Starting at or after"),
            OpenApiParameter("to", OpenApiTypes.DATETIME, description="Starting before"),
        ],
    ),
    retrieve=extend_schema(summary="One meeting with what was decided at it (404 if out of sight)"),
    create=extend_schema(request=MeetingWriteSerializer, responses={201: MeetingDetailSerializer}),
    partial_update=extend_schema(request=MeetingWriteSerializer, responses={200: MeetingDetailSerializer}),
)
class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Meetings through ``jps.meetings``; errors, paging, ordering and throttles as the rest of the API."""

    serializer_class = MeetingSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    filter_backends = [filters.StableOrderingFilter]
    ordering_fields = ["starts_at", "created_at", "updated_at"]
    ordering = ["-starts_at"]

    def get_queryset(self) -> QuerySet[Meeting]:
        meetings_ = meetings.meetings_visible_to(self.request.user)
        if self.action != "list":
            return meetings_
        params = self.request.query_params
        if params.get("neighbourhood"):
            if not re.fullmatch(r"[0-9]{1,18}", params["neighbourhood"]):
                raise exceptions.ValidationError({"neighbourhood": "Give a neighbourhood id."})
            meetings_ = meetings_.filter(neighbourhoods=min(int(params["neighbourhood"]), 2**31 - 1))
        if params.get("status"):
            if params["status"] not in Meeting.Status.values:
                raise exceptions.ValidationError({"status": f"One of {', '.join(Meeting.Status.values)}."})
            meetings_ = meetings_.filter(status=params["status"])
        for name, lookup in (("from", "starts_at__gte"), ("to", "starts_at__lt")):
            if params.get(name):
                moment = _parse_moment(params[name], name)
                meetings_ = meetings_.filter(**{lookup: moment})
        return meetings_

    def _detail(self, meeting: Meeting, code: int = 200) -> Response:
        meeting = meetings.meeting_detail(self.request.user, meeting.pk)
        return Response(MeetingDetailSerializer(meeting, context=self.get_serializer_context()).data, status=code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._detail(self.get_object())

    def create(self, request: Request) -> Response:
        data = self.validated(MeetingWriteSerializer)
        meeting = meetings.meeting_create(by=request.user, **data)
        return self._detail(meeting, 201)

    def partial_update(self, request: Request, pk: str) -> Response:
        meeting = self.get_object()
        data = self.validated(MeetingWriteSerializer, partial=True)
        meetings.meeting_update(meeting=meeting, by=request.user, **data)
        return self._detail(meeting)

    def _decide(self, serializer_class: type[serializers.Serializer], service: Any) -> Response:
        meeting = self.get_object()
        data = self.validated(serializer_class)
        item = service(meeting=meeting, by=self.request.user, **data)
        seen = meetings.meeting_items_for(self.request.user, meeting, [item])[0]
        return Response(MeetingItemSerializer(seen).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AgreeSerializer, responses=_decision)
    @action(detail=True, methods=["post"])
    def agree(self, request: Request, pk: str) -> Response:
        """Log a new problem agreed at this meeting as a public priority adopted on the meeting's date."""
        return self._decide(AgreeSerializer, meetings.meeting_agree_new_priority)

    @extend_schema(request=AdoptSerializer, responses=_decision)
    @action(detail=True, methods=["post"])
    def adopt(self, request: Request, pk: str) -> Response:
        """Adopt an existing problem as a public priority, dated the meeting's date."""
        return self._decide(AdoptSerializer, meetings.meeting_adopt_existing)

    @extend_schema(request=CarryOverSerializer, responses=_decision)
    @action(detail=True, methods=["post"], url_path="carry-over")
    def carry_over(self, request: Request, pk: str) -> Response:
        """Carry a priority over to the next meeting, with a progress note."""
        return self._decide(CarryOverSerializer, meetings.meeting_carry_over)

    @extend_schema(request=SignOffSerializer, responses=_decision)
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request: Request, pk: str) -> Response:
        """Sign a priority off as resolved: feeds its assessment and requests a supervisor's closure."""
        return self._decide(SignOffSerializer, meetings.meeting_sign_off)

    @extend_schema(request=RaiseSerializer, responses=_decision)
    @action(detail=True, methods=["post"], url_path="raise")
    def raise_item(self, request: Request, pk: str) -> Response:
        """Record something residents raised that was not made a priority, and the answer given."""
        return self._decide(RaiseSerializer, meetings.meeting_raise)

    @extend_schema(responses={200: PriorityAwaitingSerializer(many=True)})
    @action(detail=False, methods=["get"], url_path="awaiting-approval", pagination_class=None)
    def awaiting_approval(self, request: Request) -> Response:
        """Priorities agreed at PACT meetings waiting for the web editor, oldest first (not yet on the public site)."""
        pending = meetings.priorities_awaiting_approval(user=request.user)[:200]
        return Response(PriorityAwaitingSerializer(pending, many=True).data)

    @extend_schema(
        request=PriorityDecisionSerializer,
        responses={200: MeetingItemSerializer},
        parameters=[OpenApiParameter("item_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["post"], url_path=r"items/(?P<item_id>[0-9]{1,18})/publication")
    def publication(self, request: Request, pk: str, item_id: str) -> Response:
        """The web editor publishes a priority agreed at this meeting (with its public title and summary) or not."""
        meeting = self.get_object()
        try:
            item = meetings.priority_item_for(request.user, meeting=meeting, pk=int(item_id))
        except MeetingItem.DoesNotExist:
            raise exceptions.NotFound("No such priority at this meeting.") from None
        data = self.validated(PriorityDecisionSerializer)
        item = meetings.meeting_priority_decide(item=item, by=request.user, **data)
        seen = meetings.meeting_items_for(request.user, meeting, [item])[0]
        return Response(MeetingItemSerializer(seen).data)

    @extend_schema(responses={200: StandardSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None)
    def standard(self, request: Request) -> Response:
        """Neighbourhoods in the user's districts with no meeting in the last month or none scheduled."""
        failing = meetings.neighbourhoods_failing_meeting_standard(user=request.user)
        return Response(StandardSerializer(failing, many=True).data)


def _parse_moment(value: str, name: str) -> datetime.datetime:
    """A date or date-time from the query string, in UTC (PostgreSQL refuses some offsets Python accepts).

    Anything else is a clear 400.
    """
    try:
        moment = parse_datetime(value) or datetime.datetime.combine(datetime.date.fromisoformat(value), datetime.time())
        moment = moment if moment.tzinfo else timezone.make_aware(moment)
        return moment.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        raise exceptions.ValidationError({name: "Give a date or date-time (ISO 8601)."}) from None
