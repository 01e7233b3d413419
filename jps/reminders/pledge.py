"""The Pledge (issue 20): a month a neighbourhood missed a commitment, not yet explained, reaches its supervisors.

Once per miss: the item is the neighbourhood, the period ``<month>:<commitment>``. Only the last
complete month is asked about, in one go for every neighbourhood (the commitments' few aggregate
queries, then one query for the misses already reminded); the supervisor's "My work" lists every
unexplained miss of the last twelve months whatever the reminders.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from ..models import Neighbourhood, Reminder
from ..models.reminders import reminder_item_key
from ..pledge.commitments import Commitment
from ..pledge.selectors import pledge_months, pledge_table
from .common import Kind, _People


def _period(month: datetime.date, commitment: Commitment) -> str:
    return f"{month.isoformat()}:{commitment.slug}"


def pledge_explanation_due(
    now: datetime.datetime, people: _People
) -> tuple[QuerySet[Any], Callable[[Any], list[Reminder]]]:
    """Last month's misses without an explanation: the district's supervisors, once per miss."""
    today = timezone.localdate(now)
    [month] = pledge_months(today=today, count=1)
    ids = list(Neighbourhood.objects.order_by().values_list("pk", flat=True))
    table = pledge_table(neighbourhood_ids=ids, months=[month])
    reminded = set(
        Reminder.objects.filter(kind=Kind.PLEDGE_EXPLANATION_DUE, period_key__startswith=f"{month.isoformat()}:")
        .order_by()
        .values_list("item_key", "period_key")
        .distinct()
    )
    due: dict[int, list[Commitment]] = defaultdict(list)
    for nid, commitments in table.items():
        for row in commitments:
            [cell] = row.months
            key = (reminder_item_key("neighbourhood", nid), _period(month, row.commitment))
            if cell.cell.met is False and cell.explanation is None and key not in reminded:
                due[nid].append(row.commitment)
    queryset = Neighbourhood.objects.filter(pk__in=list(due)).only("id", "district_id", "name").order_by()

    def rows(neighbourhood: Neighbourhood) -> list[Reminder]:
        return [
            Reminder(
                kind=Kind.PLEDGE_EXPLANATION_DUE,
                neighbourhood_id=neighbourhood.pk,
                recipient_id=r.user_id,
                email=r.email,
                item_key=reminder_item_key("neighbourhood", neighbourhood.pk),
                recipient_key=r.key,
                period_key=_period(month, commitment),
                due_on=today,
                note=f"{commitment.title}: not met in {month:%B %Y}. Record why for the Pledge page."[:200],
            )
            for commitment in due[neighbourhood.pk]
            for r in people.supervisors(neighbourhood.district_id)
        ]

    return queryset, rows


COLLECTORS = {"pledge_explanation_due": pledge_explanation_due}
