"""Hearing back: the emails to residents about their reports, as one thin, idempotent task."""

from __future__ import annotations

from typing import Any

from jps import reminders, services

from .celery import app
from .jobs import TASK_OPTIONS


@app.task(name="residents.send_notices", **TASK_OPTIONS)
def send_resident_notices(*, now: str | None = None) -> dict[str, Any]:
    """Record the acknowledgements, updates, closures and questionnaires due, and send each once."""
    return services.resident_notices_send(now=reminders.parse_now(now))
