"""The webhook endpoints and their delivery log in the Django admin (registered by ``jps.admin``).

The secret is never shown (the API shows it once, when the endpoint is registered); deliveries are
read-only: they are the record of what was sent. The address and events are changed through the API,
where they are checked; here an administrator may switch an endpoint off.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from ..models.webhooks import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(SimpleHistoryAdmin):
    list_display = ["agency", "url", "active", "created_at"]
    list_filter = ["active", "agency"]
    search_fields = ["url", "agency__name"]
    fields = ["agency", "url", "description", "events", "active", "created_by", "created_at"]
    readonly_fields = ["agency", "url", "events", "created_by", "created_at"]  # changed through the API, checked

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # registered through the API, which makes the secret and shows it once


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "endpoint", "status", "attempts", "last_status_code", "delivered_at"]
    list_filter = ["status", "event", "endpoint__agency"]
    search_fields = ["event_id"]
    list_select_related = ["endpoint", "endpoint__agency"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
