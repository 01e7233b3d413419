"""Meeting panels on "My work": the neighbourhoods missing the monthly meeting standard (a supervisor's), and the
PACT priorities waiting for the web editor (``{% priorities_awaiting_panel %}``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from jps import meetings

from ..views.common import HOME_LIMIT

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


@register.inclusion_tag("frontend/meetings/priorities_panel.html", takes_context=True)
def priorities_awaiting_panel(context: dict[str, Any]) -> dict[str, Any]:
    """Shown to web editors (and administrators): each priority's card, with its words as they will be published."""
    from ..meetings import priority_decide_form

    user = context["user"]
    if not (user.is_authenticated and (user.role == user.Role.WEB_EDITOR or user.is_administrator)):
        return {"show": False}
    pending = list(meetings.priorities_awaiting_approval(user=user)[:HOME_LIMIT])
    return {"show": True, "pending": [(item, priority_decide_form(item)) for item in pending]}
