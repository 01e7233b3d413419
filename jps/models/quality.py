"""How well a problem was worked: a supervisor's checklist score at review and at closure."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .fields import TEXT, BoundedTextField

#: The checklist, drawn from recognised problem-solving criteria (SARA done well), in order.
QUALITY_CRITERIA: tuple[tuple[str, str], ...] = (
    ("specific_statement", "A specific problem statement: the behaviour, the place and the time"),
    ("analysis_triangle", "Analysis covering victim, offender and place"),
    ("measurable_objective", "A measurable objective"),
    ("responses_linked", "Responses linked to the analysis"),
    ("partners_involved", "Partners involved"),
    ("assessment_evidence", "Assessment with before/after evidence and displacement checked"),
)
QUALITY_FIELDS: tuple[str, ...] = tuple(name for name, _ in QUALITY_CRITERIA)


class QualityScore(models.Model):
    """One scoring of a problem record against the checklist; every scoring is kept.

    A row per scoring (not a score on the problem) so the record shows how practice
    improved between review and closure, and the district roll-up uses each
    problem's latest score.
    """

    class Occasion(models.TextChoices):
        REVIEW = "review", "At review"
        CLOSURE = "closure", "At closure"

    problem = models.ForeignKey("jps.Problem", on_delete=models.CASCADE, related_name="quality_scores")
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scored_at = models.DateTimeField(default=timezone.now)
    occasion = models.CharField(max_length=8, choices=Occasion.choices)
    specific_statement = models.BooleanField(default=False)
    analysis_triangle = models.BooleanField(default=False)
    measurable_objective = models.BooleanField(default=False)
    responses_linked = models.BooleanField(default=False)
    partners_involved = models.BooleanField(default=False)
    assessment_evidence = models.BooleanField(default=False)
    total = models.PositiveSmallIntegerField(default=0, editable=False, help_text="Criteria met, out of 6.")
    comment = BoundedTextField(max_length=TEXT, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-scored_at", "-id"]
        indexes = [
            models.Index(fields=["problem", "-scored_at"], name="quality_problem_recent"),
            models.Index(fields=["scored_at"], name="quality_scored_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(total__lte=len(QUALITY_FIELDS)), name="quality_total_max"),
        ]

    def __str__(self) -> str:
        return f"Quality {self.total}/{len(QUALITY_FIELDS)} for {self.problem_id} ({self.occasion})"

    @property
    def out_of(self) -> int:
        return len(QUALITY_FIELDS)

    def count_met(self) -> int:
        return sum(1 for name in QUALITY_FIELDS if getattr(self, name))

    def criteria(self) -> list[tuple[str, bool]]:
        """The checklist as (label, met) pairs, for display."""
        return [(label, bool(getattr(self, name))) for name, label in QUALITY_CRITERIA]
