"""Webhook deliveries as thin Celery tasks calling ``jps.webhooks`` (named, keyword-only, idempotent).

``deliver`` makes one attempt (the claim inside makes a replayed or duplicated task send nothing) and,
when the attempt failed and may be retried, queues itself again after the backoff. ``deliver_due``,
every minute, queues whatever is due and was not queued (the broker was down, a worker died): the
``next_attempt_at`` sweep that makes the countdown a convenience rather than a promise.
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils import timezone

from jps.reminders import parse_now
from jps.reminders.webhooks import action_due_events
from jps.webhooks import selectors, services

from .celery import app
from .jobs import TASK_OPTIONS
from .queue import enqueue

logger = logging.getLogger(__name__)


@app.task(name="webhooks.deliver", **TASK_OPTIONS)
def deliver(*, event_id: str) -> str:
    """One attempt at one delivery; a failure worth retrying is queued again after its backoff."""
    outcome = services.delivery_attempt(event_id=event_id)
    if outcome.retry_in is not None and not app.conf.task_always_eager:
        try:
            deliver.apply_async(kwargs={"event_id": event_id}, countdown=outcome.retry_in)
        except Exception:
            logger.exception("Could not queue the retry of %s; the sweep (deliver_due) will", event_id)
    return outcome.status


@app.task(name="webhooks.deliver_due", **TASK_OPTIONS)
def deliver_due(*, now: str | None = None) -> int:
    """Queue every delivery whose attempt is due: retries, and any never queued."""
    event_ids = selectors.deliveries_due(now=parse_now(now) or timezone.now())
    for event_id in event_ids:
        enqueue(deliver, event_id=event_id)
    return len(event_ids)


@app.task(name="webhooks.action_due", **TASK_OPTIONS)
def action_due(*, now: str | None = None) -> dict[str, Any]:
    """Actions due soon or overdue, once per due date, to their agencies' endpoints."""
    return {"written": action_due_events(now=parse_now(now))}
