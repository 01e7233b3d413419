"""The Policing Pledge in public (issue 20): a supervisor's explanation of a month a commitment was missed.

The figures themselves are computed (``jps.pledge.selectors``), never stored: only the "why not" a
supervisor writes is a record. It is published beside the month on the neighbourhood's Pledge page,
so it must hold no personal data (the form says so).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .fields import REASON, BoundedTextField


class PledgeExplanation(models.Model):
    """Why a neighbourhood missed one Pledge commitment in one month, in the supervisor's words."""

    neighbourhood = models.ForeignKey("jps.Neighbourhood", on_delete=models.CASCADE, related_name="pledge_explanations")
    commitment = models.CharField(max_length=40, help_text="A commitment's slug (jps.pledge.commitments).")
    month = models.DateField(help_text="The first day of the month explained.")
    text = BoundedTextField(max_length=REASON, help_text="Published: why the commitment was not met.")
    text_cy = BoundedTextField(max_length=REASON, blank=True, help_text="The same in Welsh, for the Welsh page.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["neighbourhood", "-month", "commitment"]
        constraints = [
            models.UniqueConstraint(
                fields=["neighbourhood", "commitment", "month"], name="pledge_explanation_once_per_month"
            ),
            models.CheckConstraint(condition=models.Q(month__day=1), name="pledge_explanation_month_start"),
        ]

    def __str__(self) -> str:
        return f"{self.commitment} {self.month:%B %Y} ({self.neighbourhood_id})"
