"""Multi-agency case panels: a community safety partnership's ASB risk panel or tasking meeting.

Not a ``Meeting``: a PACT meeting is public (its agenda, date and venue are published, residents
attend, its items are public priorities) and belongs to neighbourhoods; a panel is confidential
(its agenda names victims), belongs to a CSP area (a district) and its items are built by JPS from
the records. Sharing one table would put a ``kind`` check in every public query and every rule
(docs/design.md, "Multi-agency case panels").

A panel's agenda is ``PanelItem`` rows, one per case, each keyed (``key``) so that building the
agenda again adds what is new and never duplicates what is there; each item carries the decision the
agencies at the table recorded and, through ``PanelAction``, the actions taken there.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .fields import TEXT, BoundedTextField


class Panel(models.Model):
    """One sitting of a CSP area's panel: where, when, who chairs, the agencies at the table."""

    class Kind(models.TextChoices):
        ASB_RISK = "asb_risk", "ASB risk panel"
        TASKING = "tasking", "Partnership tasking meeting"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    force = models.ForeignKey("jps.Force", on_delete=models.PROTECT, related_name="+", editable=False)
    district = models.ForeignKey(
        "jps.District", on_delete=models.PROTECT, related_name="panels", help_text="The CSP area."
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ASB_RISK)
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    online = models.BooleanField(default=False)
    venue = models.CharField(max_length=200, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agencies = models.ManyToManyField(
        "jps.Agency", blank=True, related_name="panels", help_text="The agencies at the table."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    agenda_built_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=[agencies])

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["district", "starts_at"], name="panel_district_starts")]

    def __str__(self) -> str:
        return f"{self.title}, {timezone.localtime(self.starts_at):%-d %B %Y}"

    @property
    def date(self) -> datetime.date:
        """The panel's local date: what "due" and "overdue" on its agenda are measured against."""
        return timezone.localtime(self.starts_at).date()


class PanelItem(models.Model):
    """One case on a panel's agenda, why JPS put it there, and what the table decided."""

    class Reason(models.TextChoices):
        HIGH_RISK_VICTIM = "high_risk_victim", "High-risk victim"
        CASE_REVIEW_DUE = "case_review_due", "Case review due"
        REVIEW_OVERDUE = "review_overdue", "Problem overdue for review"
        ACTION_OVERDUE = "action_overdue", "Escalated action (overdue)"

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="items")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    key = models.CharField(max_length=40, editable=False, help_text="What the item is about, once per panel.")
    problem = models.ForeignKey(
        "jps.Problem", null=True, blank=True, on_delete=models.PROTECT, related_name="panel_items"
    )
    case_review = models.ForeignKey(
        "jps.CaseReviewApplication", null=True, blank=True, on_delete=models.PROTECT, related_name="panel_items"
    )
    victim = models.ForeignKey(
        "jps.ProblemPerson", null=True, blank=True, on_delete=models.PROTECT, related_name="panel_items"
    )
    action = models.ForeignKey("jps.Action", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)
    decision = BoundedTextField(max_length=TEXT, blank=True, help_text="What the agencies at the table decided.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["panel", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "key"], name="panelitem_once_per_panel"),
            models.CheckConstraint(
                condition=Q(problem__isnull=False) | Q(case_review__isnull=False), name="panelitem_about_a_case"
            ),
        ]
        indexes = [models.Index(fields=["problem"], name="panelitem_problem")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} at {self.panel}"


class PanelAction(models.Model):
    """An action taken at the table on an item: the ``Action`` itself is the problem's, owned and dated."""

    item = models.ForeignKey(PanelItem, on_delete=models.CASCADE, related_name="actions_taken")
    action = models.OneToOneField("jps.Action", on_delete=models.PROTECT, related_name="panel_action")
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["taken_at", "id"]

    def __str__(self) -> str:
        return f"Action {self.action_id} at {self.item.panel}"
