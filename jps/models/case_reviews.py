"""ASB case reviews (the "community trigger", Anti-social Behaviour, Crime and Policing Act 2014,
ss.104-105 and schedule 4): the application, the incidents it cites, its recommendations, and the
local rules (threshold and deadlines) of each community safety partnership area.

A district is a community safety partnership (CSP) area in JPS (docs/design.md), so an
application belongs to a district, and the local rules are a row for the district, else for the
force, else the defaults below (the statutory maximum threshold: three complaints about the same
problem in six months).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .fields import REASON, TEXT, BoundedTextField


class CaseReviewSettings(models.Model):
    """The local threshold and deadlines of a CSP area (a district), or the force's default (no district).

    Deadlines are working days (England and Wales bank holidays excluded, ``jps.case_reviews.calendar``):
    acknowledgement, threshold decision and review meeting after receipt; the outcome letter after the
    meeting (or the decision, when the threshold is not met); the handling review after it is asked for.
    """

    force = models.ForeignKey("jps.Force", on_delete=models.CASCADE, related_name="case_review_settings")
    district = models.OneToOneField(
        "jps.District", null=True, blank=True, on_delete=models.CASCADE, related_name="case_review_settings"
    )
    complaints = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text="Complaints about the same problem in the window that meet the threshold (the law: at most 3).",
    )
    window_months = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(12)], help_text="The window, in months."
    )
    single_incident_hate = models.BooleanField(
        default=True, help_text="One incident meets the threshold when it is a hate incident."
    )
    single_incident_vulnerable = models.BooleanField(
        default=True, help_text="One incident meets the threshold when the victim is vulnerable."
    )
    acknowledge_days = models.PositiveSmallIntegerField(default=5, help_text="Working days after receipt.")
    decision_days = models.PositiveSmallIntegerField(default=10, help_text="Working days after receipt.")
    meeting_days = models.PositiveSmallIntegerField(default=25, help_text="Working days after receipt.")
    outcome_days = models.PositiveSmallIntegerField(
        default=5, help_text="Working days after the meeting (or the decision, when the threshold is not met)."
    )
    handling_review_days = models.PositiveSmallIntegerField(
        default=20, help_text="Working days for the PCC's process after the applicant asks."
    )
    escalation_grace_days = models.PositiveSmallIntegerField(
        default=2, help_text="Working days a deadline may pass before the community-safety lead is told."
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "case review settings"
        constraints = [
            models.UniqueConstraint(
                fields=["force"], condition=Q(district__isnull=True), name="casereviewsettings_one_force_default"
            ),
        ]

    def __str__(self) -> str:
        return f"Case review rules for {self.district or self.force}"

    def clean(self) -> None:
        if self.district is not None and self.district.force_id != self.force_id:
            raise ValidationError({"district": "This district is in another force."})


class CaseReviewState(models.TextChoices):
    RECEIVED = "received", "Received"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    THRESHOLD_MET = "threshold_met", "Threshold met"
    THRESHOLD_NOT_MET = "threshold_not_met", "Threshold not met"
    MEETING_HELD = "meeting_held", "Review meeting held"
    OUTCOME_SENT = "outcome_sent", "Outcome sent"
    HANDLING_REVIEW = "handling_review", "Handling review (PCC)"
    CLOSED = "closed", "Closed"


OPEN_CASE_REVIEW_STATES = tuple(s for s in CaseReviewState if s != CaseReviewState.CLOSED)


class CaseReviewApplication(models.Model):
    """One application for an ASB case review: who asked, for whom, what they cite, and how it went."""

    State = CaseReviewState

    class Channel(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        ONLINE = "online", "Online form"
        IN_PERSON = "in_person", "In person"
        REFERRAL = "referral", "Referral by an agency"

    force = models.ForeignKey("jps.Force", on_delete=models.PROTECT, related_name="+", editable=False)
    district = models.ForeignKey(
        "jps.District", on_delete=models.PROTECT, related_name="case_reviews", help_text="The CSP area."
    )
    applicant = models.ForeignKey("jps.Person", on_delete=models.PROTECT, related_name="case_review_applications")
    on_behalf = models.BooleanField(default=False, help_text="The applicant asks on someone else's behalf.")
    behalf_of = models.ForeignKey(
        "jps.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="case_reviews_for"
    )
    received_on = models.DateField()
    received_by_agency = models.ForeignKey("jps.Agency", on_delete=models.PROTECT, related_name="+")
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    summary = BoundedTextField(max_length=TEXT, help_text="What the applicant says is not being done.")
    problems = models.ManyToManyField("jps.Problem", blank=True, related_name="case_reviews")
    lead_agency = models.ForeignKey("jps.Agency", on_delete=models.PROTECT, related_name="+")
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    state = models.CharField(
        max_length=20, choices=CaseReviewState.choices, default=CaseReviewState.RECEIVED, editable=False
    )
    acknowledge_due = models.DateField(editable=False)
    decision_due = models.DateField(editable=False)
    meeting_due = models.DateField(editable=False)
    outcome_due = models.DateField(null=True, blank=True, editable=False)
    handling_review_due = models.DateField(null=True, blank=True, editable=False)

    acknowledged_on = models.DateField(null=True, blank=True, editable=False)
    threshold_met = models.BooleanField(null=True, editable=False)
    threshold_overridden = models.BooleanField(default=False, editable=False)
    decision_reasons = BoundedTextField(max_length=REASON, blank=True, editable=False)
    decided_on = models.DateField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    meeting_held_on = models.DateField(null=True, blank=True, editable=False)
    meeting_agencies = models.ManyToManyField("jps.Agency", blank=True, related_name="+")
    findings = BoundedTextField(max_length=TEXT, blank=True, editable=False)
    outcome_sent_on = models.DateField(null=True, blank=True, editable=False)
    outcome_text = BoundedTextField(max_length=TEXT, blank=True, editable=False)
    handling_review_requested_on = models.DateField(null=True, blank=True, editable=False)
    handling_review_outcome = BoundedTextField(max_length=TEXT, blank=True, editable=False)
    closed_on = models.DateField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=[problems, meeting_agencies])

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [
            # The statutory figures: a CSP area's applications by date received.
            models.Index(fields=["district", "received_on"], name="casereview_district_received"),
            models.Index(fields=["lead_agency", "state"], name="casereview_lead_state"),
            models.Index(fields=["received_by_agency"], name="casereview_received_agency"),
            models.Index(fields=["state"], name="casereview_open", condition=~Q(state="closed")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(on_behalf=False) | Q(behalf_of__isnull=False), name="casereview_behalf_names_person"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """Read out on the phone and printed on the letter: ``CR-2026-00042``."""
        return f"CR-{self.received_on:%Y}-{self.pk or 0:05d}"

    @property
    def victim(self) -> object:
        """The person the review is for: the applicant, or whom they ask for."""
        return self.behalf_of if self.on_behalf else self.applicant

    @property
    def is_open(self) -> bool:
        return self.state != CaseReviewState.CLOSED

    def next_deadline(self) -> tuple[str, datetime.date | None]:
        """The deadline the current state waits on, named (``DEADLINES``; the reminders use it in SQL)."""
        for state, field, name in DEADLINES:
            if self.state == state:
                return name, getattr(self, field)
        return "", None


#: Which deadline each state waits on: (state, deadline field, its name), for SQL and Python alike.
DEADLINES: tuple[tuple[str, str, str], ...] = (
    (CaseReviewState.RECEIVED, "acknowledge_due", "acknowledgement"),
    (CaseReviewState.ACKNOWLEDGED, "decision_due", "threshold decision"),
    (CaseReviewState.THRESHOLD_MET, "meeting_due", "review meeting"),
    (CaseReviewState.THRESHOLD_NOT_MET, "outcome_due", "outcome letter"),
    (CaseReviewState.MEETING_HELD, "outcome_due", "outcome letter"),
    (CaseReviewState.HANDLING_REVIEW, "handling_review_due", "handling review"),
)


class CitedIncident(models.Model):
    """An incident the applicant cites: a problem JPS holds, or one told in their words, with its date."""

    application = models.ForeignKey(CaseReviewApplication, on_delete=models.CASCADE, related_name="incidents")
    problem = models.ForeignKey("jps.Problem", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField()
    description = BoundedTextField(max_length=TEXT)
    reported_to = models.ManyToManyField("jps.Agency", blank=True, related_name="+")
    hate_incident = models.BooleanField(default=False, help_text="Perceived as motivated by hostility or prejudice.")
    history = HistoricalRecords(m2m_fields=[reported_to])

    class Meta:
        ordering = ["occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.occurred_on}: {self.description[:60]}"


class CaseReviewRecommendation(models.Model):
    """A recommendation of the review, carried out as an owned ``Action`` on a problem."""

    application = models.ForeignKey(CaseReviewApplication, on_delete=models.CASCADE, related_name="recommendations")
    action = models.OneToOneField("jps.Action", on_delete=models.PROTECT, related_name="case_review_recommendation")
    text = BoundedTextField(max_length=TEXT, help_text="As worded in the outcome letter.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]
