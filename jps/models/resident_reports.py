"""Problems residents report through the web (and, later, Open311), triaged by the neighbourhood's team.

A ``ResidentReport`` is not a problem: it is what a resident told us, kept apart until the team
accepts it (a new problem), attaches it to one it already works (a further report) or declines it
(with a reason the resident receives). Until then only the neighbourhood's team sees it
(``jps.residents.rules``). Its photos are kept through Django's storage API, re-encoded with their
metadata stripped, and are never served publicly. Each email to the resident is a
``ResidentNotice`` row, unique per (report, kind, key), so every email goes once.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .fields import TEXT, BoundedTextField

#: References are random (not a sequence) so one cannot guess how many reports a force receives.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    return "R-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def new_token() -> str:
    return secrets.token_urlsafe(24)


def photo_path(instance: ResidentReportPhoto, filename: str) -> str:
    """Under the report's private folder, with a random name: never the name the resident's phone gave."""
    return f"resident_reports/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.jpg"


class ResidentReport(models.Model):
    class Channel(models.TextChoices):
        WEB = "web", "Web form"
        OPEN311 = "open311", "Open311"

    class Status(models.TextChoices):
        NEW = "new", "New"
        ACCEPTED = "accepted", "Accepted as a new problem"
        ATTACHED = "attached", "Attached to an existing problem"
        DECLINED = "declined", "Declined"

    reference = models.CharField(max_length=12, unique=True, default=new_reference, editable=False)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEB)
    neighbourhood = models.ForeignKey("jps.Neighbourhood", on_delete=models.PROTECT, related_name="resident_reports")
    category = models.ForeignKey("jps.Category", on_delete=models.PROTECT, related_name="resident_reports")
    description = BoundedTextField(max_length=TEXT)
    location = models.CharField(max_length=200, blank=True, help_text="The postcode or place the resident gave.")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    reporter_name = models.CharField(max_length=160, blank=True)
    reporter_email = models.EmailField(blank=True)
    consent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the resident agreed to be emailed about this report."
    )
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    token = models.CharField(
        max_length=40, unique=True, default=new_token, editable=False, help_text="Signed into the resident's links."
    )

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    problem = models.ForeignKey(
        "jps.Problem", null=True, blank=True, on_delete=models.SET_NULL, related_name="resident_reports"
    )
    problem_report = models.ForeignKey(
        "jps.ProblemReport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_reason = BoundedTextField(max_length=TEXT, blank=True, help_text="The resident receives this.")
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)

    fixed = models.BooleanField(null=True, blank=True, help_text="The resident's answer: has it been fixed?")
    feedback = BoundedTextField(max_length=TEXT, blank=True)
    feedback_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(excluded_fields=["token"])

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["neighbourhood", "created_at"], name="resident_report_new", condition=Q(status="new")),
            models.Index(fields=["problem", "status"], name="resident_report_problem"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def wants_updates(self) -> bool:
        return bool(self.reporter_email and self.consent_at and not self.unsubscribed_at)


class ResidentReportPhoto(models.Model):
    """A photo as we re-encoded it (JPEG, no EXIF, no location); stored privately, read through JPS only."""

    report = models.ForeignKey(ResidentReport, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=photo_path, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField(help_text="Bytes, as stored.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Photo {self.pk} of {self.report_id}"


class ResidentNotice(models.Model):
    """One email to a resident about their report: recorded once, claimed, sent, marked sent."""

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "ack", "Acknowledgement"
        DECLINED = "declined", "Declined, with the reason"
        ACCEPTED = "accepted", "Taken on"
        UPDATE = "update", "Public update approved"
        CLOSED = "closed", "Problem closed"
        QUESTIONNAIRE = "questionnaire", "Has it been fixed?"

    report = models.ForeignKey(ResidentReport, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=40, blank=True, help_text="Which update or closure it is about.")
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["report", "kind", "key"], name="resident_notice_once")]
        indexes = [models.Index(fields=["id"], name="resident_notice_unsent", condition=Q(sent_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.report_id}"
