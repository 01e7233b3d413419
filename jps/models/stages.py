"""A problem's stage changes as rows: the SARA timeline, without diffing its history."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from .fields import REASON, BoundedTextField
from .problems import Problem, Stage


class StageChange(models.Model):
    """One move of a problem from one SARA stage to another: who, why and when (healthchecks' ``Flip``).

    Written by ``services.problem_create`` (from nothing to scanning) and by
    ``services.problem_transition`` (every other move, the merge's and the meeting sign-off's
    included), in the transaction that changes the stage, so a problem's latest row always
    names its current stage and ``at`` equals its ``stage_changed_at``. Append-only in spirit:
    no service edits or deletes one (the admin shows them read-only).

    ``from_entered_at`` is when the problem entered ``from_stage`` (its ``stage_changed_at``
    before the move), so each row is also the stint just ended: ``at - from_entered_at`` days
    in ``from_stage``. Days in stage are then a plain aggregate over rows, with no window
    over a problem's timeline and nothing to update on the row before.

    ``district`` and ``force`` are copied from the problem (as ``Problem.district`` is copied
    from its neighbourhood), so the dashboards' "problems that entered stage S in district D
    this quarter" is a count over one index, ``(district, to_stage, at)``, index-only on
    PostgreSQL once the append-only table is vacuumed, with no join to the problem table.
    They are the problem's *current* district and force, as every other figure groups by:
    the one service that moves a problem to another neighbourhood moves its rows with it.
    """

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="stage_changes", db_index=False)
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True, help_text="Empty when logged.")
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    from_entered_at = models.DateTimeField(null=True, blank=True, help_text="When the problem entered from_stage.")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = BoundedTextField(max_length=REASON, blank=True)
    at = models.DateTimeField(default=timezone.now)
    district = models.ForeignKey("jps.District", on_delete=models.PROTECT, related_name="+", db_index=False)
    force = models.ForeignKey("jps.Force", on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            # A problem's timeline, its current stint (the latest row) and each stint's length.
            models.Index(fields=["problem", "at"], name="stagechange_problem_at"),
            # National figures: how many entered stage S in a period.
            models.Index(fields=["to_stage", "at"], name="stagechange_to_at"),
            # District and force dashboards: the same, within their area.
            models.Index(fields=["district", "to_stage", "at"], name="stagechange_district_to_at"),
            models.Index(fields=["force", "to_stage", "at"], name="stagechange_force_to_at"),
        ]

    def __str__(self) -> str:
        return f"{self.problem_id}: {self.from_stage or '-'} → {self.to_stage} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def days_in_from_stage(self) -> float | None:
        """The length of the stint this change ended, in days (None for the row that logged the problem)."""
        if self.from_entered_at is None:
            return None
        return (self.at - self.from_entered_at) / datetime.timedelta(days=1)
