"""The Policing Pledge's commitments we measure, as a registry of rows.

Each ``Commitment`` has a row function: given neighbourhood ids and the months to count (first
days, oldest first), it returns a ``Cell`` for every (neighbourhood, month) it has anything to say
about, in a few aggregate queries for all the neighbourhoods at once (the public export asks for
every neighbourhood in the country). A month the function says nothing about is "nothing due".
Another commitment is one more ``commitment_register`` call: the Pledge page, the supervisor's
prompt, the reminder and the explanation form all read ``COMMITMENTS``.

The standards (what "met" means), as the Pledge page states them:

- PACT meetings: at least one meeting held in the month (``jps.meetings``' monthly standard).
- Priorities updated monthly: every public priority that was open for the whole month had a
  public update approved in it (a priority adopted or closed during the month is not counted).
- Victims updated as agreed: every contact agreed with a victim or complainant that fell due in
  the month was made on or before its date (``jps.insight.contact_figures.contacts_fell_due``).
  Its counts are not published, only met or not, so the page says nothing about how many victims
  a small neighbourhood had.
- Messages answered within 24 hours: every message to the neighbourhood team received in the month
  that counts (``jps.residents.inbox_selectors.counted_q``: spam and duplicates left out) had its
  first reply within 24 hours of arriving (``in_time_q``), the rule of the dashboard's figure.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ..insight.contact_figures import MADE_ON_TIME, contacts_fell_due
from ..models import CLOSED_STAGES, Meeting, ProgressUpdate, TeamMessage
from ..publishing import public_problems
from ..residents.inbox_selectors import counted_q, in_time_q


@dataclass(frozen=True)
class Cell:
    """One commitment in one month in one neighbourhood: ``done`` of ``due``; met when all were done."""

    done: int
    due: int

    @property
    def met(self) -> bool | None:
        """``None`` when nothing was due."""
        return None if self.due == 0 else self.done >= self.due


Month = datetime.date
Cells = dict[tuple[int, Month], Cell]
#: ``row(neighbourhood_ids, months) -> {(neighbourhood id, month): Cell}``
RowFunction = Callable[[Sequence[int], Sequence[Month]], Cells]


@dataclass(frozen=True)
class Commitment:
    slug: str  # stored on explanations and reminders: never change it
    title: str
    standard: str
    row: RowFunction
    #: Publish the counts beside met/not met (False: met or not only).
    public_counts: bool = True


COMMITMENTS: list[Commitment] = []


def commitment_register(commitment: Commitment) -> Commitment:
    if any(c.slug == commitment.slug for c in COMMITMENTS):
        raise ValueError(f"Commitment {commitment.slug!r} is registered already")
    COMMITMENTS.append(commitment)
    return commitment


def commitment_by_slug(slug: str) -> Commitment | None:
    return next((c for c in COMMITMENTS if c.slug == slug), None)


def next_month(month: Month) -> Month:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _aware(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_current_timezone())


def _month_of(value: datetime.date | datetime.datetime) -> Month:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


# --- the rows -------------------------------------------------------------------------------------


def meetings_held(ids: Sequence[int], months: Sequence[Month]) -> Cells:
    """Held PACT meetings per neighbourhood and month: one grouped query. One is the standard."""
    tz = timezone.get_current_timezone()
    rows = (  # the stubs do not follow an annotation on an auto-created through model
        Meeting.neighbourhoods.through.objects.filter(  # type: ignore[misc]
            neighbourhood_id__in=list(ids),
            meeting__status=Meeting.Status.HELD,
            meeting__starts_at__gte=_aware(months[0]),
            meeting__starts_at__lt=_aware(next_month(months[-1])),
        )
        .annotate(month=TruncMonth("meeting__starts_at", tzinfo=tz))
        .order_by()
        .values("neighbourhood_id", "month")
        .annotate(n=Count("meeting_id", distinct=True))
        .values_list("neighbourhood_id", "month", "n")
    )
    held = {(nid, _month_of(month)): n for nid, month, n in rows}
    return {(nid, m): Cell(done=min(held.get((nid, m), 0), 1), due=1) for nid in ids for m in months}


def priorities_updated(ids: Sequence[int], months: Sequence[Month]) -> Cells:
    """Public priorities open all month, and of them those with an approved public update: two queries."""
    start, end = months[0], next_month(months[-1])
    problems = list(
        public_problems()
        .filter(neighbourhood_id__in=list(ids), adopted_on__lt=end)
        .exclude(stage__in=CLOSED_STAGES, closed_at__lt=_aware(start))
        .order_by()
        .values_list("pk", "neighbourhood_id", "adopted_on", "stage", "closed_at")
    )
    tz = timezone.get_current_timezone()
    rows = (
        ProgressUpdate.objects.filter(
            problem_id__in=[p[0] for p in problems],
            status=ProgressUpdate.Status.APPROVED,
            decided_at__gte=_aware(start),
            decided_at__lt=_aware(end),
        )
        .exclude(public_text="")
        .annotate(month=TruncMonth("decided_at", tzinfo=tz))
        .order_by()
        .values_list("problem_id", "month")
        .distinct()
    )
    updated = {(pk, _month_of(month)) for pk, month in rows}
    cells: dict[tuple[int, Month], list[int]] = {}
    for pk, nid, adopted_on, stage, closed_at in problems:
        closed_on = timezone.localdate(closed_at) if stage in CLOSED_STAGES and closed_at else None
        for m in months:
            if adopted_on is not None and adopted_on < m and (closed_on is None or closed_on >= next_month(m)):
                counts = cells.setdefault((nid, m), [0, 0])
                counts[1] += 1
                counts[0] += (pk, m) in updated
    return {key: Cell(done=done, due=due) for key, (done, due) in cells.items()}


def victims_updated(ids: Sequence[int], months: Sequence[Month]) -> Cells:
    """Contacts agreed with victims and complainants that fell due, and of them those made on time: two queries."""
    answered, unanswered = contacts_fell_due(months[0], next_month(months[-1]) - datetime.timedelta(days=1))
    made = (
        answered.filter(contact__problem__neighbourhood_id__in=list(ids))
        .annotate(month=TruncMonth("due_on"))
        .order_by()
        .values("contact__problem__neighbourhood_id", "month")
        .annotate(n=Count("pk"), made_on_time=Count("pk", filter=MADE_ON_TIME))
        .values_list("contact__problem__neighbourhood_id", "month", "n", "made_on_time")
    )
    missed = (
        unanswered.filter(problem__neighbourhood_id__in=list(ids))
        .annotate(month=TruncMonth("next_contact_due"))
        .order_by()
        .values_list("problem__neighbourhood_id", "month")
        .annotate(n=Count("pk"))
    )
    counts: dict[tuple[int, Month], list[int]] = {}
    for nid, month, n, on_time in made:
        entry = counts.setdefault((nid, _month_of(month)), [0, 0])
        entry[0] += on_time
        entry[1] += n
    for nid, month, n in missed:
        counts.setdefault((nid, _month_of(month)), [0, 0])[1] += n
    return {key: Cell(done=done, due=due) for key, (done, due) in counts.items()}


def messages_answered(ids: Sequence[int], months: Sequence[Month]) -> Cells:
    """Messages to the team per neighbourhood and month, and of them those answered within 24 hours: one
    grouped query over the ``team_message_received`` index."""
    now, tz = timezone.now(), timezone.get_current_timezone()
    rows = (
        TeamMessage.objects.filter(
            neighbourhood_id__in=list(ids),
            received_at__gte=_aware(months[0]),
            received_at__lt=_aware(next_month(months[-1])),
        )
        .filter(counted_q(now))
        .annotate(month=TruncMonth("received_at", tzinfo=tz))
        .order_by()
        .values("neighbourhood_id", "month")
        .annotate(n=Count("pk"), in_time=Count("pk", filter=in_time_q()))
        .values_list("neighbourhood_id", "month", "n", "in_time")
    )
    return {(nid, _month_of(month)): Cell(done=in_time, due=n) for nid, month, n, in_time in rows}


MEETINGS = commitment_register(
    Commitment(
        slug="meetings",
        title="A PACT meeting held every month",
        standard="At least one Police and Communities Together (PACT) meeting held in the month.",
        row=meetings_held,
        public_counts=False,
    )
)
PRIORITIES = commitment_register(
    Commitment(
        slug="priority_updates",
        title="Every priority updated every month",
        standard="Every public priority open for the whole month had a public update in it.",
        row=priorities_updated,
    )
)
VICTIMS = commitment_register(
    Commitment(
        slug="victims_updated",
        title="Victims kept up to date as agreed",
        standard="Every contact agreed with a victim or complainant that fell due in the month was made on time.",
        row=victims_updated,
        public_counts=False,
    )
)
MESSAGES = commitment_register(
    Commitment(
        slug="messages_answered",
        title="Messages answered within 24 hours",
        standard="Every message to the neighbourhood team received in the month had a reply within 24 hours.",
        row=messages_answered,
    )
)
