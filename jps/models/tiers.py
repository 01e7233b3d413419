"""A problem's risk and the review tiers it drives: who reviews a problem, and how often — a force's settings.

A tier is a level of supervision: the sergeant (the district's supervisors), the district's
inspector and its chief inspector. Each force says, per risk, which tiers review and every
how many days (``ReviewTier`` rows, kept in the admin with their history). A force with no
rows follows the national default, ``DEFAULT_REVIEW_TIERS``; a force with rows follows its
rows alone, so it can drop a tier as well as change a cadence.

The sergeant's cadence is the problem's review clock (``Problem.review_interval_days`` and
``next_review_due``, via ``Problem.review_interval_for_risk``); the higher tiers have their
own reminders (``jps.reminders.escalation``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class Risk(models.TextChoices):
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


#: Rank of each risk, lowest first: raising the risk restarts the higher review tiers' clocks.
RISK_ORDER: list[str] = [Risk.STANDARD, Risk.MEDIUM, Risk.HIGH]

#: The national default days between supervisory reviews, by risk: the sergeant's tier.
REVIEW_INTERVAL_DAYS: dict[str, int] = {Risk.STANDARD: 56, Risk.MEDIUM: 28, Risk.HIGH: 14}


class Tier(models.TextChoices):
    """A level of supervision that reviews problems."""

    SERGEANT = "sergeant", "Sergeant"
    INSPECTOR = "inspector", "Inspector"
    CHIEF_INSPECTOR = "chief_inspector", "Chief inspector"


#: Lowest first: a review at one tier also counts for every tier below it.
TIER_ORDER: list[str] = [Tier.SERGEANT, Tier.INSPECTOR, Tier.CHIEF_INSPECTOR]

#: The national default, (risk, tier) → every how many days. The sergeant's are ``REVIEW_INTERVAL_DAYS``.
DEFAULT_REVIEW_TIERS: dict[tuple[str, str], int] = {
    **{(risk, Tier.SERGEANT.value): days for risk, days in REVIEW_INTERVAL_DAYS.items()},
    (Risk.HIGH, Tier.INSPECTOR): 28,
    (Risk.HIGH, Tier.CHIEF_INSPECTOR): 56,
    (Risk.MEDIUM, Tier.INSPECTOR): 56,
}


class ReviewTier(models.Model):
    """One force's cadence for one tier at one risk: "high risk: the inspector every 28 days"."""

    force = models.ForeignKey("jps.Force", on_delete=models.CASCADE, related_name="review_tiers")
    risk = models.CharField(max_length=16, choices=Risk.choices)
    tier = models.CharField(max_length=16, choices=Tier.choices)
    every_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Days between reviews at this tier; counted from the last review at this tier or above, "
        "else from when the problem was logged or its risk raised.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["force", "risk", "tier"]
        constraints = [models.UniqueConstraint(fields=["force", "risk", "tier"], name="review_tier_unique")]

    def __str__(self) -> str:
        return f"{self.get_risk_display()} risk: {self.get_tier_display()} every {self.every_days} days"


def tiers_at_or_above(tier: str) -> list[str]:
    """The tiers whose review counts for ``tier``: a chief inspector's review is an inspector's too."""
    return TIER_ORDER[TIER_ORDER.index(tier) :]


def review_tiers_for(force_id: int | None) -> dict[tuple[str, str], int]:
    """A force's tiers, (risk, tier) → days: its own rows, else the national default."""
    if force_id is None:
        return dict(DEFAULT_REVIEW_TIERS)
    rows = ReviewTier.objects.filter(force_id=force_id).values_list("risk", "tier", "every_days")
    return {(risk, tier): days for risk, tier, days in rows} or dict(DEFAULT_REVIEW_TIERS)


def sergeant_days(force_id: int | None, risk: str) -> int | None:
    """Days between the sergeant's reviews at ``risk``: the force's setting, else the national default."""
    return review_tiers_for(force_id).get((risk, Tier.SERGEANT)) or REVIEW_INTERVAL_DAYS.get(risk)


def tier_of(*, district: models.Model, user_id: int | None) -> str:
    """The tier a reviewer acts in on a district's problem: its chief inspector, its inspector, else sergeant."""
    if user_id is not None and user_id == getattr(district, "chief_inspector_id", None):
        return Tier.CHIEF_INSPECTOR
    if user_id is not None and user_id == getattr(district, "inspector_id", None):
        return Tier.INSPECTOR
    return Tier.SERGEANT


@dataclass(frozen=True)
class TierCadence:
    """One tier's cadence by risk, for every force at once: what a reminder run needs in one small query."""

    tier: str
    default: dict[str, int]
    #: Forces with settings of their own → their cadence by risk for this tier (empty: they have no such tier).
    by_force: dict[int, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def load(cls, tier: str) -> TierCadence:
        by_force: dict[int, dict[str, int]] = {}
        for force_id, risk, row_tier, days in ReviewTier.objects.values_list("force_id", "risk", "tier", "every_days"):
            cadence = by_force.setdefault(force_id, {})
            if row_tier == tier:
                cadence[risk] = days
        default = {risk: days for (risk, row_tier), days in DEFAULT_REVIEW_TIERS.items() if row_tier == tier}
        return cls(tier=tier, default=default, by_force=by_force)

    def days(self, force_id: int, risk: str) -> int | None:
        return self.by_force.get(force_id, self.default).get(risk)

    def groups(self) -> list[tuple[str, int, Q]]:
        """(risk, days, which forces) for each cadence in use: a filter on ``Problem`` per group."""
        forces: dict[tuple[str, int], list[int]] = {}
        for force_id, cadence in sorted(self.by_force.items()):
            for risk, days in cadence.items():
                forces.setdefault((risk, days), []).append(force_id)
        groups = [(risk, days, Q(force_id__in=ids)) for (risk, days), ids in sorted(forces.items())]
        others = ~Q(force_id__in=sorted(self.by_force))
        return groups + [(risk, days, others) for risk, days in sorted(self.default.items())]


def tier_period(*, since: datetime.date, every_days: int, today: datetime.date) -> datetime.date:
    """The due date of the current period: ``since`` plus whole cadences, the latest on or before ``today``.

    A tier unreviewed for two cadences is due again, so its reviewer hears once per period.
    """
    periods = max((today - since).days // every_days, 1)
    return since + datetime.timedelta(days=periods * every_days)
