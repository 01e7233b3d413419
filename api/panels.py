"""``/api/panels/``: multi-agency case panels, their agenda (built by JPS) and the minutes at the table.

Thin like the rest of the API: reads start from ``jps.selectors.panels_visible_to`` (a panel out of
sight is a 404), and a panel's ``items`` are only the cases the reader takes part in
(``selectors.panel_minutes``: problems by ``problem_ids_visible_to``, case reviews by
``case_review_scope_q``), with ``other_items`` the number left out. Writes call ``jps.services``,
which check ``jps.rules``. An item not among the reader's is a 404 too. Mounted by one ``include``
in ``api/urls.py``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from jps import selectors, services
from jps.models import Action, Agency, District, Panel, PanelAction, PanelItem, User

from .base import BaseViewSet

# --- serializers -------------------------------------------------------------------------------


class PanelActionSerializer(serializers.ModelSerializer):
    problem = serializers.IntegerField(source="action.problem_id")
    description = serializers.CharField(source="action.description")
    agency = serializers.IntegerField(source="action.agency_id")
    agency_name = serializers.CharField(source="action.agency.name")
    assignee = serializers.IntegerField(source="action.assignee_id", allow_null=True)
    due_on = serializers.DateField(source="action.due_on", allow_null=True)
    status = serializers.CharField(source="action.status")

    class Meta:
        model = PanelAction
        fields = ["id", "action", "problem", "description", "agency", "agency_name", "assignee", "due_on", "status",
                  "taken_by", "taken_at"]  # fmt: skip
        read_only_fields = fields


class PanelItemSerializer(serializers.ModelSerializer):
    problem_reference = serializers.CharField(source="problem.reference", allow_null=True, default=None)
    case_review_reference = serializers.CharField(source="case_review.reference", allow_null=True, default=None)
    victim_name = serializers.CharField(source="victim.person.name", allow_null=True, default=None)
    actions_taken = PanelActionSerializer(many=True, read_only=True)

    class Meta:
        model = PanelItem
        fields = ["id", "position", "reason", "problem", "problem_reference", "case_review",
                  "case_review_reference", "victim", "victim_name", "action", "decision", "decided_by", "decided_at",
                  "actions_taken"]  # fmt: skip
        read_only_fields = fields


class PanelSerializer(serializers.ModelSerializer):
    district_name = serializers.CharField(source="district.name", read_only=True)

    class Meta:
        model = Panel
        fields = ["id", "district", "district_name", "kind", "title", "starts_at", "online", "venue", "chair",
                  "agencies", "status", "agenda_built_at", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields


class PanelDetailSerializer(PanelSerializer):
    items = serializers.SerializerMethodField(help_text="The agenda: the cases you take part in, in order.")
    other_items = serializers.SerializerMethodField(help_text="Items about cases you take no part in (not shown).")

    class Meta(PanelSerializer.Meta):
        fields = [*PanelSerializer.Meta.fields, "items", "other_items"]
        read_only_fields = fields

    def _minutes(self, obj: Panel) -> selectors.Minutes:
        cache = self.context.setdefault("minutes", {})
        if obj.pk not in cache:
            cache[obj.pk] = selectors.panel_minutes(self.context["request"].user, obj)
        return cache[obj.pk]  # type: ignore[no-any-return]

    @extend_schema_field(PanelItemSerializer(many=True))
    def get_items(self, obj: Panel) -> list[dict[str, Any]]:
        return list(PanelItemSerializer(self._minutes(obj).items, many=True).data)

    def get_other_items(self, obj: Panel) -> int:
        return self._minutes(obj).others


class PanelWriteSerializer(serializers.Serializer):
    district = serializers.PrimaryKeyRelatedField(queryset=District.objects.all())
    kind = serializers.ChoiceField(choices=Panel.Kind.choices, required=False, default=Panel.Kind.ASB_RISK)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    starts_at = serializers.DateTimeField()
    online = serializers.BooleanField(required=False, default=False)
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    chair = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False,
                                               allow_null=True)  # fmt: skip
    agencies = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), many=True, required=False)


class PanelUpdateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Panel.Kind.choices, required=False)
    title = serializers.CharField(max_length=200, required=False)
    starts_at = serializers.DateTimeField(required=False)
    online = serializers.BooleanField(required=False)
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=Panel.Status.choices, required=False)
    agencies = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), many=True, required=False)


class PanelItemRefSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="The agenda item (one you take part in).")


class PanelDecisionSerializer(PanelItemRefSerializer):
    decision = serializers.CharField(max_length=5000)


class PanelActionTakeSerializer(PanelItemRefSerializer):
    description = serializers.CharField(max_length=5000)
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False,
                                                  allow_null=True)  # fmt: skip
    due_on = serializers.DateField()
    action_type = serializers.ChoiceField(choices=Action.Type.choices, required=False, default=Action.Type.PREVENTION)
    problem = serializers.IntegerField(required=False, help_text="For a case review's item: one of its problems.")


# --- the viewset -------------------------------------------------------------------------------

_DETAIL = {200: PanelDetailSerializer}


@extend_schema_view(
    list=extend_schema(summary="Case panels you take part in"),
    retrieve=extend_schema(summary="One panel with the agenda items about cases you take part in"),
    create=extend_schema(request=PanelWriteSerializer, responses={201: PanelDetailSerializer}),
    partial_update=extend_schema(request=PanelUpdateSerializer, responses=_DETAIL),
)
class PanelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    serializer_class = PanelSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Panel]:
        return selectors.panels_visible_to(self.request.user)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.respond(PanelDetailSerializer, self.get_object())

    def create(self, request: Request) -> Response:
        panel = services.panel_create(by=request.user, **self.validated(PanelWriteSerializer))
        return self.respond(PanelDetailSerializer, panel, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        panel = self.get_object()
        services.panel_update(panel=panel, by=request.user, **self.validated(PanelUpdateSerializer))
        return self.respond(PanelDetailSerializer, self.get_queryset().get(pk=panel.pk))

    def _item(self, panel: Panel, pk: int) -> PanelItem:
        """An item of this panel among the reader's cases; any other is a 404, as an unseen panel is."""
        for item in selectors.panel_minutes(self.request.user, panel).items:
            if item.pk == pk:
                return item
        raise NotFound()

    @extend_schema(request=None, responses=_DETAIL)
    @action(detail=True, methods=["post"])
    def agenda(self, request: Request, pk: str) -> Response:
        """Build the agenda from the area's records on the panel's date (again: adds only what is new)."""
        panel = self.get_object()
        services.panel_agenda_build(panel=panel, by=request.user)
        return self.respond(PanelDetailSerializer, panel)

    @extend_schema(request=PanelDecisionSerializer, responses=_DETAIL)
    @action(detail=True, methods=["post"])
    def decisions(self, request: Request, pk: str) -> Response:
        """Record what the table decided about one agenda item."""
        panel = self.get_object()
        data = self.validated(PanelDecisionSerializer)
        services.panel_decide(item=self._item(panel, data["item"]), by=request.user, decision=data["decision"])
        return self.respond(PanelDetailSerializer, panel)

    @extend_schema(request=PanelActionTakeSerializer, responses={201: PanelDetailSerializer})
    @action(detail=True, methods=["post"])
    def actions(self, request: Request, pk: str) -> Response:
        """An agency takes an action at the table: an owned, dated action on the item's problem."""
        panel = self.get_object()
        data = self.validated(PanelActionTakeSerializer)
        item = self._item(panel, data.pop("item"))
        problem = None
        if "problem" in data:
            problem = selectors.problems_visible_to(request.user).filter(pk=data.pop("problem")).first()
            if problem is None:
                raise NotFound()
        services.panel_action_take(item=item, by=request.user, problem=problem, **data)
        return self.respond(PanelDetailSerializer, panel, status.HTTP_201_CREATED)


router = DefaultRouter()
router.include_root_view = False
router.register("panels", PanelViewSet, basename="panel")
urlpatterns = router.urls
