"""Collectors for escalation that reaches someone: the higher review tiers, and partner actions long overdue.

- **Review tiers** (``jps.models.tiers``): an open problem whose risk has an inspector (or chief
  inspector) cadence, with no review at that tier or above for that many days since the last one,
  or since the problem was logged or its risk raised, is due for that tier's review. The district's
  inspector (chief inspector) hears once per period, else the district's escalation address. One
  query per tier: each cadence in use is one branch of its filter, with its own dates.
- **Partner actions**: an action of a partner agency overdue by more than the grace period
  (``action_escalation_grace_days``) goes to the agency's manager, else its contact address, else
  the district's supervisors; once per due date, in the same digest as everything else.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ..models import OPEN_STAGES, Action, Agency, Problem, Reminder, SupervisoryReview
from ..models.reminders import reminder_item_key_sql
from ..models.tiers import Tier, TierCadence, tier_period, tiers_at_or_above
from .common import (
    Collector,
    Kind,
    Recipient,
    _People,
    _reminded,
    _row,
    _unique,
    action_escalation_grace_days,
    logger,
)

#: Each higher tier: its reminder kind and the district's field naming its reviewer.
TIER_REMINDERS: dict[str, tuple[str, str]] = {
    Tier.INSPECTOR: (Kind.REVIEW_TIER_INSPECTOR, "inspector"),
    Tier.CHIEF_INSPECTOR: (Kind.REVIEW_TIER_CHIEF, "chief_inspector"),
}


def _day_starts(day: datetime.date) -> datetime.datetime:
    """Local midnight at the start of ``day``: what the problem's and the reviews' times compare with."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _tier_due_q(tier: str, kind: str, cadence: TierCadence, today: datetime.date) -> Q:
    """Due for ``tier`` today, per cadence: nothing at the tier (or above) since a day ``days`` ago or
    earlier, and not yet reminded in this period (a reminder due within the last ``days`` days)."""
    due = Q(pk__in=[])
    for risk, days, forces in cadence.groups():
        before = _day_starts(today - datetime.timedelta(days=days - 1))
        reminded = Reminder.objects.filter(
            kind=kind,
            item_key=reminder_item_key_sql("problem", OuterRef("pk")),
            due_on__gt=today - datetime.timedelta(days=days),
        )
        due |= (
            forces
            & Q(risk=risk, created_at__lt=before)
            & (Q(risk_raised_at__isnull=True) | Q(risk_raised_at__lt=before))
            & (Q(last_tier_review__isnull=True) | Q(last_tier_review__lt=before))
            & ~Q(Exists(reminded))
        )
    return due


def _review_tier_due(tier: str) -> Collector:
    kind, reviewer = TIER_REMINDERS[tier]

    def collector(now: datetime.datetime, people: _People) -> tuple[QuerySet[Any], Callable[[Any], list[Reminder]]]:
        today = timezone.localdate(now)
        cadence = TierCadence.load(tier)
        risks = sorted({risk for risk, _, _ in cadence.groups()})
        last_review = (
            SupervisoryReview.objects.filter(problem_id=OuterRef("pk"), tier__in=tiers_at_or_above(tier))
            .order_by("-reviewed_at")
            .values("reviewed_at")[:1]
        )
        queryset = (
            Problem.objects.open()
            .filter(risk__in=risks)
            .annotate(last_tier_review=Subquery(last_review))
            .filter(_tier_due_q(tier, kind, cadence, today))
            .select_related("district", f"district__{reviewer}")
            .only(
                "id",
                "force_id",
                "risk",
                "created_at",
                "risk_raised_at",
                "district__id",
                "district__escalation_email",
                f"district__{reviewer}__id",
                f"district__{reviewer}__email",
                f"district__{reviewer}__is_active",
            )
            .order_by()
        )

        def rows(problem: Any) -> list[Reminder]:
            days = cadence.days(problem.force_id, problem.risk)
            assert days is not None
            started = [problem.created_at, problem.risk_raised_at, problem.last_tier_review]
            since = timezone.localdate(max(t for t in started if t is not None))
            period = tier_period(since=since, every_days=days, today=today)
            district = problem.district
            recipients = Recipient.named_else(getattr(district, reviewer), district.escalation_email)
            if not recipients:
                logger.warning(
                    "Problem %s is due for its %s review but district %s names nobody and has no escalation email",
                    problem.pk,
                    tier,
                    district.pk,
                )
            note = f"{problem.get_risk_display()} risk: every {days} days; none since {since:%d %B %Y}"
            return [_row(kind, problem, r, period=period, note=note) for r in recipients]

        return queryset, rows

    return collector


review_tier_inspector_due = _review_tier_due(Tier.INSPECTOR)
review_tier_chief_due = _review_tier_due(Tier.CHIEF_INSPECTOR)


def action_escalation(now: datetime.datetime, people: _People) -> tuple[QuerySet[Any], Callable[[Any], list[Reminder]]]:
    """Partner actions overdue past the grace period: the agency's manager, once per due date.

    Police actions are left to the problem's supervisory review. An agency that names no
    manager is reached at its contact address; one with neither, through the district's
    supervisors, so the escalation reaches someone who can chase it.
    """
    today = timezone.localdate(now)
    before = today - datetime.timedelta(days=action_escalation_grace_days())
    queryset = (
        Action.objects.filter(status__in=Action.OPEN_STATUSES, due_on__lt=before, problem__stage__in=OPEN_STAGES)
        .exclude(agency__kind=Agency.Kind.POLICE)
        .exclude(_reminded(Kind.ACTION_ESCALATION, "action", "due_on"))
        .select_related("problem", "agency", "agency__manager")
        .only(
            "id",
            "due_on",
            "agency_id",
            "problem__id",
            "problem__district_id",
            "agency__id",
            "agency__name",
            "agency__contact_email",
            "agency__manager__id",
            "agency__manager__email",
            "agency__manager__is_active",
        )
        .order_by()
    )

    def rows(action: Action) -> list[Reminder]:
        due = action.due_on
        assert due is not None
        agency = action.agency
        recipients = Recipient.named_else(agency.manager, agency.contact_email)
        if not recipients:
            recipients = people.supervisors(action.problem.district_id)
        days = (today - due).days
        note = f"{days} days overdue ({agency.name})"
        return [
            _row(Kind.ACTION_ESCALATION, action.problem, r, period=due, action=action, note=note)
            for r in _unique(recipients)
        ]

    return queryset, rows
