"""Webhooks for partner systems: an agency's endpoints and every delivery made to them.

An endpoint is an agency's address for the events it wants; a delivery is one event for one
endpoint, written in the transaction of the change it reports (an outbox: a rolled-back change
leaves no delivery) and sent by Celery once it commits. Its ``event_id`` is what the receiver
drops duplicates by: a retry, a replayed task or a re-run of the daily job sends the same id.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Event(models.TextChoices):
    ACTION_ASSIGNED = "action.assigned", "An action is given to the agency"
    ACTION_DUE = "action.due", "An action of the agency falls due soon"
    ACTION_OVERDUE = "action.overdue", "An action of the agency is overdue"
    ACTION_TRANSFERRED = "action.transferred", "An action is handed to or from the agency"
    PROBLEM_STAGE_CHANGED = "problem.stage_changed", "A problem the agency takes part in changes stage"
    UPDATE_APPROVED = "update.approved", "A public update on such a problem is approved"
    PING = "ping", "A test delivery"


#: The events an endpoint may subscribe to (a ping is sent on request, to any endpoint).
SUBSCRIBABLE = tuple(e for e in Event.values if e != Event.PING)


class WebhookEndpoint(models.Model):
    """An agency's receiving address, with the secret its deliveries are signed with.

    The secret is made by ``jps.webhooks.services.endpoint_create`` and shown once; the history
    leaves it out, as the user's history leaves out the password.
    """

    agency = models.ForeignKey("jps.Agency", on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500, help_text="Where deliveries are POSTed: https, and a public address.")
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=80, editable=False)
    events = models.JSONField(default=list, help_text="The event types wanted.")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        ordering = ["agency", "id"]
        indexes = [models.Index(fields=["agency", "active"], name="webhook_endpoint_agency")]

    def __str__(self) -> str:
        return f"{self.agency}: {self.url}"

    def wants(self, event: str) -> bool:
        return self.active and event in self.events


class WebhookDelivery(models.Model):
    """One event for one endpoint: its payload, its attempts and how the last one went."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (gave up)"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(unique=True, editable=False, help_text="X-JPS-Delivery: drop a repeated one.")
    event = models.CharField(max_length=32, choices=Event.choices)
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            # The log of one endpoint, newest first.
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
            # The retry queue: what is waiting, by when it is next due.
            models.Index(fields=["next_attempt_at"], name="webhook_delivery_due", condition=Q(status="pending")),
            # Claims left behind by a worker that died mid-send.
            models.Index(fields=["claimed_at"], name="webhook_delivery_claimed", condition=Q(status="sending")),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id} → {self.endpoint_id} ({self.status})"
