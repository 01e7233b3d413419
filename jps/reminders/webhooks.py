"""Actions due soon and overdue, for the agencies' webhooks: once per due date, like the reminders.

The same window as the action reminders (``REMINDER_ACTION_DUE_SOON_DAYS``; open actions on open
problems), but only for agencies with an active endpoint, and recorded as deliveries rather than
``Reminder`` rows: each event's id is made from the action and its due date, so the daily job, a
re-run or a retry writes each event once (``jps.webhooks.services.action_due_emit``). An action whose
due date moves is due again for the new date.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from ..models import OPEN_STAGES, Action, WebhookEndpoint
from ..webhooks.services import action_due_emit
from .common import action_due_soon_days


def action_due_events(*, now: datetime.datetime | None = None) -> int:
    """Write the due and overdue events not written yet; the number written."""
    today = timezone.localdate(now or timezone.now())
    agencies = WebhookEndpoint.objects.filter(active=True).values("agency_id")
    actions = (
        Action.objects.filter(
            status__in=Action.OPEN_STATUSES,
            due_on__lte=today + datetime.timedelta(days=action_due_soon_days()),
            problem__stage__in=OPEN_STAGES,
            agency_id__in=agencies,
        )
        .select_related("problem", "agency", "assignee")
        .order_by("due_on", "id")
    )
    return sum(action_due_emit(action=action, today=today) for action in actions.iterator(chunk_size=200))
