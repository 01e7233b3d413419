"""Step one of every job: which items are due, and who hears about them (one ``Reminder`` row each,
once per due period, whatever the reruns)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..meetings.selectors import neighbourhoods_failing_meeting_standard
from ..models import (
    OPEN_STAGES,
    Action,
    District,
    Neighbourhood,
    Problem,
    ProgressUpdate,
    Reminder,
    Stage,
    User,
)
from ..models.reminders import reminder_item_key
from .case_reviews import COLLECTORS as CASE_REVIEW_COLLECTORS
from .common import (
    BATCH_SIZE,
    Collector,
    JobResult,
    Kind,
    Progress,
    Recipient,
    _active,
    _People,
    _reminded,
    _row,
    _unique,
    action_due_soon_days,
    escalation_grace_days,
    evaluation_after_days,
    logger,
    public_update_days,
)
from .contacts import contact_due
from .escalation import action_escalation, review_tier_chief_due, review_tier_inspector_due
from .residents import COLLECTORS as RESIDENT_COLLECTORS
from .team_messages import COLLECTORS as TEAM_MESSAGE_COLLECTORS
from .victims import high_risk_victims_due

# --- collectors: which items are due, and who hears about them ---------------------------------


def _review_overdue(now: datetime.datetime, people: _People) -> tuple[QuerySet[Any], Callable[[Any], list[Reminder]]]:
    """Overdue reviews: the owner and the district's supervisors; past the grace period, the inspector too.

    The due period is the review date itself: once a supervisor reviews, the date moves
    on and a later lapse is a new period.
    """
    today = timezone.localdate(now)
    escalate_before = today - datetime.timedelta(days=escalation_grace_days())
    done = Q(_reminded(Kind.REVIEW_OVERDUE, "problem", "next_review_due")) & (
        Q(next_review_due__gte=escalate_before) | Q(_reminded(Kind.REVIEW_ESCALATION, "problem", "next_review_due"))
    )
    queryset = (
        Problem.objects.review_overdue(today=today)
        .exclude(done)
        .select_related("owner", "district", "district__inspector")
        .only(
            "id",
            "stage",
            "next_review_due",
            "district_id",
            "owner__id",
            "owner__email",
            "owner__is_active",
            "district__id",
            "district__escalation_email",
            "district__inspector__id",
            "district__inspector__email",
            "district__inspector__is_active",
        )
        .order_by()
    )

    def rows(problem: Problem) -> list[Reminder]:
        due = problem.next_review_due
        assert due is not None
        overdue = problem.days_overdue(today)
        note = f"{overdue} day{'s' if overdue != 1 else ''} overdue"
        recipients = _unique([*_active(problem.owner), *people.supervisors(problem.district_id)])
        out = [_row(Kind.REVIEW_OVERDUE, problem, r, period=due, note=note) for r in recipients]
        if due < escalate_before:
            district = problem.district
            escalate_to = Recipient.named_else(district.inspector, district.escalation_email)
            if not escalate_to:
                logger.warning(
                    "Review of problem %s is past its grace period but district %s has no inspector "
                    "or escalation email",
                    problem.pk,
                    district.pk,
                )
            out += [_row(Kind.REVIEW_ESCALATION, problem, r, period=due, note=note) for r in escalate_to]
        return out

    return queryset, rows


def _action_due(now: datetime.datetime, people: _People) -> tuple[QuerySet[Any], Callable[[Any], list[Reminder]]]:
    """Open actions due soon or overdue, on open problems: the person responsible, else the agency.

    The agency is reached through its contact address, else its partner users; an action
    nobody at the agency can be reached for goes to the problem's owner, so it is never
    silently dropped. "Due soon" and "overdue" are each sent once per due date.
    """
    today = timezone.localdate(now)
    queryset = (
        Action.objects.alias(
            _reminded_overdue=_reminded(Kind.ACTION_OVERDUE, "action", "due_on"),
            _reminded_soon=_reminded(Kind.ACTION_DUE_SOON, "action", "due_on"),
        )
        .filter(
            status__in=Action.OPEN_STATUSES,
            due_on__lte=today + datetime.timedelta(days=action_due_soon_days()),
            problem__stage__in=OPEN_STAGES,
        )
        .exclude(
            Q(due_on__lt=today, _reminded_overdue=True) | Q(due_on__gte=today, _reminded_soon=True),
        )
        .select_related("problem", "problem__owner", "agency", "assignee")
        .only(
            "id",
            "due_on",
            "agency_id",
            "problem__id",
            "problem__owner__id",
            "problem__owner__email",
            "problem__owner__is_active",
            "agency__id",
            "agency__contact_email",
            "assignee__id",
            "assignee__email",
            "assignee__is_active",
        )
        .order_by()
    )

    def rows(action: Action) -> list[Reminder]:
        due = action.due_on
        assert due is not None
        kind = Kind.ACTION_OVERDUE if due < today else Kind.ACTION_DUE_SOON
        recipients = _active(action.assignee)
        if not recipients and action.agency.contact_email:
            recipients = [Recipient.for_address(action.agency.contact_email)]
        if not recipients:
            recipients = people.partners(action.agency_id)
        if not recipients:
            recipients = _active(action.problem.owner)
        days = (today - due).days
        note = f"{days} day{'s' if days != 1 else ''} overdue" if days > 0 else f"due {due:%d %B %Y}"
        return [_row(kind, action.problem, r, period=due, action=action, note=note) for r in _unique(recipients)]

    return queryset, rows


def _public_update_due(
    now: datetime.datetime, people: _People
) -> tuple[QuerySet[Any], Callable[[Any], list[Reminder]]]:
    """Open public priorities with no approved public update for a month: their owner.

    Each month without an update is its own due period, counted from the last approved
    update (or the adoption date), so an owner hears once a month until one is published.
    """
    today = timezone.localdate(now)
    interval = public_update_days()
    since = now - datetime.timedelta(days=interval)
    last_approved = (
        ProgressUpdate.objects.filter(
            problem_id=OuterRef("pk"), status=ProgressUpdate.Status.APPROVED, decided_at__isnull=False
        )
        .order_by("-decided_at")
        .values("decided_at")[:1]
    )
    queryset = (
        Problem.objects.open()
        .filter(public_priority=True, adopted_on__lte=today - datetime.timedelta(days=interval))
        .annotate(last_public_update=Subquery(last_approved))
        .filter(Q(last_public_update__isnull=True) | Q(last_public_update__lt=since))
        .select_related("owner")
        .only("id", "adopted_on", "owner__id", "owner__email", "owner__is_active")
        .order_by()
    )

    def rows(problem: Any) -> list[Reminder]:
        last = problem.last_public_update
        base = timezone.localdate(last) if last else problem.adopted_on
        periods = max((today - base).days // interval, 1)
        period = base + datetime.timedelta(days=periods * interval)
        note = f"last public update {last:%d %B %Y}" if last else "no public update yet"
        return [_row(Kind.PUBLIC_UPDATE_DUE, problem, r, period=period, note=note) for r in _active(problem.owner)]

    return queryset, rows


def _evaluation_waiting(
    now: datetime.datetime, people: _People
) -> tuple[QuerySet[Any], Callable[[Any], list[Reminder]]]:
    """Problems closed (with action) for a while and not yet evaluated: the force's analysts.

    Filtered by the forces that have an analyst, so the (force, stage, closed_at) index is used; reminded once
    per closure (a problem reopened and closed again is a new period), and a problem whose
    analysts have already been reminded of this closure is not walked again.
    """
    before = now - datetime.timedelta(days=evaluation_after_days())
    # only forces with an analyst to tell: the others' closures would be walked every run for nobody
    force_ids = list(
        User.objects.filter(role=User.Role.ANALYST, is_active=True, agency__force__isnull=False)
        .order_by()
        .values_list("agency__force_id", flat=True)
        .distinct()
    )
    queryset = (
        Problem.objects.filter(force_id__in=force_ids, stage=Stage.CLOSED, closed_at__lte=before)
        .not_evaluated()
        .alias(closed_on=TruncDate("closed_at", tzinfo=timezone.get_current_timezone()))
        .exclude(_reminded(Kind.EVALUATION_WAITING, "problem", "closed_on"))
        .only("id", "force_id", "closed_at")
        .order_by()
    )

    def rows(problem: Problem) -> list[Reminder]:
        closed_on = timezone.localdate(problem.closed_at)
        days = (timezone.localdate(now) - closed_on).days
        note = f"closed {days} days ago"
        return [
            _row(Kind.EVALUATION_WAITING, problem, r, period=closed_on, note=note)
            for r in people.analysts(problem.force_id)
        ]

    return queryset, rows


def _meeting_standard(now: datetime.datetime, people: _People) -> tuple[QuerySet[Any], Callable[[Any], list[Reminder]]]:
    """Neighbourhoods with no PACT meeting in the last month, or none booked: their district's supervisors.

    One aggregate query over the neighbourhoods (``jps.meetings``); reminded once a month, and
    a neighbourhood already reminded this month is not walked again.
    """

    district_ids = District.objects.order_by("id").values_list("id", flat=True)
    month = timezone.localdate(now).replace(day=1)
    queryset = neighbourhoods_failing_meeting_standard(district_ids=district_ids, now=now).exclude(
        _reminded(Kind.MEETING_STANDARD, "neighbourhood", period=month.isoformat())
    )

    def rows(neighbourhood: Neighbourhood) -> list[Reminder]:
        last, upcoming = neighbourhood.last_meeting_at, neighbourhood.next_meeting_at  # type: ignore[attr-defined]
        held = f"last meeting {timezone.localdate(last):%d %B %Y}" if last else "no meeting held yet"
        note = f"{held}; {'next booked' if upcoming else 'none booked'}"
        return [
            Reminder(
                kind=Kind.MEETING_STANDARD,
                neighbourhood_id=neighbourhood.pk,
                recipient_id=r.user_id,
                email=r.email,
                item_key=reminder_item_key("neighbourhood", neighbourhood.pk),
                recipient_key=r.key,
                period_key=month.isoformat(),
                due_on=timezone.localdate(now),
                note=note[:200],
            )
            for r in people.supervisors(neighbourhood.district_id)
        ]

    return queryset, rows


COLLECTORS: dict[str, Collector] = {
    "review_overdue": _review_overdue,
    "review_tier_inspector": review_tier_inspector_due,
    "review_tier_chief": review_tier_chief_due,
    "action_due": _action_due,
    "action_escalation": action_escalation,
    "public_update_due": _public_update_due,
    "evaluation_waiting": _evaluation_waiting,
    "meeting_standard": _meeting_standard,
    **CASE_REVIEW_COLLECTORS,
    "high_risk_victims": high_risk_victims_due,
    "contact_due": contact_due,
    **RESIDENT_COLLECTORS,
    **TEAM_MESSAGE_COLLECTORS,
}

#: Every job ``run_job`` knows: each collector (then a delivery), all of them, or delivery alone.
JOBS = [*COLLECTORS, "daily_digest", "deliver_pending"]


def _batched(rows: Iterable[Reminder], size: int) -> Iterator[list[Reminder]]:
    batch: list[Reminder] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def collect(name: str, *, now: datetime.datetime, result: JobResult, progress: Progress) -> None:
    """Record the reminders one collector finds due; existing rows (same period) are left alone."""
    queryset, rows_for = COLLECTORS[name](now, _People())
    progress.start(name.replace("_", " "), queryset.count())
    created_at = timezone.now()

    def rows() -> Iterator[Reminder]:
        for item in queryset.iterator(chunk_size=BATCH_SIZE):
            result.items += 1
            progress.advance()
            for row in rows_for(item):
                row.created_at = created_at
                result.by_kind[str(row.kind)] = result.by_kind.get(str(row.kind), 0) + 1
                yield row

    for batch in _batched(rows(), BATCH_SIZE):
        Reminder.objects.bulk_create(batch, ignore_conflicts=True)
        result.reminders += len(batch)
    progress.finish()
