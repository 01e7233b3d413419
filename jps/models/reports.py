"""Field reports: more than one report on the same problem, and drafts sent exactly once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .fields import BoundedTextField
from .problems import Problem, Source


class ProblemReport(models.Model):
    """Another report of an existing problem (a resident, a warden, a council officer...).

    Attaching a report instead of logging a new problem keeps one problem with five
    reports rather than five problems; each report keeps its own source and originator.
    """

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="reports")
    source = models.CharField(max_length=16, choices=Source.choices)
    originator = models.CharField(max_length=160, help_text="Who reported it: a person, a role or a body.")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(default=timezone.now)
    text = BoundedTextField()
    location = models.CharField(max_length=200, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    merged_from = models.CharField(
        max_length=24, blank=True, help_text="Reference of the problem this report came from, when merged."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reported_at"]
        indexes = [models.Index(fields=["problem", "-reported_at"], name="report_problem_recent")]

    def __str__(self) -> str:
        return f"Report on {self.problem.reference} {self.reported_at:%Y-%m-%d}"


class SubmissionKey(models.Model):
    """The idempotency key of a draft: the same draft sent twice yields the first problem."""

    key = models.UUIDField(unique=True)
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.key} → {self.problem_id}"
