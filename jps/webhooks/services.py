"""Writes on webhooks: endpoints, the events the domain services report, and each delivery's attempts.

The domain services call the ``*_emit`` functions in their own transaction (after the change they
report): each writes one ``WebhookDelivery`` per active endpoint that wants the event, of the agencies
allowed to see the problem (``rules.agency_ids_seeing``), and queues its sending for when the
transaction commits. A change that rolls back leaves no delivery; one that commits has its deliveries
even if the broker is down (the sweep, ``deliveries_due``, sends them). With no endpoint wanting the
event, an emit costs one query and builds no payload.
"""

from __future__ import annotations

import datetime
import logging
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ..base import require, save
from ..models import Action, Agency, Problem, ProgressUpdate, StageChange, Transfer, User
from ..models.webhooks import SUBSCRIBABLE, Event, WebhookDelivery, WebhookEndpoint
from ..security import attribute_change
from . import payloads
from .addresses import url_refusal
from .rules import agency_ids_seeing
from .signing import Answer, body_of, post, signature

logger = logging.getLogger(__name__)

Status = WebhookDelivery.Status

#: Event ids made from a key (the due events) are the same on every run: uuid5 in this namespace.
EVENT_NAMESPACE = uuid.UUID("6f1d7c1e-3b9a-4c55-9d0e-6a8f2a0b7c11")


def max_attempts() -> int:
    return int(getattr(settings, "WEBHOOK_MAX_ATTEMPTS", 8))


def retry_base_seconds() -> float:
    """The first retry's wait; each next one doubles (60 s, 2, 4 ... 64 min: about two hours in all)."""
    return float(getattr(settings, "WEBHOOK_RETRY_BASE_SECONDS", 60))


def timeout_seconds() -> float:
    return float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10))


def claim_timeout() -> datetime.timedelta:
    """A claim older than this was left by a worker that died mid-send: the delivery is taken again."""
    return datetime.timedelta(seconds=max(60.0, 6 * timeout_seconds()))


def backoff(attempts: int) -> float:
    return float(min(retry_base_seconds() * 2 ** max(attempts - 1, 0), 6 * 3600))


# --- endpoints ------------------------------------------------------------------------------------


def _checked(url: str | None, events: Any) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if url is not None and (refusal := url_refusal(url)):
        errors["url"] = [refusal]
    if events is not None:
        unknown = sorted({str(e) for e in events} - set(SUBSCRIBABLE)) if isinstance(events, list) else ["?"]
        if unknown:
            errors["events"] = [f"Unknown event type: {', '.join(unknown)}. Choose from: {', '.join(SUBSCRIBABLE)}."]
        elif not events:
            errors["events"] = ["Choose at least one event."]
    return errors


@transaction.atomic
def endpoint_create(
    *,
    by: User,
    url: str,
    events: list[str],
    agency: Agency | None = None,
    description: str = "",
    active: bool = True,
) -> WebhookEndpoint:
    """Register an agency's endpoint (the caller's own agency unless an administrator names one).

    The secret is made here and is readable on the returned object only: the API shows it once.
    """
    agency = agency or by.agency
    if agency is None:
        raise ValidationError({"agency": ["Choose the agency the endpoint is for."]})
    require(by, "jps.manage_webhooks", agency)
    if errors := _checked(url, events):
        raise ValidationError(errors)
    endpoint = WebhookEndpoint(
        agency=agency,
        url=url,
        events=sorted(set(events)),
        description=description,
        active=active,
        created_by=by,
        secret=f"whsec_{secrets.token_urlsafe(32)}",
    )
    save(endpoint, by=by, reason="Registered")
    return endpoint


ENDPOINT_FIELDS = ("url", "events", "description", "active")


@transaction.atomic
def endpoint_update(*, endpoint: WebhookEndpoint, by: User, **fields: Any) -> WebhookEndpoint:
    require(by, "jps.manage_webhooks", endpoint)
    unknown = sorted(set(fields) - set(ENDPOINT_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, ["This field cannot be changed."]))
    if errors := _checked(fields.get("url"), fields.get("events")):
        raise ValidationError(errors)
    if "events" in fields:
        fields["events"] = sorted(set(fields["events"]))
    for name, value in fields.items():
        setattr(endpoint, name, value)
    save(endpoint, by=by, update_fields=fields)
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint, by: User) -> None:
    """Remove an endpoint and its delivery log (the endpoint's history keeps that it existed)."""
    require(by, "jps.manage_webhooks", endpoint)
    attribute_change(endpoint, by=by, reason="Deleted")
    endpoint.delete()


@transaction.atomic
def ping_send(*, endpoint: WebhookEndpoint, by: User) -> WebhookDelivery:
    """A test delivery to one endpoint, whatever its events and even when switched off."""
    require(by, "jps.manage_webhooks", endpoint)
    payload = {"endpoint": endpoint.pk, "agency": endpoint.agency_id, "message": "Test delivery from JPS."}
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event=Event.PING, event_id=uuid.uuid4(), payload=payload
    )
    _send_soon([delivery.event_id])
    return delivery


# --- events ---------------------------------------------------------------------------------------


def event_emit(
    *,
    event: str,
    problem: Problem,
    agency_ids: Iterable[int | None],
    payload: Callable[[], dict[str, Any]],
    key: str = "",
) -> list[WebhookDelivery]:
    """One delivery of ``event`` per endpoint that wants it, of those of ``agency_ids`` that see ``problem``.

    ``key`` names the occurrence for events found by a periodic job (``action.due:<id>:<due date>``):
    the event id is then made from it, so a re-run finds the deliveries already written and adds none.
    """
    wanted = {a for a in agency_ids if a is not None}
    endpoints = [e for e in WebhookEndpoint.objects.filter(active=True, agency_id__in=wanted) if e.wants(event)]
    if endpoints:
        seeing = agency_ids_seeing(problem)
        endpoints = [e for e in endpoints if e.agency_id in seeing]
    if not endpoints:
        return []
    data = payload()
    rows = [
        WebhookDelivery(
            endpoint=e,
            event=event,
            payload=data,
            event_id=uuid.uuid5(EVENT_NAMESPACE, f"{e.pk}:{key}") if key else uuid.uuid4(),
        )
        for e in endpoints
    ]
    if key:
        written = set(
            WebhookDelivery.objects.filter(event_id__in=[r.event_id for r in rows]).values_list("event_id", flat=True)
        )
        rows = [r for r in rows if r.event_id not in written]
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=bool(key))
    _send_soon([r.event_id for r in rows])
    return rows


def action_assigned_emit(*, action: Action) -> None:
    """An action given to an agency (planned for it), to that agency."""
    event_emit(
        event=Event.ACTION_ASSIGNED,
        problem=action.problem,
        agency_ids=[action.agency_id],
        payload=lambda: payloads.action_payload(action),
    )


def action_transferred_emit(*, transfer: Transfer) -> None:
    """An action handed from one agency to another, to both (each still sees the problem)."""
    event_emit(
        event=Event.ACTION_TRANSFERRED,
        problem=transfer.problem,
        agency_ids=[transfer.from_agency_id, transfer.to_agency_id],
        payload=lambda: payloads.transfer_payload(transfer),
    )


def stage_changed_emit(*, problem: Problem, change: StageChange) -> None:
    """A problem's move to another stage, to the agencies leading it and taking part."""
    event_emit(
        event=Event.PROBLEM_STAGE_CHANGED,
        problem=problem,
        agency_ids=agency_ids_seeing(problem),
        payload=lambda: payloads.stage_change_payload(problem, change),
    )


def update_approved_emit(*, update: ProgressUpdate) -> None:
    """A public update approved by a web editor, to the agencies leading the problem and taking part."""
    event_emit(
        event=Event.UPDATE_APPROVED,
        problem=update.problem,
        agency_ids=agency_ids_seeing(update.problem),
        payload=lambda: payloads.update_payload(update),
    )


def action_due_emit(*, action: Action, today: datetime.date) -> int:
    """An open action due soon, or overdue: once per due date for each (as the reminders are)."""
    assert action.due_on is not None
    event = Event.ACTION_OVERDUE if action.due_on < today else Event.ACTION_DUE
    rows = event_emit(
        event=event,
        problem=action.problem,
        agency_ids=[action.agency_id],
        payload=lambda: payloads.action_payload(action),
        key=f"{event}:{action.pk}:{action.due_on.isoformat()}",
    )
    return len(rows)


def _send_soon(event_ids: list[uuid.UUID]) -> None:
    """Queue each delivery's sending once the transaction commits (never failing the write)."""
    from tasks.queue import enqueue_on_commit
    from tasks.webhooks import deliver

    for event_id in event_ids:
        enqueue_on_commit(deliver, event_id=str(event_id))


# --- delivery -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: str  # "skipped" (someone else has it, or it is done), or the delivery's status after the attempt
    retry_in: float | None = None


def _claim(event_id: str, now: datetime.datetime) -> bool:
    """Take the delivery for one attempt: a conditional UPDATE, so two workers never both send it."""
    ready = Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, claimed_at__lt=now - claim_timeout()
    )
    taken = WebhookDelivery.objects.filter(ready, event_id=event_id).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return taken == 1


def envelope(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": str(delivery.event_id),
        "type": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }


def _send(delivery: WebhookDelivery, now: datetime.datetime) -> Answer:
    endpoint = delivery.endpoint
    if refusal := url_refusal(endpoint.url):
        return Answer(None, f"Not sent: {refusal}")
    timestamp = int(now.timestamp())
    body = body_of(envelope(delivery))
    headers = {
        "X-JPS-Event": delivery.event,
        "X-JPS-Delivery": str(delivery.event_id),
        "X-JPS-Timestamp": str(timestamp),
        "X-JPS-Signature": signature(endpoint.secret, timestamp, body),
        "X-JPS-Attempt": str(delivery.attempts),
    }
    return post(endpoint.url, body=body, headers=headers, timeout=timeout_seconds())


def delivery_attempt(*, event_id: str, now: datetime.datetime | None = None) -> Outcome:
    """Claim one delivery, send it signed, and record the answer: delivered, a retry later, or failed.

    A delivery already delivered or failed, or held by another worker, is not sent (a replayed
    task sends nothing). Any 2xx is delivered; anything else (another code, a timeout, a refused
    address) is retried after ``backoff`` until ``max_attempts``, then marked failed. A switched-off
    endpoint fails its deliveries at once, except a ping.
    """
    now = now or timezone.now()
    if not _claim(event_id, now):
        return Outcome("skipped")
    delivery = WebhookDelivery.objects.select_related("endpoint").get(event_id=event_id)
    switched_off = not delivery.endpoint.active and delivery.event != Event.PING
    answer = Answer(None, "The endpoint is switched off.") if switched_off else _send(delivery, now)
    done = timezone.now()
    fields: dict[str, Any] = {
        "last_attempt_at": done,
        "last_status_code": answer.status_code,
        "last_error": answer.error[:300],
        "claimed_at": None,
    }
    retry_in = None
    if answer.ok:
        fields.update(status=Status.DELIVERED, delivered_at=done, next_attempt_at=None, last_error="")
    elif switched_off or delivery.attempts >= max_attempts():
        fields.update(status=Status.FAILED, next_attempt_at=None)
    else:
        retry_in = backoff(delivery.attempts)
        fields.update(status=Status.PENDING, next_attempt_at=done + datetime.timedelta(seconds=retry_in))
    WebhookDelivery.objects.filter(pk=delivery.pk, status=Status.SENDING, claimed_at=now).update(**fields)
    if not answer.ok:
        logger.info(
            "Webhook %s to endpoint %s: attempt %s failed (%s %s)",
            event_id,
            delivery.endpoint_id,
            delivery.attempts,
            answer.status_code,
            answer.error,
        )
    return Outcome(fields["status"], retry_in)
