"""What every reminder job shares: its settings, its progress and result, and the people it tells."""

from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.db.models import CharField, Exists, F, OuterRef, QuerySet, Value
from django.db.models.functions import Cast

from ..models import (
    Action,
    Problem,
    Reminder,
    User,
)
from ..models.reminders import Item, Recipient, reminder_item_key, reminder_item_key_sql

logger = logging.getLogger("jps.reminders")

Kind = Reminder.Kind

#: Rows inserted, and recipients delivered, per database round trip.
BATCH_SIZE = 500
#: A claim older than this is taken to belong to a worker that died; its rows are sent again.
#: The daily digest's sending goes out in chunks of this many recipients, one task each, when a run
#: has more than one chunk, so every worker takes a share (``tasks.jobs.send_digest_chunk``).
#: ``JPS_DIGEST_CHUNK`` in the environment or in settings (the tests) changes it.
DIGEST_CHUNK = int(os.environ.get("JPS_DIGEST_CHUNK", "200"))
CLAIM_TIMEOUT = datetime.timedelta(minutes=15)

#: Order of sections in a digest.
KIND_ORDER = [
    Kind.REVIEW_ESCALATED_BY_SUPERVISOR,
    Kind.HIGH_RISK_VICTIM,
    Kind.REVIEW_ESCALATION,
    Kind.REVIEW_TIER_CHIEF,
    Kind.REVIEW_TIER_INSPECTOR,
    Kind.REVIEW_OVERDUE,
    Kind.ACTION_ESCALATION,
    Kind.TEAM_MESSAGE_DUE,
    Kind.RESIDENT_NOT_FIXED,
    Kind.RESIDENT_REPORT_TRIAGE,
    Kind.CONTACT_OVERDUE,
    Kind.CONTACT_DUE,
    Kind.ACTION_OVERDUE,
    Kind.ACTION_DUE_SOON,
    Kind.PUBLIC_UPDATE_DUE,
    Kind.EVALUATION_WAITING,
    Kind.MEETING_STANDARD,
    Kind.PLEDGE_EXPLANATION_DUE,
    Kind.CASE_REVIEW_ESCALATION,
    Kind.CASE_REVIEW_DUE,
    Kind.CASE_REVIEW_SUGGESTED,
]


def escalation_grace_days() -> int:
    """Days a review may stay overdue before it escalates to the district's inspector."""
    return int(getattr(settings, "REMINDER_ESCALATION_GRACE_DAYS", 7))


def action_escalation_grace_days() -> int:
    """Days an action may stay overdue before it escalates to its agency's manager.

    Longer than the review's grace: an action's own overdue reminder has gone to the person or
    agency responsible, and partners work to their own timetables; two weeks late is a matter
    for their manager.
    """
    return int(getattr(settings, "REMINDER_ACTION_ESCALATION_GRACE_DAYS", 14))


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


class NoProgress:
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
    chunks: int = 0  # chunks of recipients queued for other workers (their digests are counted there)
    by_kind: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _reminded(kind: str, item: Item, period_field: str = "", *, period: str | F = "") -> Exists:
    """Whether this item already has reminders of ``kind`` for its current due period.

    The period is the item's own ``period_field`` (a review date, a due date), or one
    ``period`` for every item (a month), or an expression over the item (``OuterRef("period")``,
    an annotation of the collector's queryset).

    Collectors skip such items, so a daily run walks what fell due since the last run, not
    every item still overdue (the unique index on kind and item answers each lookup): the
    cost grows with what is newly due, not with the backlog or the table.
    """
    return Exists(
        Reminder.objects.filter(
            kind=kind,
            item_key=reminder_item_key_sql(item, OuterRef("pk")),
            period_key=(
                Cast(OuterRef(period_field), output_field=CharField())
                if period_field
                else Value(period)
                if isinstance(period, str)
                else period
            ),
        )
    )


# --- recipients ------------------------------------------------------------------------------


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


#: A collector: given the run's time and people, the due items (one query) and each item's reminder rows.
Collector = Callable[[datetime.datetime, _People], tuple[QuerySet[Any], Callable[[Any], list[Reminder]]]]


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
