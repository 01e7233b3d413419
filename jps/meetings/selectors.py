"""Reads about PACT meetings for staff: what a user may see of a meeting and its items, the monthly
standard, and the choices the forms offer. Everything starts from ``meetings_visible_to``.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, Max, Min, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from ..models import (
    Meeting,
    MeetingItem,
    Neighbourhood,
    Problem,
    Stage,
)
from ..problems.selectors import problems_visible_to
from ..rules import meeting_scope_q, problem_ids_visible_to

Kind = MeetingItem.Kind

# --- selectors --------------------------------------------------------------------------------


def meetings_visible_to(user: Any) -> QuerySet[Meeting]:
    """The meetings ``user`` may see (``jps.rules.meeting_scope_q``), with what every list shows."""
    return (
        Meeting.objects.filter(meeting_scope_q(user))
        .select_related("chair", "force")
        .prefetch_related("neighbourhoods", "agencies")
    )


def meeting_detail(user: Any, pk: int | str) -> Meeting:
    """One meeting with its items and their problems, in a fixed number of queries."""
    items = MeetingItem.objects.select_related("problem", "problem__lead_agency", "recorded_by").order_by("id")
    return meetings_visible_to(user).prefetch_related(Prefetch("items", queryset=items)).get(pk=pk)


#: What an item about a problem the viewer may not see says instead of its title.
RESTRICTED_ITEM = "A priority you do not take part in"


@dataclass(frozen=True)
class ItemSeen:
    """One meeting item as one viewer may see it: what the record page, the minutes and the API show.

    ``restricted`` items are about a problem the viewer may not see (``problem_scope_q``):
    they keep only what the meeting did (``kind``), never the problem's id, reference or
    title, what was said about it, or its progress note. ``note`` is empty when the viewer
    may not read it: a problem's note goes with the problem, a note on what residents
    raised with the meeting's internal notes.
    """

    id: int
    kind: str
    kind_label: str
    restricted: bool
    problem_id: int | None
    problem_reference: str | None
    summary: str
    public_response: str
    note: str
    closure_requested: bool | None
    recorded_by: str
    recorded_at: datetime.datetime
    publication: str = ""
    publication_label: str = ""
    reason: str = ""


def meeting_items_for(user: Any, meeting: Meeting, items: Iterable[MeetingItem] | None = None) -> list[ItemSeen]:
    """A meeting's items (or ``items`` of it) as ``user`` may see them: one query, whatever their number.

    The one visibility rule decides (``problem_ids_visible_to``), asked once for all the
    items about a problem; the internal-notes rule is asked once for the meeting.
    """
    chosen = list(meeting.items.all() if items is None else items)
    about_problems = [item.pk for item in chosen if item.problem_id]
    visible: set[int] = set()
    if about_problems:
        visible = set(
            MeetingItem.objects.filter(pk__in=about_problems, problem_id__in=problem_ids_visible_to(user))
            .order_by()
            .values_list("pk", flat=True)
        )
    internal = user.has_perm("jps.view_meeting_internal_notes", meeting)
    return [_item_seen(item, visible=item.pk in visible, internal_notes=internal) for item in chosen]


def _item_seen(item: MeetingItem, *, visible: bool, internal_notes: bool) -> ItemSeen:
    shown = item.problem_id is None or visible
    return ItemSeen(
        id=item.pk,
        kind=item.kind,
        kind_label=item.get_kind_display(),
        restricted=not shown,
        problem_id=item.problem_id if shown else None,
        problem_reference=item.problem.reference if shown and item.problem is not None else None,
        summary=item.summary if shown else RESTRICTED_ITEM,
        public_response=item.public_response if shown else "",
        note=item.note if shown and (item.problem_id is not None or internal_notes) else "",
        closure_requested=item.closure_requested if shown else None,
        recorded_by=str(item.recorded_by),
        recorded_at=item.recorded_at,
        publication=item.publication if shown else "",
        publication_label=item.get_publication_display() if shown else "",
        reason=item.reason if shown else "",
    )


def priority_item_for(user: Any, *, meeting: Meeting, pk: int) -> MeetingItem:
    """A priority agreed at ``meeting`` on a problem ``user`` sees (``MeetingItem.DoesNotExist`` otherwise)."""
    items = MeetingItem.objects.select_related("problem", "meeting", "recorded_by")
    return items.get(meeting=meeting, pk=pk, kind=Kind.AGREED, problem_id__in=problem_ids_visible_to(user))


def priorities_awaiting_approval(*, user: Any) -> QuerySet[MeetingItem]:
    """The web editor's queue: priorities agreed at PACT meetings on problems ``user`` sees, oldest first.

    A priority withdrawn meanwhile (on its problem page) no longer waits.
    """
    return (
        MeetingItem.objects.filter(
            kind=Kind.AGREED,
            publication=MeetingItem.Publication.PENDING,
            problem_id__in=problem_ids_visible_to(user),
            problem__public_priority=True,
        )
        .select_related("problem", "problem__neighbourhood__district", "problem__force", "meeting", "recorded_by")
        .order_by("recorded_at", "id")
    )


def meeting_notes_for(user: Any, meeting: Meeting) -> str | None:
    """The meeting's internal notes if ``user`` may read them (``jps.rules``), else ``None``."""
    return meeting.notes if user.has_perm("jps.view_meeting_internal_notes", meeting) else None


def month_before(moment: datetime.datetime) -> datetime.datetime:
    """The same moment one calendar month earlier (31 March → 28 or 29 February)."""
    year, month = (moment.year - 1, 12) if moment.month == 1 else (moment.year, moment.month - 1)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def neighbourhoods_failing_meeting_standard(
    *, user: Any = None, district_ids: Iterable[int] | None = None, now: datetime.datetime | None = None
) -> QuerySet[Neighbourhood]:
    """Neighbourhoods with no meeting held in the last month, or no next meeting scheduled.

    One aggregate query: each neighbourhood is annotated with ``last_meeting_at`` and
    ``next_meeting_at`` (either may be ``None``). Scoped to ``district_ids`` when given
    (the reminders digest), otherwise to ``user``'s districts (a supervisor's page;
    administrators: all).
    """
    now = now or timezone.now()
    neighbourhoods = Neighbourhood.objects.select_related("district")
    if district_ids is not None:
        neighbourhoods = neighbourhoods.filter(district_id__in=list(district_ids))
    elif user is None or not getattr(user, "is_authenticated", False):
        return Neighbourhood.objects.none()
    elif not user.is_administrator:
        neighbourhoods = neighbourhoods.filter(district_id__in=sorted(user.scope_district_ids))
    held = Q(meetings__status=Meeting.Status.HELD, meetings__starts_at__lte=now)
    upcoming = Q(meetings__status=Meeting.Status.SCHEDULED, meetings__starts_at__gt=now)
    return (
        neighbourhoods.annotate(
            last_meeting_at=Max("meetings__starts_at", filter=held),
            next_meeting_at=Min("meetings__starts_at", filter=upcoming),
        )
        .filter(
            Q(last_meeting_at__isnull=True) | Q(last_meeting_at__lt=month_before(now)) | Q(next_meeting_at__isnull=True)
        )
        .order_by("district__name", "name")
    )


# --- choices for the forms -----------------------------------------------------------------------


def neighbourhoods_for_meetings(*, user: Any) -> QuerySet[Neighbourhood]:
    """Where ``user`` may record meetings: their districts' neighbourhoods (administrators: all)."""
    queryset = Neighbourhood.objects.select_related("district").order_by("district__name", "name")
    if not getattr(user, "is_authenticated", False) or not user.has_perm("jps.record_meeting"):
        return queryset.none()
    if user.is_administrator:
        return queryset
    return queryset.filter(district_id__in=sorted(user.scope_district_ids))


def meeting_problem_choices(*, user: Any, meeting: Meeting, kind: str) -> QuerySet[Problem]:
    """The problems a decision of ``kind`` at ``meeting`` can be about, among those ``user`` may see.

    Mirrors the services' checks (so a form never offers what they refuse): adopt an open
    problem not yet public; carry over an open public priority; sign off a public
    priority in response or assessment; each once per meeting.
    """

    problems = (
        problems_visible_to(user)
        .open()
        .filter(neighbourhood__in=meeting.neighbourhoods.all())
        .exclude(Exists(MeetingItem.objects.filter(problem_id=OuterRef("pk"), meeting=meeting, kind=kind)))
        .order_by("reference")
    )
    if kind == Kind.AGREED:
        return problems.filter(public_priority=False)
    problems = problems.filter(public_priority=True)
    if kind == Kind.SIGNED_OFF:
        return problems.filter(stage__in=[Stage.RESPONSE, Stage.ASSESSMENT])
    return problems
