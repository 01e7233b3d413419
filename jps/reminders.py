"""Reminders: who must be nudged about what, recorded once per due period, sent as one digest per person.

Every job runs in two steps, so that it is idempotent and survives being killed:

1. **collect** walks only the items that are due (indexed queries, streamed with
   ``.iterator()``) and inserts one ``Reminder`` row per (kind, item, recipient, due
   period), ignoring conflicts with the unique constraint. A rerun, a retry or a second
   worker inserts the same rows and the database keeps one.
2. **deliver** takes each recipient with unsent rows, claims those rows with a
   conditional UPDATE (only rows nobody holds, or whose claim has gone stale), sends one
   digest listing them all, then marks them sent. Two workers never claim the same row;
   a worker killed between claim and send leaves rows that the next run reclaims once
   the claim is older than ``CLAIM_TIMEOUT``.

Tasks (``tasks.jobs``) and the ``run_job`` command are thin wrappers around ``run_job``.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, TruncDate
from django.template.loader import render_to_string
from django.utils import timezone

from . import links
from .models import (
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
from .models.reminders import Item, reminder_item_key, reminder_item_key_sql

logger = logging.getLogger(__name__)

Kind = Reminder.Kind

#: Rows inserted, and recipients delivered, per database round trip.
BATCH_SIZE = 500
#: A claim older than this is taken to belong to a worker that died; its rows are sent again.
CLAIM_TIMEOUT = datetime.timedelta(minutes=15)

#: Order of sections in a digest.
KIND_ORDER = [
    Kind.REVIEW_ESCALATION,
    Kind.REVIEW_OVERDUE,
    Kind.ACTION_OVERDUE,
    Kind.ACTION_DUE_SOON,
    Kind.PUBLIC_UPDATE_DUE,
    Kind.EVALUATION_WAITING,
    Kind.MEETING_STANDARD,
]


def escalation_grace_days() -> int:
    """Days a review may stay overdue before it escalates to the district's inspector."""
    return int(getattr(settings, "REMINDER_ESCALATION_GRACE_DAYS", 7))


def action_due_soon_days() -> int:
    return int(getattr(settings, "REMINDER_ACTION_DUE_SOON_DAYS", 3))


def public_update_days() -> int:
    """The Policing Pledge's monthly update, in days."""
    return int(getattr(settings, "REMINDER_PUBLIC_UPDATE_DAYS", 30))


def evaluation_after_days() -> int:
    return int(getattr(settings, "REMINDER_EVALUATION_AFTER_DAYS", 14))


class Progress(Protocol):
    """What the jobs report to (the ``run_job`` command's progress bar); optional."""

    def start(self, label: str, total: int) -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def finish(self) -> None: ...


class _NoProgress:
    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


@dataclass
class JobResult:
    """What one run did; returned by the tasks (so it must stay JSON-friendly)."""

    job: str
    items: int = 0
    reminders: int = 0
    digests: int = 0
    sent_items: int = 0
    failed: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- recipients ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    key: str
    user_id: int | None
    email: str

    @classmethod
    def for_user(cls, user: User) -> Recipient:
        return cls(key=f"user:{user.pk}", user_id=user.pk, email=user.email or "")

    @classmethod
    def for_address(cls, email: str) -> Recipient:
        address = email.strip().lower()
        return cls(key=f"email:{address}", user_id=None, email=address)


class _People:
    """Per-run caches of the people behind a district, an agency or a force: one query each."""

    def __init__(self) -> None:
        self._supervisors: dict[int, list[Recipient]] = {}
        self._partners: dict[int, list[Recipient]] = {}
        self._analysts: dict[int, list[Recipient]] = {}

    @staticmethod
    def _users(queryset: QuerySet[User]) -> list[Recipient]:
        return [Recipient.for_user(u) for u in queryset.filter(is_active=True).only("id", "email").order_by("id")]

    def supervisors(self, district_id: int) -> list[Recipient]:
        if district_id not in self._supervisors:
            users = User.objects.filter(role=User.Role.SUPERVISOR, districts=district_id)
            self._supervisors[district_id] = self._users(users)
        return self._supervisors[district_id]

    def partners(self, agency_id: int) -> list[Recipient]:
        if agency_id not in self._partners:
            users = User.objects.filter(role=User.Role.PARTNER, agency_id=agency_id)
            self._partners[agency_id] = self._users(users)
        return self._partners[agency_id]

    def analysts(self, force_id: int) -> list[Recipient]:
        if force_id not in self._analysts:
            users = User.objects.filter(role=User.Role.ANALYST, agency__force_id=force_id)
            self._analysts[force_id] = self._users(users)
        return self._analysts[force_id]


def _active(user: User | None) -> list[Recipient]:
    return [Recipient.for_user(user)] if user is not None and user.is_active else []


def _row(
    kind: str,
    problem: Problem,
    recipient: Recipient,
    *,
    period: datetime.date,
    action: Action | None = None,
    note: str = "",
) -> Reminder:
    return Reminder(
        kind=kind,
        problem_id=problem.pk,
        action_id=action.pk if action else None,
        recipient_id=recipient.user_id,
        email=recipient.email,
        item_key=reminder_item_key("action", action.pk) if action else reminder_item_key("problem", problem.pk),
        recipient_key=recipient.key,
        period_key=period.isoformat(),
        due_on=period,
        note=note[:200],
    )


def _unique(recipients: Iterable[Recipient]) -> list[Recipient]:
    seen: dict[str, Recipient] = {}
    for recipient in recipients:
        seen.setdefault(recipient.key, recipient)
    return list(seen.values())


# --- collectors: which items are due, and who hears about them ---------------------------------

Collector = Callable[[datetime.datetime, _People], tuple[QuerySet[Any], Callable[[Any], list[Reminder]]]]


def _reminded(kind: str, item: Item, period_field: str = "", *, period: str = "") -> Exists:
    """Whether this item already has reminders of ``kind`` for its current due period.

    The period is the item's own ``period_field`` (a review date, a due date), or one
    ``period`` for every item (a month).

    Collectors skip such items, so a daily run walks what fell due since the last run, not
    every item still overdue (the unique index on kind and item answers each lookup): the
    cost grows with what is newly due, not with the backlog or the table.
    """
    return Exists(
        Reminder.objects.filter(
            kind=kind,
            item_key=reminder_item_key_sql(item, OuterRef("pk")),
            period_key=Cast(OuterRef(period_field), output_field=CharField()) if period_field else Value(period),
        )
    )


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
            escalate_to = _active(district.inspector)
            if not escalate_to and district.escalation_email:
                escalate_to = [Recipient.for_address(district.escalation_email)]
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
    from .meetings import neighbourhoods_failing_meeting_standard

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
    "action_due": _action_due,
    "public_update_due": _public_update_due,
    "evaluation_waiting": _evaluation_waiting,
    "meeting_standard": _meeting_standard,
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


# --- delivery: claim → send → mark sent ------------------------------------------------------------


def _claimable() -> QuerySet[Reminder]:
    stale = timezone.now() - CLAIM_TIMEOUT
    return Reminder.objects.filter(sent_at__isnull=True, attempts__lt=Reminder.MAX_ATTEMPTS).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale)
    )


def _recipient_keys() -> Iterator[str]:
    """Recipients with something to send, walked in keyset batches (never a whole table in memory)."""
    last = ""
    while True:
        keys = list(
            _claimable()
            .filter(recipient_key__gt=last)
            .order_by("recipient_key")
            .values_list("recipient_key", flat=True)
            .distinct()[:BATCH_SIZE]
        )
        yield from keys
        if len(keys) < BATCH_SIZE:
            return
        last = keys[-1]


def digest_context(reminders: list[Reminder]) -> dict[str, Any]:
    """The items of one digest, grouped by kind in a fixed order, each with its link."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for reminder in reminders:
        problem = reminder.problem
        if problem is None:  # a neighbourhood's reminder (the meeting standard)
            area = reminder.neighbourhood
            name = area.display_name if area else ""
            groups[reminder.kind].append(
                {
                    "reference": "",
                    "title": f"{name}: PACT meetings",
                    "neighbourhood": name,
                    "action": None,
                    "due_on": reminder.due_on,
                    "note": reminder.note,
                    "url": links.url_for("meetings"),
                }
            )
            continue
        url = links.url_for("problem", problem_id=problem.pk, action_id=reminder.action_id)
        groups[reminder.kind].append(
            {
                "reference": problem.reference,
                "title": problem.title,
                "neighbourhood": problem.neighbourhood.display_name,
                "action": reminder.action,
                "due_on": reminder.due_on,
                "note": reminder.note,
                "url": url,
            }
        )
    labels = dict(Kind.choices)
    sections = [{"kind": k, "label": labels[k], "items": groups[k]} for k in KIND_ORDER if groups.get(k)]
    return {"sections": sections, "count": len(reminders), "site_url": settings.SITE_URL}


def _send_digest(address: str, name: str, reminders: list[Reminder]) -> None:
    context = {**digest_context(reminders), "name": name}
    count = context["count"]
    if count == 1:
        first = reminders[0]
        what = first.problem.reference if first.problem else str(first.neighbourhood)
        subject = f"JPS reminder: {first.get_kind_display().lower()} — {what}"
    else:
        subject = f"JPS reminders: {count} items need your attention"
    text = render_to_string("jps/email/reminder_digest.txt", context)
    html = render_to_string("jps/email/reminder_digest.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [address])
    message.attach_alternative(html, "text/html")
    message.send()


def deliver_to(recipient_key: str, *, result: JobResult) -> None:
    """Claim this recipient's unsent reminders, send them as one digest, and mark them sent.

    The claim is a conditional UPDATE: another worker that got here first has set
    ``claimed_at`` on the rows, so this UPDATE matches none of them and sends nothing.
    """
    token = uuid.uuid4().hex
    stale = timezone.now() - CLAIM_TIMEOUT
    claimed = (
        Reminder.objects.filter(recipient_key=recipient_key, sent_at__isnull=True, attempts__lt=Reminder.MAX_ATTEMPTS)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(claim_token=token, claimed_at=timezone.now())
    )
    if not claimed:
        return
    # The token alone names this claim's rows (marking them sent clears it), and it lets the planner
    # use the claim index: with ``sent_at IS NULL`` too it walked every unsent row instead.
    mine = Reminder.objects.filter(claim_token=token)
    reminders = list(
        mine.select_related(
            "problem", "problem__neighbourhood", "action", "action__agency", "recipient", "neighbourhood"
        ).order_by("due_on", "id")
    )
    recipient = reminders[0].recipient
    address = recipient.email if recipient is not None else reminders[0].email
    if not address or (recipient is not None and not recipient.is_active):
        why = "No email address" if not address else "Recipient no longer active"
        mine.update(sent_at=timezone.now(), claim_token="", last_error=f"{why}: shown in JPS only.")
        return
    try:
        _send_digest(address, str(recipient) if recipient else "", reminders)
    except Exception as error:
        logger.exception("Reminder digest to %s failed; it will be retried on the next run", recipient_key)
        mine.update(claim_token="", claimed_at=None, attempts=F("attempts") + 1, last_error=str(error)[:300])
        result.failed += len(reminders)
        return
    mine.update(sent_at=timezone.now(), claim_token="", last_error="")
    result.digests += 1
    result.sent_items += len(reminders)


def deliver_pending(*, result: JobResult, progress: Progress) -> None:
    """Send every recipient one digest of all their unsent reminders (of any kind)."""
    total = _claimable().values("recipient_key").distinct().count()
    progress.start("digests", total)
    for key in _recipient_keys():
        deliver_to(key, result=result)
        progress.advance()
    progress.finish()


def run_job(name: str, *, now: datetime.datetime | None = None, progress: Progress | None = None) -> JobResult:
    """Run one job once: a collector then a delivery, ``daily_digest`` (all collectors, one
    delivery, so each person gets one email) or ``deliver_pending`` (catch up unsent)."""
    if name not in JOBS:
        raise ValueError(f"Unknown job {name!r}; choose one of: {', '.join(JOBS)}.")
    now = now or timezone.now()
    progress = progress or _NoProgress()
    result = JobResult(job=name)
    names = list(COLLECTORS) if name == "daily_digest" else [name] if name in COLLECTORS else []
    for collector in names:
        collect(collector, now=now, result=result, progress=progress)
    deliver_pending(result=result, progress=progress)
    logger.info("Reminder job %s: %s", name, result.as_dict())
    return result


def parse_now(value: str | None) -> datetime.datetime | None:
    """An ISO date or date-time from a command line or a task argument; naive means local time."""
    if not value:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{value!r} is not an ISO date or date-time (e.g. 2026-03-01T07:00).") from error
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed
