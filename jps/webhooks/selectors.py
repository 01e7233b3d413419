"""Reads on webhooks: the endpoints a user manages, an endpoint's delivery log, and the retry queue."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet

from ..models.webhooks import WebhookDelivery, WebhookEndpoint
from .rules import webhook_scope_q
from .services import claim_timeout

Status = WebhookDelivery.Status


def endpoints_visible_to(user: Any) -> QuerySet[WebhookEndpoint]:
    """The endpoints ``user`` manages: an administrator every agency's, an agency's webhook admin its own."""
    return WebhookEndpoint.objects.filter(webhook_scope_q(user)).select_related("agency")


def deliveries_of(endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """An endpoint's delivery log, newest first (``webhook_delivery_log``)."""
    return WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id")


def deliveries_visible_to(user: Any) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint__in=endpoints_visible_to(user).values("pk"))


def deliveries_due(*, now: datetime.datetime, limit: int = 500) -> list[str]:
    """Event ids of deliveries whose attempt is due (a retry, one never queued) or whose claim went stale."""
    due = Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, claimed_at__lt=now - claim_timeout()
    )
    ids = WebhookDelivery.objects.filter(due).order_by("next_attempt_at").values_list("event_id", flat=True)
    return [str(i) for i in ids[:limit]]
