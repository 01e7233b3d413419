"""What the reminder jobs sent, to whom and for which due period.

One row per (kind, item, recipient, due period). The unique constraint is what makes
the jobs idempotent: a rerun, a retry or a second worker inserts the same rows and
the database keeps one. Sending is claim → send → mark sent, so a worker killed
mid-run leaves claimed-but-unsent rows that the next run picks up once the claim
has gone stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.db import models
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

#: What a reminder is about; its item key is ``<item>:<id>`` (a review: one supervisor's escalation; a
#: victim: their link on a problem; a contact: a contact agreement).
Item = Literal[
    "problem",
    "action",
    "neighbourhood",
    "case_review",
    "person",
    "review",
    "victim",
    "contact",
    "resident_report",
    "team_message",
]


def reminder_item_key(item: Item, pk: int) -> str:
    """The item key of one problem, action, neighbourhood, case review, person, review, victim or contact
    agreement: what the once-per-period constraint compares."""
    return f"{item}:{pk}"


def reminder_item_key_sql(item: Item, pk: Any) -> Concat:
    """``reminder_item_key`` as a query expression over ``pk`` (e.g. ``OuterRef("pk")``)."""
    return Concat(Value(f"{item}:"), Cast(pk, output_field=CharField()))


@dataclass(frozen=True)
class Recipient:
    """Who a reminder goes to: a person (``user:<id>``) or, when nobody is named, an address (``email:<address>``)."""

    key: str
    user_id: int | None
    email: str

    @classmethod
    def for_user(cls, user: Any) -> Recipient:
        return cls(key=f"user:{user.pk}", user_id=user.pk, email=user.email or "")

    @classmethod
    def for_address(cls, email: str) -> Recipient:
        address = email.strip().lower()
        return cls(key=f"email:{address}", user_id=None, email=address)

    @classmethod
    def named_else(cls, user: Any, address: str) -> list[Recipient]:
        """The person named for a role if they are active, else the role's address, else nobody.

        The one fallback of every escalation: the district's inspector or chief inspector, else its
        escalation address; an agency's manager, else its contact address.
        """
        if user is not None and user.is_active:
            return [cls.for_user(user)]
        return [cls.for_address(address)] if address else []


class Reminder(models.Model):
    class Kind(models.TextChoices):
        REVIEW_ESCALATED_BY_SUPERVISOR = "supervisor_escalation", "Escalated to you by a supervisor"
        REVIEW_OVERDUE = "review_overdue", "Supervisory review overdue"
        REVIEW_ESCALATION = "review_escalation", "Overdue review escalated"
        REVIEW_TIER_INSPECTOR = "review_tier_inspector", "Inspector's review due"
        REVIEW_TIER_CHIEF = "review_tier_chief", "Chief inspector's review due"
        ACTION_ESCALATION = "action_escalation", "Overdue action escalated"
        ACTION_DUE_SOON = "action_due_soon", "Action due soon"
        ACTION_OVERDUE = "action_overdue", "Action overdue"
        PUBLIC_UPDATE_DUE = "public_update_due", "Public update due"
        EVALUATION_WAITING = "evaluation_waiting", "Evaluation waiting"
        MEETING_STANDARD = "meeting_standard", "PACT meeting standard not met"
        CASE_REVIEW_SUGGESTED = "case_review_suggested", "ASB case review threshold crossed"
        CASE_REVIEW_DUE = "case_review_due", "ASB case review deadline"
        CASE_REVIEW_ESCALATION = "case_review_escalation", "ASB case review deadline missed"
        HIGH_RISK_VICTIM = "high_risk_victim", "High-risk victim"
        CONTACT_DUE = "contact_due", "Contact with a victim or complainant due"
        CONTACT_OVERDUE = "contact_overdue", "Contact with a victim or complainant overdue"
        RESIDENT_REPORT_TRIAGE = "resident_report_triage", "Resident report waiting for triage"
        RESIDENT_NOT_FIXED = "resident_not_fixed", "A resident says the problem is not fixed"
        TEAM_MESSAGE_DUE = "team_message_due", "A message to the team is due for a reply"

    #: Give up emailing a row after this many failed attempts; it stays visible in JPS.
    MAX_ATTEMPTS = 5

    kind = models.CharField(max_length=24, choices=Kind.choices)
    problem = models.ForeignKey(
        "jps.Problem", null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    neighbourhood = models.ForeignKey(
        "jps.Neighbourhood",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
        help_text="For reminders about a neighbourhood rather than a problem (the meeting standard).",
    )
    action = models.ForeignKey("jps.Action", null=True, blank=True, on_delete=models.CASCADE, related_name="reminders")
    case_review = models.ForeignKey(
        "jps.CaseReviewApplication", null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    email = models.EmailField(blank=True, help_text="The address at the time; the only one for contacts.")
    item_key = models.CharField(
        max_length=40,
        editable=False,
        help_text="problem:<id>, action:<id>, neighbourhood:<id>, case_review:<id>, person:<id>, review:<id> "
        "or victim:<link id>.",
    )
    recipient_key = models.CharField(max_length=260, editable=False, help_text="user:<id> or email:<address>.")
    period_key = models.CharField(max_length=40, help_text="The due period reminded, e.g. the date it fell due.")
    due_on = models.DateField(null=True, blank=True, help_text="When the item fell (or falls) due.")
    note = models.CharField(max_length=200, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "item_key", "recipient_key", "period_key"], name="reminder_once_per_period"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient_key", "id"], name="reminder_unsent", condition=Q(sent_at__isnull=True)),
            models.Index(fields=["recipient", "-created_at"], name="reminder_recipient_recent"),
            models.Index(fields=["claim_token"], name="reminder_claim", condition=~Q(claim_token="")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.item_key} → {self.recipient_key} ({self.period_key})"

    @property
    def item_path(self) -> str:
        """Where the item lives in the staff interface (an action is an anchor on its problem's page)."""
        from jps import links

        if self.case_review_id is not None:
            return links.path_for("case_review", case_review_id=self.case_review_id)
        if self.problem_id is None and self.item_key.startswith("team_message:"):
            return links.path_for("team_message", team_message_id=int(self.item_key.split(":")[1]))
        if self.problem_id is None and self.item_key.startswith("resident_report:"):
            return links.path_for("resident_report", resident_report_id=int(self.item_key.split(":")[1]))
        if self.problem_id is None:
            return links.path_for("meetings")
        return links.path_for("problem", problem_id=self.problem_id, action_id=self.action_id)

    @property
    def status(self) -> str:
        if self.sent_at:
            return "sent"
        if self.attempts >= self.MAX_ATTEMPTS:
            return "failed"
        return "pending"
