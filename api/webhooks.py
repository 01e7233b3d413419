"""``/api/webhooks/``: an agency's endpoints for partner systems, a test delivery, and the delivery log.

For administrators (every agency) and an agency's webhook admins (its manager, or staff given "Can
change webhook endpoint"): anyone else gets a 403 on the list and a 404 on any endpoint, and an
agency's admin never sees another agency's endpoints or deliveries (a 404, as for a missing id).
Writes call ``jps.webhooks.services``, which check the permission and the address (https, public).
The secret is in the answer to the create, once, and never again. Mounted by one ``include`` in
``api/urls.py``; docs/api.md has the events, the payloads and how to check a signature.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from jps.models import Agency, WebhookDelivery, WebhookEndpoint
from jps.models.webhooks import SUBSCRIBABLE
from jps.webhooks import selectors, services
from jps.webhooks.rules import manages_webhooks

from .base import BaseViewSet


class EventsField(serializers.ListField):
    """The event types wanted: an unknown one is named in a flat message, with the choices."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "The event types wanted.")
        messages = {"min_length": "Choose at least one event.", **kwargs.pop("error_messages", {})}
        super().__init__(
            child=serializers.ChoiceField(choices=SUBSCRIBABLE), min_length=1, error_messages=messages, **kwargs
        )

    def to_internal_value(self, data: Any) -> list[Any]:
        if isinstance(data, list) and (unknown := sorted({str(e) for e in data} - set(SUBSCRIBABLE))):
            choices = ", ".join(SUBSCRIBABLE)
            raise serializers.ValidationError(f"Unknown event type: {', '.join(unknown)}. Choose from: {choices}.")
        return list(super().to_internal_value(data))


# --- serializers -------------------------------------------------------------------------------


class WebhookEndpointSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    events = serializers.ListField(child=serializers.ChoiceField(choices=SUBSCRIBABLE), read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "agency", "agency_name", "url", "description", "events", "active", "created_at", "updated_at"]
        read_only_fields = fields


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown once, now: keep it to check signatures.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointWriteSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500, help_text="https, and a public address.")
    events = EventsField()
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, help_text="Administrators only; default: your agency."
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    active = serializers.BooleanField(required=False, default=True)


class WebhookEndpointUpdateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500, required=False)
    events = serializers.ListField(child=serializers.ChoiceField(choices=SUBSCRIBABLE), min_length=1, required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event",
            "status",
            "attempts",
            "created_at",
            "last_attempt_at",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "delivered_at",
            "payload",
        ]
        read_only_fields = fields


# --- the viewset -------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Your agency's webhook endpoints"),
    retrieve=extend_schema(summary="One endpoint (never its secret)"),
    create=extend_schema(request=WebhookEndpointWriteSerializer, responses={201: WebhookEndpointCreatedSerializer}),
    partial_update=extend_schema(request=WebhookEndpointUpdateSerializer, responses={200: WebhookEndpointSerializer}),
    destroy=extend_schema(summary="Remove an endpoint and its delivery log"),
)
class WebhookEndpointViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, BaseViewSet):
    serializer_class = WebhookEndpointSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if self.action in ("list", "create") and not manages_webhooks(request.user):
            raise PermissionDenied("Only your agency's webhook administrators manage its endpoints.")

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return selectors.endpoints_visible_to(self.request.user).order_by("id")

    def create(self, request: Request) -> Response:
        endpoint = services.endpoint_create(by=request.user, **self.validated(WebhookEndpointWriteSerializer))
        return self.respond(WebhookEndpointCreatedSerializer, endpoint, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        endpoint = self.get_object()
        data = self.validated(WebhookEndpointUpdateSerializer)
        services.endpoint_update(endpoint=endpoint, by=request.user, **data)
        return self.respond(WebhookEndpointSerializer, endpoint)

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        services.endpoint_delete(endpoint=instance, by=self.request.user)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str) -> Response:
        """Send a ``ping`` event to the endpoint now (whatever its events): the answer is in its log."""
        delivery = services.ping_send(endpoint=self.get_object(), by=request.user)
        return self.respond(WebhookDeliverySerializer, delivery, status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: WebhookDeliverySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str) -> Response:
        """The endpoint's delivery log, newest first: each event's status, attempts and last answer."""
        page = self.paginate_queryset(selectors.deliveries_of(self.get_object()))
        data = WebhookDeliverySerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)


router = DefaultRouter()
router.include_root_view = False
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
urlpatterns = router.urls
