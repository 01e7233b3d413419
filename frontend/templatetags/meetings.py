"""``{% meeting_standard_panel %}``: the neighbourhoods missing the monthly meeting standard, on a supervisor's page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from jps import meetings

register = template.Library()


@register.inclusion_tag("frontend/meetings/standard_panel.html", takes_context=True)
def meeting_standard_panel(context: dict[str, Any]) -> dict[str, Any]:
    """Shown to supervisors (and administrators): one aggregate query over their districts."""
    user = context["user"]
    if not (user.is_authenticated and (user.role == user.Role.SUPERVISOR or user.is_administrator)):
        return {"show": False}
    now = timezone.now()
    failing = list(meetings.neighbourhoods_failing_meeting_standard(user=user, now=now)[:100])
    return {"show": True, "failing": failing, "month_ago": meetings.month_before(now)}
