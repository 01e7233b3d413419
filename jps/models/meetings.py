"""PACT meetings: where residents, police and partners agree public priorities and sign them off.

The tracker is the record of the meeting, not a separate set of minutes: each priority
raised, agreed, carried over or signed off at a meeting is a ``MeetingItem`` row linking
the meeting to the problem, so a problem's public origin and outcome can always be
traced to the meeting that decided them. Residents appear only as a count.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .fields import TEXT, BoundedTextField


class Meeting(models.Model):
    """One PACT (Police and Communities Together) meeting for one or more neighbourhoods."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=200, help_text="Published, e.g. 'Northgate PACT meeting'.")
    force = models.ForeignKey("jps.Force", on_delete=models.PROTECT, related_name="meetings", editable=False)
    neighbourhoods = models.ManyToManyField("jps.Neighbourhood", related_name="meetings")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    online = models.BooleanField(default=False, help_text="Held online rather than at a venue.")
    venue = models.CharField(max_length=200, blank=True, help_text="Published: the venue's name.")
    address = models.CharField(max_length=300, blank=True, help_text="Published: the venue's address.")
    online_url = models.URLField(blank=True, help_text="Published: where to join an online meeting.")
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chaired_meetings",
        help_text="The chair, when a member of staff.",
    )
    chair_name = models.CharField(
        max_length=160, blank=True, help_text="The chair, when not a user (e.g. a community chair). Never published."
    )
    agencies = models.ManyToManyField("jps.Agency", blank=True, related_name="meetings_attended")
    residents_attending = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many residents came: a number only, never names."
    )
    public_agenda = BoundedTextField(max_length=TEXT, blank=True, help_text="Published: the purpose and agenda.")
    notes = BoundedTextField(blank=True, help_text="Internal: never published, not in the printed minutes.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=[neighbourhoods, agencies])

    class Meta:
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["force", "starts_at"], name="meeting_force_starts"),
            models.Index(fields=["status", "starts_at"], name="meeting_status_starts"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}, {timezone.localtime(self.starts_at):%-d %B %Y}"

    @property
    def date(self) -> datetime.date:
        """The meeting's local date: the date a priority agreed at it was adopted."""
        return timezone.localtime(self.starts_at).date()

    @property
    def chair_display(self) -> str:
        return str(self.chair) if self.chair_id else self.chair_name

    @property
    def place_display(self) -> str:
        if self.online:
            return "Online"
        return ", ".join(part for part in (self.venue, self.address) if part)


class MeetingItem(models.Model):
    """What a meeting did with one priority: raised, agreed (adopted), carried over or signed off.

    ``summary`` and ``public_response`` are published ("You said — we did") and must hold
    no personal data; ``note`` is internal. A priority agreed at the meeting waits for the
    force's web editor (``publication``): until its public title and summary are approved it
    is a priority to staff but nowhere on the public site; a rejection withdraws it, with the
    editor's ``reason`` for the officer.
    """

    class Kind(models.TextChoices):
        RAISED = "raised", "Raised"
        AGREED = "agreed", "Agreed as a priority"
        CARRIED_OVER = "carried_over", "Carried over"
        SIGNED_OFF = "signed_off", "Signed off as resolved"

    class Publication(models.TextChoices):
        """Where a priority agreed at the meeting stands with the force's web editor (other kinds: blank)."""

        PENDING = "pending", "Awaiting the web editor"
        APPROVED = "approved", "Published"
        REJECTED = "rejected", "Not published"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    problem = models.ForeignKey(
        "jps.Problem", null=True, blank=True, on_delete=models.PROTECT, related_name="meeting_items"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    summary = BoundedTextField(
        max_length=TEXT, help_text="Published: what residents raised or what was agreed. No personal data."
    )
    summary_cy = BoundedTextField(max_length=TEXT, blank=True, help_text="The summary in Welsh.")
    public_response = BoundedTextField(
        max_length=TEXT, blank=True, help_text="Published: what was done or will be done."
    )
    note = BoundedTextField(max_length=TEXT, blank=True, help_text="Internal: progress note or discussion.")
    closure_requested = models.BooleanField(default=False, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    publication = models.CharField(
        max_length=16,
        choices=Publication.choices,
        blank=True,
        default="",
        editable=False,
        help_text="A priority agreed here reaches the public site only once the web editor approves its words.",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    reason = BoundedTextField(
        max_length=TEXT, blank=True, help_text="Why the web editor did not publish it; the officer reads this."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "id"]
        indexes = [
            models.Index(fields=["meeting", "kind"], name="meetingitem_meeting_kind"),
            models.Index(fields=["problem", "kind"], name="meetingitem_problem_kind"),
            # The web editor's queue, and the public site's "not until approved" (jps.publishing.public_problems).
            models.Index(fields=["problem"], name="meetingitem_awaiting_editor", condition=Q(publication="pending")),
            # The incremental public-site export asks which decisions were made since the last one.
            models.Index(fields=["decided_at"], name="meetingitem_decided_at", condition=Q(decided_at__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="raised") | Q(problem__isnull=False),
                name="meetingitem_priority_has_problem",
            ),
            models.UniqueConstraint(
                fields=["meeting", "problem", "kind"],
                condition=Q(problem__isnull=False),
                name="meetingitem_once_per_meeting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.meeting}"
