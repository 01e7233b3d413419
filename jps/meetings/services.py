"""Writes about PACT meetings: recording them, and the decisions taken at them.

Each checks ``jps.rules`` through ``jps.base.require`` (refusals logged like any other) and
reaches problems only through their own services (``jps.problems.services``,
``jps.casework.services``), so a priority agreed at a meeting is logged, adopted, updated and
closed exactly as any other; its public fields are set with ``via=Via.PACT``, a flow the write
policy names. Two safety nets stand between a meeting and the public site: a new priority is
logged only after the duplicate check (``jps.casework.duplicates``), and an agreed priority's
public words wait for the force's web editor (``meeting_priority_decide``), as a public update does.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import policy, welsh
from ..base import require, save
from ..casework import duplicates
from ..casework import services as casework
from ..models import (
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
from ..policy import Via
from ..problems import services
from ..problems.workflow import TRANSITIONS
from ..publishing import publish_soon

Kind = MeetingItem.Kind
Publication = MeetingItem.Publication

MEETING_EDITABLE = frozenset(policy.MEETING_FIELDS)


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
    require(by, "jps.record_meeting")
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
    save(meeting, by=by, reason="Recorded" if status == Meeting.Status.HELD else "Scheduled")
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
    require(by, "jps.change_meeting", meeting)
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
    save(meeting, by=by, reason="Updated", update_fields=fields)
    if chosen is not None:
        meeting.neighbourhoods.set(chosen)
    if agencies is not None:
        meeting.agencies.set(list(agencies))
    return meeting


def _ready_for_decisions(meeting: Meeting, by: User) -> None:
    """Priorities are decided only at a meeting that has taken place, by those who may change it."""
    require(by, "jps.change_meeting", meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError({"meeting": "This meeting was cancelled."})
    if meeting.starts_at > timezone.now():
        raise ValidationError({"meeting": "This meeting has not taken place yet."})
    if meeting.status != Meeting.Status.HELD:
        meeting.status = Meeting.Status.HELD
        save(meeting, by=by, reason="Recorded as held", update_fields=["status"])


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
    save(item, by=by)
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


class PossibleDuplicates(ValidationError):
    """The priority being agreed looks like open problems already on the tracker; nothing was written.

    ``problems`` are the duplicate check's suggestions: the meeting adopts one of them instead
    (``meeting_adopt_existing``), or the caller says it is new (``confirm_new=True``).
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        references = ", ".join(p.reference for p in problems)
        message = f"It looks like {references}: adopt one of them as the priority, or confirm it is a new problem."
        super().__init__({"confirm_new": message})


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
    confirm_new: bool = False,
    **fields: Any,
) -> MeetingItem:
    """Log a new problem agreed at the meeting as a public priority, for the web editor to publish.

    Its source is the PACT meeting, its originator the meeting (or whoever is named as
    raising it), and its date adopted the meeting's date, not the day it was typed in.
    Unless ``confirm_new``, the duplicate check runs first and ``PossibleDuplicates`` is
    raised if open problems look like this one. The public site shows it once the web
    editor has approved its public title and summary (``meeting_priority_decide``).
    """
    _ready_for_decisions(meeting, by)
    if not meeting.neighbourhoods.filter(pk=neighbourhood.pk).exists():
        raise ValidationError({"neighbourhood": f"{neighbourhood} is not one of this meeting's neighbourhoods."})
    if not confirm_new:
        text = " ".join([title, description, problem_statement, str(fields.get("location", ""))])
        found = duplicates.problems_possibly_duplicate(by, category=category, neighbourhood=neighbourhood, text=text)
        if found:
            raise PossibleDuplicates(found)
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
        publication=Publication.PENDING,
    )


@transaction.atomic
def meeting_adopt_existing(*, meeting: Meeting, by: User, problem: Problem, summary: str = "") -> MeetingItem:
    """Adopt a problem already on the tracker as a public priority, dated the meeting's date.

    The problem keeps its own source and originator (how it first came to notice); the
    meeting that adopted it is this item, which waits for the web editor as a new one does.
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
        meeting=meeting,
        by=by,
        kind=Kind.AGREED,
        problem=problem,
        summary=summary.strip() or problem.public_name,
        publication=Publication.PENDING,
    )


@transaction.atomic
def meeting_priority_decide(
    *,
    item: MeetingItem,
    by: User,
    approve: bool,
    public_title: str = "",
    summary: str = "",
    public_title_cy: str = "",
    summary_cy: str = "",
    reason: str = "",
) -> MeetingItem:
    """The web editor approves a PACT priority's public words (as they will be published) or rejects them.

    Approving sets the public title (through ``problem_public_set``, the web editor's own flow)
    and the summary "You said, we did" shows, and so lets the public site show the priority,
    still adopted on the meeting's date. Rejecting withdraws the public priority, which was
    never shown, and keeps the editor's ``reason`` for the officer. The decision is claimed
    with a conditional UPDATE, so two editors cannot both decide. A force that publishes in Welsh
    approves the Welsh title and summary too (``jps.welsh``).
    """
    require(by, "jps.approve_priority", item)
    if item.kind != Kind.AGREED or item.publication != Publication.PENDING:
        raise ValidationError({"publication": "This priority is not awaiting approval."})
    errors = {}
    if approve and not public_title.strip():
        errors["public_title"] = "Enter the title for the public page"
    if approve and not summary.strip():
        errors["summary"] = "Enter what was agreed, as residents will read it"
    if not approve and not reason.strip():
        errors["reason"] = "Enter why the priority is not being published"
    if errors:
        raise ValidationError(errors)
    problem = item.problem
    assert problem is not None
    if approve:
        texts = {"public_title_cy": (public_title, public_title_cy), "summary_cy": (summary, summary_cy)}
        welsh.welsh_require(force_id=problem.force_id, texts=texts)
    claimed = MeetingItem.objects.filter(pk=item.pk, publication=Publication.PENDING).update(
        publication=Publication.APPROVED if approve else Publication.REJECTED
    )
    if claimed != 1:
        raise ValidationError({"publication": "Another editor has already decided this priority."})
    item.refresh_from_db()
    words = {"public_title": public_title.strip(), "public_title_cy": public_title_cy.strip()}
    changed = {name: value for name, value in words.items() if value != getattr(problem, name)}
    if approve and changed:
        services.problem_public_set(problem=problem, by=by, **changed)
    elif not approve:
        services.problem_public_set(problem=problem, by=by, public_priority=False, adopted_on=None)
    item.summary = summary.strip() if approve else item.summary
    item.summary_cy = summary_cy.strip() if approve else item.summary_cy
    item.reason = "" if approve else reason.strip()
    item.decided_by = by
    item.decided_at = timezone.now()
    label = "Approved for the public site" if approve else "Not published"
    save(item, by=by, reason=label, update_fields=["summary", "summary_cy", "reason", "decided_by", "decided_at"])
    if approve:
        publish_soon(reason=f"PACT priority {problem.reference} approved")
    return item


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
    casework.update_add(
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
        summary_cy=problem.public_title_cy,
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
        summary_cy=problem.public_title_cy,
        public_response=public_outcome,
        note=note,
        closure_requested=problem.closure_requested_at is not None,
        recorded_by=by,
    )
    save(item, by=by)
    return item
