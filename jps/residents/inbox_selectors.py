"""Reads of residents' messages to their neighbourhood team: every one through ``team_message_scope_q``.

And the Policing Pledge's measure of them (commitment 4, a reply within 24 hours):
``team_messages_answered_within`` for any set of neighbourhoods (the Pledge page, the dashboard).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from ..models import Neighbourhood, TeamMessage
from .inbox import STANDARD
from .inbox_rules import team_message_scope_q

State = TeamMessage.State

#: The inbox's views: what each shows of the team's messages.
INBOX_VIEWS = {
    "waiting": "Waiting for a reply",
    "new": "New",
    "assigned": "Assigned",
    "mine": "Assigned to me",
    "answered": "Answered",
    "closed": "Closed",
}


def team_messages_visible_to(user: Any) -> QuerySet[TeamMessage]:
    return TeamMessage.objects.filter(team_message_scope_q(user)).select_related(
        "neighbourhood", "neighbourhood__district", "assigned_to", "answered_by", "closed_by"
    )


def team_message_inbox(*, user: Any, view: str = "waiting", neighbourhood: int | None = None) -> QuerySet[TeamMessage]:
    """One view of the team's inbox; messages waiting come oldest first (the standard runs from receipt)."""
    messages = team_messages_visible_to(user)
    if neighbourhood is not None:
        messages = messages.filter(neighbourhood_id=neighbourhood)
    if view == "new":
        return messages.filter(state=State.NEW).order_by("received_at", "id")
    if view == "assigned":
        return messages.filter(state=State.ASSIGNED).order_by("received_at", "id")
    if view == "mine":
        return messages.filter(state__in=TeamMessage.WAITING, assigned_to=user).order_by("received_at", "id")
    if view == "answered":
        return messages.filter(state=State.ANSWERED).order_by("-first_response_at", "-id")
    if view == "closed":
        return messages.filter(state=State.CLOSED).order_by("-closed_at", "-id")
    return messages.filter(state__in=TeamMessage.WAITING).order_by("received_at", "id")


def team_messages_waiting_count(*, user: Any) -> int:
    """How many of the team's messages wait for a reply ("My work" shows it)."""
    return TeamMessage.objects.filter(team_message_scope_q(user), state__in=TeamMessage.WAITING).count()


def team_message_neighbourhoods(*, user: Any) -> QuerySet[Neighbourhood]:
    """The neighbourhoods whose messages ``user`` handles (the inbox's filter)."""
    return Neighbourhood.objects.filter(pk__in=team_messages_visible_to(user).values("neighbourhood_id")).order_by(
        "name"
    )


def due_by(message: TeamMessage) -> datetime.datetime:
    """When the 24-hour standard runs out for ``message``."""
    return message.received_at + STANDARD


def counted_q(now: datetime.datetime) -> Q:
    """Messages the standard counts, as of ``now``: answered, or unanswered with their 24 hours gone.

    Spam and duplicates closed without a reply never count; a message still inside its 24 hours
    with no reply yet counts neither way.
    """
    genuine = ~Q(state=State.CLOSED, close_reason__in=TeamMessage.NOT_COUNTED)
    return genuine & (Q(first_response_at__isnull=False) | Q(received_at__lte=now - STANDARD))


def in_time_q() -> Q:
    """Answered (first reply written) within 24 hours of receipt."""
    return Q(first_response_at__isnull=False, first_response_at__lte=F("received_at") + STANDARD)


def team_messages_answered_within(
    *,
    neighbourhoods: Iterable[Neighbourhood | int] | QuerySet[Neighbourhood],
    since: datetime.datetime,
    until: datetime.datetime,
    now: datetime.datetime | None = None,
) -> tuple[int, int]:
    """Messages received in ``[since, until)`` in ``neighbourhoods``: (answered within 24 hours, counted).

    "Counted" is ``counted_q``: answered, or with 24 hours gone by ``now`` (default: the present)
    unanswered; spam and duplicates left out. One aggregate query (``team_message_received`` index).
    """
    now = now or timezone.now()
    ids = neighbourhoods if isinstance(neighbourhoods, QuerySet) else [getattr(n, "pk", n) for n in neighbourhoods]
    counts = TeamMessage.objects.filter(neighbourhood__in=ids, received_at__gte=since, received_at__lt=until).aggregate(
        total=Count("pk", filter=counted_q(now)), in_time=Count("pk", filter=counted_q(now) & in_time_q())
    )
    return int(counts["in_time"] or 0), int(counts["total"] or 0)
