"""Messages to a neighbourhood team (issue 20): a reply due within 24 hours, reminded at 20 hours.

A message still waiting 20 hours after it came in reaches the colleague it is assigned to, else the
neighbourhood's officers and PCSOs, else the district's supervisors, else the team's published address:
once per message (the period is the message itself). The worker's ``residents.team_messages`` task
runs this collector every ten minutes, so the reminder comes with four hours still to go. Emails name
the message's reference and neighbourhood, never the sender.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from ..models import Reminder, TeamMessage, User
from ..models.reminders import reminder_item_key
from ..residents.inbox import REMIND_AFTER, STANDARD
from .common import JobResult, Kind, NoProgress, Recipient, _active, _People, _reminded, _unique

PERIOD = "20h"


def _officers(neighbourhood_id: int) -> list[Recipient]:
    officers = User.objects.filter(role=User.Role.OFFICER, neighbourhoods=neighbourhood_id, is_active=True)
    return [Recipient.for_user(u) for u in officers.only("id", "email").order_by("id")]


def team_message_due(now: datetime.datetime, people: _People) -> tuple[QuerySet[Any], Callable[[Any], list[Reminder]]]:
    """Messages unanswered 20 hours after receipt: the assignee, else the team."""
    queryset = (
        TeamMessage.objects.filter(state__in=TeamMessage.WAITING, received_at__lte=now - REMIND_AFTER)
        .exclude(_reminded(Kind.TEAM_MESSAGE_DUE, "team_message", period=PERIOD))
        .select_related("assigned_to", "neighbourhood")
        .order_by()
    )

    def rows(message: TeamMessage) -> list[Reminder]:
        left = message.received_at + STANDARD - now
        hours = max(int(left.total_seconds() // 3600), 0)
        note = f"Message {message.reference} unanswered: {hours} hours left to reply within 24 hours"
        area = message.neighbourhood
        recipients = (
            _active(message.assigned_to)
            or _officers(area.pk)
            or people.supervisors(area.district_id)
            or ([Recipient.for_address(area.team_email)] if area.team_email else [])
        )
        return [
            Reminder(
                kind=Kind.TEAM_MESSAGE_DUE,
                neighbourhood_id=area.pk,
                recipient_id=r.user_id,
                email=r.email,
                item_key=reminder_item_key("team_message", message.pk),
                recipient_key=r.key,
                period_key=PERIOD,
                due_on=timezone.localdate(message.received_at + STANDARD),
                note=note[:200],
            )
            for r in _unique(recipients)
        ]

    return queryset, rows


COLLECTORS = {"team_message_due": team_message_due}


def team_message_reminders_send(*, now: datetime.datetime) -> int:
    """Record the 20-hour reminders now due and send them at once (the every-ten-minutes task).

    Only the people with a ``team_message_due`` reminder unsent get their digest now (with whatever
    else is unsent for them); everyone else's reminders keep to the daily digest and the hourly
    catch-up. Returns how many reminders were recorded.
    """
    from .collectors import collect  # they import this module's collector
    from .delivery import deliver_to

    result = JobResult(job="team_message_due")
    collect("team_message_due", now=now, result=result, progress=NoProgress())
    keys = (
        Reminder.objects.filter(kind=Kind.TEAM_MESSAGE_DUE, sent_at__isnull=True)
        .order_by("recipient_key")
        .values_list("recipient_key", flat=True)
        .distinct()
    )
    for key in list(keys):
        deliver_to(key, result=result)
    return result.reminders
