"""Hearing back: the emails to residents about their reports, as one thin, idempotent task."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from jps import reminders, services

from .celery import app
from .jobs import TASK_OPTIONS


@app.task(name="residents.send_notices", **TASK_OPTIONS)
def send_resident_notices(*, now: str | None = None) -> dict[str, Any]:
    """Record the acknowledgements, updates, closures and questionnaires due, and send each once."""
    return services.resident_notices_send(now=reminders.parse_now(now))


@app.task(name="residents.team_messages", **TASK_OPTIONS)
def send_team_message_emails(*, now: str | None = None) -> dict[str, Any]:
    """Send the acknowledgements and replies to residents who wrote to their team, each once; then remind
    the team of messages unanswered for 20 hours (``team_message_due``, once per message)."""
    when = reminders.parse_now(now) or timezone.now()
    sent = services.team_message_emails_send(now=when)
    return {"sent": sent, "reminders": services.team_message_reminders_send(now=when)}
