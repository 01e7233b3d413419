"""PACT meetings: recording them, agreeing and signing off priorities, the standard, and public output.

Writes go through the services here, which check ``jps.rules`` and reach problems only
through ``jps.services`` (so a priority agreed at a meeting is logged, adopted, updated
and closed exactly as any other). Reads that depend on the user start from
``meetings_visible_to``. Public output (``public_meetings_for_neighbourhood``,
``meeting_events_export``) is built from an explicit list of published fields, so
internal notes, a community chair's name and anything about residents other than the
attendance count cannot reach a public file.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Max, Min, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from . import policy, services
from .models import (
    Agency,
    Category,
    Meeting,
    MeetingItem,
    Neighbourhood,
    Problem,
    Source,
    Stage,
    User,
)
from .policy import Via
from .rules import meeting_scope_q, problem_ids_visible_to
from .workflow import TRANSITIONS

Kind = MeetingItem.Kind

MEETING_EDITABLE = frozenset(policy.MEETING_FIELDS)


def _require(user: User, perm: str, obj: Any = None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(f"You do not have permission to do this ({perm.split('.')[-1].replace('_', ' ')}).")


def _save(obj: Any, *, by: User, reason: str = "") -> None:
    obj.full_clean()
    obj._history_user = by
    if reason:
        obj._change_reason = reason[:100]
    obj.save()


def _check_meeting(meeting: Meeting) -> None:
    """Rules about a meeting that hold whoever writes it."""
    errors: dict[str, str] = {}
    if meeting.ends_at and meeting.starts_at and meeting.ends_at <= meeting.starts_at:
        errors["ends_at"] = "The meeting must end after it starts."
    if not meeting.online and not meeting.venue.strip():
        errors["venue"] = "Give the venue, or say the meeting is online."
    if meeting.status == Meeting.Status.HELD and meeting.starts_at and meeting.starts_at > timezone.now():
        errors["status"] = "A meeting cannot be recorded as held before it starts."
    if meeting.chair_id and meeting.chair_name.strip():
        errors["chair_name"] = "Name the chair either as a user or by name, not both."
    if errors:
        raise ValidationError(errors)


def _neighbourhoods_for(by: User, neighbourhoods: Iterable[Neighbourhood]) -> list[Neighbourhood]:
    chosen = list(neighbourhoods)
    if not chosen:
        raise ValidationError({"neighbourhoods": "Choose at least one neighbourhood."})
    for neighbourhood in chosen:
        if not by.has_perm("jps.record_meeting", neighbourhood):
            raise ValidationError({"neighbourhoods": f"You cannot record meetings for {neighbourhood}."})
    forces = {n.district.force_id for n in chosen}
    if len(forces) != 1:
        raise ValidationError({"neighbourhoods": "A meeting's neighbourhoods must be in one force."})
    return chosen


# --- meetings ----------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    by: User,
    neighbourhoods: Iterable[Neighbourhood],
    starts_at: datetime.datetime,
    title: str = "",
    agencies: Iterable[Agency] = (),
    status: str = "",
    **fields: Any,
) -> Meeting:
    """Schedule a meeting, or record one that took place (``status`` defaults from its start time).

    Only officers and supervisors of each neighbourhood's district (and administrators)
    may record meetings, so one district cannot fill in another's standard.
    """
    _require(by, "jps.record_meeting")
    unknown = set(fields) - MEETING_EDITABLE
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in sorted(unknown)})
    chosen = _neighbourhoods_for(by, neighbourhoods)
    if not status:
        status = Meeting.Status.HELD if starts_at <= timezone.now() else Meeting.Status.SCHEDULED
    meeting = Meeting(
        title=title.strip() or f"{' and '.join(n.name for n in chosen)} PACT meeting",
        force_id=chosen[0].district.force_id,
        starts_at=starts_at,
        status=status,
        created_by=by,
        **fields,
    )
    _check_meeting(meeting)
    _save(meeting, by=by, reason="Recorded" if status == Meeting.Status.HELD else "Scheduled")
    meeting.neighbourhoods.set(chosen)
    meeting.agencies.set(list(agencies))
    return meeting


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    by: User,
    neighbourhoods: Iterable[Neighbourhood] | None = None,
    agencies: Iterable[Agency] | None = None,
    **fields: Any,
) -> Meeting:
    """Edit a meeting: record it as held (with attendance) or cancelled, move it, fix its details."""
    _require(by, "jps.change_meeting", meeting)
    unknown = set(fields) - MEETING_EDITABLE
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(meeting, name, value)
    if "title" in fields and not meeting.title.strip():
        raise ValidationError({"title": "Give the meeting a title."})
    chosen = _neighbourhoods_for(by, neighbourhoods) if neighbourhoods is not None else None
    if chosen and chosen[0].district.force_id != meeting.force_id:
        raise ValidationError({"neighbourhoods": "A meeting's neighbourhoods must be in its force."})
    if meeting.status == Meeting.Status.CANCELLED and meeting.items.exists():
        raise ValidationError({"status": "Priorities were recorded at this meeting: it cannot be cancelled."})
    _check_meeting(meeting)
    _save(meeting, by=by, reason="Updated")
    if chosen is not None:
        meeting.neighbourhoods.set(chosen)
    if agencies is not None:
        meeting.agencies.set(list(agencies))
    return meeting


def _ready_for_decisions(meeting: Meeting, by: User) -> None:
    """Priorities are decided only at a meeting that has taken place, by those who may change it."""
    _require(by, "jps.change_meeting", meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError({"meeting": "This meeting was cancelled."})
    if meeting.starts_at > timezone.now():
        raise ValidationError({"meeting": "This meeting has not taken place yet."})
    if meeting.status != Meeting.Status.HELD:
        meeting.status = Meeting.Status.HELD
        _save(meeting, by=by, reason="Recorded as held")


def _check_problem_at_meeting(meeting: Meeting, problem: Problem, kind: str) -> None:
    if not meeting.neighbourhoods.filter(pk=problem.neighbourhood_id).exists():
        raise ValidationError({"problem": f"{problem.reference} is not in one of this meeting's neighbourhoods."})
    if MeetingItem.objects.filter(meeting=meeting, problem=problem, kind=kind).exists():
        label = dict(Kind.choices)[kind].lower()
        raise ValidationError({"problem": f"{problem.reference} is already recorded as {label} at this meeting."})


def _item(
    *, meeting: Meeting, by: User, kind: str, problem: Problem | None, summary: str, **fields: Any
) -> MeetingItem:
    item = MeetingItem(meeting=meeting, problem=problem, kind=kind, summary=summary, recorded_by=by, **fields)
    _save(item, by=by)
    return item


@transaction.atomic
def meeting_raise(
    *, meeting: Meeting, by: User, summary: str, public_response: str = "", note: str = ""
) -> MeetingItem:
    """Something residents raised that was not (yet) made a priority, with the answer given.

    It still belongs in "You said — we did": residents see that what they said was heard.
    """
    _ready_for_decisions(meeting, by)
    if not summary.strip():
        raise ValidationError({"summary": "Say what was raised (no names)."})
    return _item(
        meeting=meeting,
        by=by,
        kind=Kind.RAISED,
        problem=None,
        summary=summary,
        public_response=public_response,
        note=note,
    )


@transaction.atomic
def meeting_agree_new_priority(
    *,
    meeting: Meeting,
    by: User,
    neighbourhood: Neighbourhood,
    category: Category,
    title: str,
    description: str,
    problem_statement: str = "",
    originator: str = "",
    public_title: str = "",
    summary: str = "",
    owner: User | None = None,
    lead_agency: Agency | None = None,
    **fields: Any,
) -> MeetingItem:
    """Log a new problem agreed at the meeting as a public priority.

    Its source is the PACT meeting, its originator the meeting (or whoever is named as
    raising it), and its date adopted the meeting's date, not the day it was typed in.
    """
    _ready_for_decisions(meeting, by)
    if not meeting.neighbourhoods.filter(pk=neighbourhood.pk).exists():
        raise ValidationError({"neighbourhood": f"{neighbourhood} is not one of this meeting's neighbourhoods."})
    problem = services.problem_create(
        by=by,
        neighbourhood=neighbourhood,
        category=category,
        source=Source.PACT_MEETING,
        originator=originator.strip() or f"Residents at the {meeting}",
        title=title,
        description=description,
        problem_statement=problem_statement,
        public_priority=True,
        adopted_on=meeting.date,
        public_title=public_title.strip() or title,
        owner=owner,
        lead_agency=lead_agency,
        via=Via.PACT,
        **fields,
    )
    return _item(
        meeting=meeting,
        by=by,
        kind=Kind.AGREED,
        problem=problem,
        summary=summary.strip() or problem.public_name,
    )


@transaction.atomic
def meeting_adopt_existing(*, meeting: Meeting, by: User, problem: Problem, summary: str = "") -> MeetingItem:
    """Adopt a problem already on the tracker as a public priority, dated the meeting's date.

    The problem keeps its own source and originator (how it first came to notice); the
    meeting that adopted it is this item.
    """
    _ready_for_decisions(meeting, by)
    _check_problem_at_meeting(meeting, problem, Kind.AGREED)
    if not problem.is_open:
        raise ValidationError({"problem": f"{problem.reference} is closed; log a new problem instead."})
    if problem.public_priority:
        raise ValidationError(
            {"problem": f"{problem.reference} has been a public priority since {problem.adopted_on:%-d %B %Y}."}
        )
    services.problem_update(
        problem=problem,
        by=by,
        public_priority=True,
        adopted_on=meeting.date,
        public_title=problem.public_name,
        via=Via.PACT,
    )
    return _item(
        meeting=meeting, by=by, kind=Kind.AGREED, problem=problem, summary=summary.strip() or problem.public_name
    )


@transaction.atomic
def meeting_carry_over(
    *,
    meeting: Meeting,
    by: User,
    problem: Problem,
    progress_note: str,
    public_response: str = "",
    propose_public: bool = False,
) -> MeetingItem:
    """Keep a priority for the next meeting, with the progress reported at this one.

    The note is also a dated progress update on the problem (proposed for the public
    page, through the web editor, when asked), so the problem's own record stays whole.
    """
    _ready_for_decisions(meeting, by)
    _check_problem_at_meeting(meeting, problem, Kind.CARRIED_OVER)
    if not problem.public_priority or not problem.is_open:
        raise ValidationError({"problem": f"{problem.reference} is not an open public priority."})
    if not progress_note.strip():
        raise ValidationError({"progress_note": "Say what progress was reported."})
    services.update_add(
        problem=problem,
        by=by,
        text=f"Carried over at the {meeting}: {progress_note}",
        propose_public=propose_public,
    )
    return _item(
        meeting=meeting,
        by=by,
        kind=Kind.CARRIED_OVER,
        problem=problem,
        summary=problem.public_name,
        public_response=public_response,
        note=progress_note,
    )


@transaction.atomic
def meeting_sign_off(
    *,
    meeting: Meeting,
    by: User,
    problem: Problem,
    public_outcome: str,
    note: str = "",
    **assessment_fields: Any,
) -> MeetingItem:
    """Residents agree a priority is resolved: feed the assessment and ask a supervisor to close it.

    The meeting does not close the problem: ``public_outcome`` (and any other assessment
    fields given) go into its assessment, and once the assessment is complete closure is
    requested, so it joins the supervisor's sign-off queue. A problem still in response
    is moved to assessment first, if the workflow allows.
    """
    _ready_for_decisions(meeting, by)
    _check_problem_at_meeting(meeting, problem, Kind.SIGNED_OFF)
    if not problem.is_open:
        raise ValidationError({"problem": f"{problem.reference} is already closed."})
    if not problem.public_priority:
        raise ValidationError({"problem": f"{problem.reference} is not a public priority."})
    if problem.stage not in (Stage.RESPONSE, Stage.ASSESSMENT):
        raise ValidationError({"problem": f"{problem.reference} has no response to sign off yet."})
    if not public_outcome.strip():
        raise ValidationError({"public_outcome": "Say what was done, in words fit for the public."})
    if problem.stage == Stage.RESPONSE:
        services.problem_transition(problem=problem, to=Stage.ASSESSMENT, by=by, reason=f"Signed off at {meeting}")
    services.assessment_save(problem=problem, by=by, via=Via.PACT, public_outcome=public_outcome, **assessment_fields)
    complete = not TRANSITIONS[(Stage.ASSESSMENT, Stage.CLOSED)].missing(problem)
    if complete and problem.closure_requested_at is None:
        services.problem_request_closure(problem=problem, by=by)
    item = MeetingItem(
        meeting=meeting,
        problem=problem,
        kind=Kind.SIGNED_OFF,
        summary=problem.public_name,
        public_response=public_outcome,
        note=note,
        closure_requested=problem.closure_requested_at is not None,
        recorded_by=by,
    )
    _save(item, by=by)
    return item


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


# --- public output ------------------------------------------------------------------------------


def _local_iso(moment: datetime.datetime | None) -> str | None:
    """data.police.uk style: local time, no offset, e.g. ``2026-03-03T19:00:00``."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0).isoformat()


def _public_place(meeting: Meeting) -> str:
    if meeting.online:
        return f"Online: {meeting.online_url}" if meeting.online_url else "Online"
    return meeting.place_display


def meeting_public(meeting: Meeting) -> dict[str, Any]:
    """An upcoming meeting as the public page shows it: date, time, venue and purpose. Nothing else."""
    starts = timezone.localtime(meeting.starts_at)
    ends = timezone.localtime(meeting.ends_at) if meeting.ends_at else None
    return {
        "title": meeting.title,
        "starts_at": _local_iso(meeting.starts_at),
        "ends_at": _local_iso(meeting.ends_at),
        "date_label": date_format(starts, "l j F Y"),
        "time_label": f"{starts:%H:%M}–{ends:%H:%M}" if ends else f"{starts:%H:%M}",
        "venue": "Online" if meeting.online else meeting.venue,
        "address": "" if meeting.online else meeting.address,
        "online_url": meeting.online_url if meeting.online else "",
        "purpose": meeting.public_agenda,
    }


def meeting_event(meeting: Meeting) -> dict[str, Any]:
    """One meeting in the data.police.uk neighbourhood events shape."""
    return {
        "title": meeting.title,
        "description": meeting.public_agenda,
        "address": _public_place(meeting),
        "type": "meeting",
        "start_date": _local_iso(meeting.starts_at),
        "end_date": _local_iso(meeting.ends_at),
    }


def _public_meetings(neighbourhood: Neighbourhood) -> QuerySet[Meeting]:
    return Meeting.objects.filter(neighbourhoods=neighbourhood).exclude(status=Meeting.Status.CANCELLED)


def meeting_events_export(
    *, neighbourhood: Neighbourhood, now: datetime.datetime | None = None, months: int = 3
) -> list[dict[str, Any]]:
    """Upcoming meetings for the next ``months`` months, in the data.police.uk events shape."""
    now = now or timezone.now()
    until = now + datetime.timedelta(days=31 * months)
    meetings = _public_meetings(neighbourhood).filter(starts_at__gte=now, starts_at__lte=until).order_by("starts_at")
    return [meeting_event(meeting) for meeting in meetings]


def _we_did(item: MeetingItem) -> str:
    """The "we did" of an item: what was said at the meeting, or what has happened since."""
    if item.public_response:
        return item.public_response
    problem = item.problem
    if problem is not None and problem.stage == Stage.CLOSED:
        assessment = getattr(problem, "assessment", None)
        if assessment is not None and assessment.public_outcome:
            return str(assessment.public_outcome)
    if item.kind == Kind.AGREED and problem is not None:
        return f"Agreed as a priority, led by {problem.lead_agency}."
    if item.kind == Kind.CARRIED_OVER:
        return "Work continues; carried over to the next meeting."
    return ""


#: How far back "You said — we did" goes, and how far ahead upcoming meetings are listed.
PUBLIC_PAST = datetime.timedelta(days=372)
PUBLIC_AHEAD = datetime.timedelta(days=93)


def _you_said(meeting: Meeting, neighbourhood_id: int) -> dict[str, Any]:
    """One past meeting as "You said — we did" for one neighbourhood: published fields only."""
    return {
        "title": meeting.title,
        "date": meeting.date.isoformat(),
        "residents_attending": meeting.residents_attending,
        "items": [
            {
                "kind": item.kind,
                "kind_label": item.get_kind_display(),
                "you_said": item.summary,
                "we_did": _we_did(item),
            }
            for item in meeting.items.all()
            if item.problem is None
            or (item.problem.public_priority and item.problem.neighbourhood_id == neighbourhood_id)
        ],
    }


def public_meetings_by_neighbourhood(
    *, neighbourhood_ids: Iterable[int], now: datetime.datetime | None = None
) -> dict[int, dict[str, Any]]:
    """What each neighbourhood's public page shows about meetings, for many neighbourhoods at once.

    Three queries whatever the number of neighbourhoods (meetings, their neighbourhoods,
    their items), so the public-site renderer can call it once per build. For each id:
    ``upcoming`` (the next three months: date, time, venue, purpose), ``you_said_we_did``
    (the past year's held meetings, newest first) and ``events`` (the upcoming meetings
    in the data.police.uk events shape).
    """
    now = now or timezone.now()
    ids = set(neighbourhood_ids)
    items = MeetingItem.objects.select_related("problem__lead_agency", "problem__assessment").order_by("id")
    found = (
        Meeting.objects.filter(
            Exists(Meeting.neighbourhoods.through.objects.filter(meeting_id=OuterRef("pk"), neighbourhood_id__in=ids)),
            starts_at__gte=now - PUBLIC_PAST,
            starts_at__lte=now + PUBLIC_AHEAD,
        )
        .exclude(status=Meeting.Status.CANCELLED)
        .prefetch_related(
            Prefetch("neighbourhoods", queryset=Neighbourhood.objects.only("id")),
            Prefetch("items", queryset=items),
        )
        .order_by("starts_at", "id")
    )
    pages: dict[int, dict[str, Any]] = {pk: {"upcoming": [], "you_said_we_did": [], "events": []} for pk in ids}
    for meeting in found:
        for neighbourhood in meeting.neighbourhoods.all():
            page = pages.get(neighbourhood.pk)
            if page is None:
                continue
            if meeting.starts_at >= now:
                page["upcoming"].append(meeting_public(meeting))
                page["events"].append(meeting_event(meeting))
            elif meeting.status == Meeting.Status.HELD:
                page["you_said_we_did"].insert(0, _you_said(meeting, neighbourhood.pk))
    return pages


def you_said_we_did(*, neighbourhood: Neighbourhood, now: datetime.datetime | None = None) -> list[dict[str, Any]]:
    """The past year's meetings of one neighbourhood, newest first, with what was raised and what was done."""
    return public_meetings_by_neighbourhood(neighbourhood_ids=[neighbourhood.pk], now=now)[neighbourhood.pk][
        "you_said_we_did"
    ]


def public_meetings_for_neighbourhood(
    *, neighbourhood: Neighbourhood, now: datetime.datetime | None = None
) -> dict[str, Any]:
    """Everything one neighbourhood's public page shows about meetings (see ``public_meetings_by_neighbourhood``)."""
    return public_meetings_by_neighbourhood(neighbourhood_ids=[neighbourhood.pk], now=now)[neighbourhood.pk]


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
    from .selectors import problems_visible_to

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
