"""Messages answered within 24 hours, by district: the dashboard's figure for Policing Pledge commitment 4.

Messages residents sent to their neighbourhood team in the last 90 days (to yesterday), counted as
``jps.residents.inbox_selectors`` counts them for the Pledge page: answered, or unanswered with their 24
hours gone; spam and duplicates closed without a reply left out. One query: each district in the
user's scope with its counts as subqueries (``team_message_received`` index).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from ..models import TeamMessage
from ..residents.inbox_selectors import counted_q, in_time_q
from .contact_figures import _count, contact_figure_districts
from .figure import Cell, Figure

MESSAGE_PERIOD_DAYS = 90


def messages_answered_by_district(*, user: Any, now: datetime.datetime | None = None) -> Figure:
    """Per district: messages counted, answered within 24 hours, answered later, not answered; the share in time."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = today - datetime.timedelta(days=MESSAGE_PERIOD_DAYS)
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(today, datetime.time.min, tzinfo=tz)
    counted = TeamMessage.objects.filter(received_at__gte=since, received_at__lt=until).filter(counted_q(now))
    key = "neighbourhood__district"
    grouped = (
        contact_figure_districts(user)
        .annotate(
            counted=_count(counted, key),
            in_time=_count(counted.filter(in_time_q()), key),
            answered=_count(counted.filter(first_response_at__isnull=False), key),
        )
        .filter(Q(counted__gt=0))
        .order_by("name", "pk")
        .values_list("name", "counted", "in_time", "answered")
    )
    rows: list[tuple[Cell, ...]] = [
        (name, total, in_time, answered - in_time, total - answered, round(100.0 * in_time / total, 1))
        for name, total, in_time, answered in grouped
    ]
    end = today - datetime.timedelta(days=1)
    return Figure(
        slug="messages-answered",
        title="Messages to neighbourhood teams answered within 24 hours",
        columns=(
            "District",
            "Messages",
            "Answered within 24 hours",
            "Answered later",
            "Not answered",
            "Within 24 hours (%)",
        ),
        rows=rows,
        value_column=5,
        total=sum(int(r[1] or 0) for r in rows),
        extra={"in_time": sum(int(r[2] or 0) for r in rows)},
        note=(
            f"Messages residents sent through the contact form from {start:%d %B %Y} to {end:%d %B %Y}; answered "
            "means the team's first reply was written within 24 hours of the message coming in. Spam and "
            "duplicates closed without a reply are left out, and so is a message still inside its 24 hours."
        ),
    )
