"""Messages from residents to their neighbourhood team (issue 20; Policing Pledge commitment 4).

A ``TeamMessage`` is what someone sent through the "contact the team" form: personal data (a name, an
email address, what they wrote), seen only by the neighbourhood's team (``jps.residents.inbox_rules``)
and never published. It moves new → assigned → answered → closed, or is closed without a reply with
a reason (spam, a duplicate...). The Pledge's standard is a reply within 24 hours of receipt:
``first_response_at`` is when the first reply was written. Every email to the sender (the
acknowledgement and each reply) is a ``TeamMessageReply`` row, claimed and sent once by the worker.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .fields import TEXT, BoundedTextField
from .resident_reports import REFERENCE_ALPHABET


def new_message_reference() -> str:
    return "M-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


class TeamMessage(models.Model):
    class Topic(models.TextChoices):
        QUESTION = "question", "A question for the team"
        INFORMATION = "information", "Information for the team"
        PROBLEM = "problem", "A problem where I live"
        MEETING = "meeting", "Meetings and events"
        OTHER = "other", "Something else"

    class State(models.TextChoices):
        NEW = "new", "New"
        ASSIGNED = "assigned", "Assigned"
        ANSWERED = "answered", "Answered"
        CLOSED = "closed", "Closed"

    class CloseReason(models.TextChoices):
        ANSWERED = "answered", "Answered"
        SPAM = "spam", "Spam or abuse"
        DUPLICATE = "duplicate", "A duplicate of another message"
        NO_REPLY_NEEDED = "no_reply", "No reply needed"
        ELSEWHERE = "elsewhere", "Passed to someone else to answer"

    #: Messages in these states still wait for a reply (the 24-hour standard runs).
    WAITING = (State.NEW, State.ASSIGNED)
    #: Closed without reply for these reasons, a message was never one the team owed a reply to.
    NOT_COUNTED = (CloseReason.SPAM, CloseReason.DUPLICATE)

    reference = models.CharField(max_length=12, unique=True, default=new_message_reference, editable=False)
    neighbourhood = models.ForeignKey("jps.Neighbourhood", on_delete=models.PROTECT, related_name="team_messages")
    sender_name = models.CharField(max_length=160)
    sender_email = models.EmailField(help_text="Required: the team replies by email.")
    topic = models.CharField(max_length=16, choices=Topic.choices, default=Topic.QUESTION)
    subject = models.CharField(max_length=160)
    body = BoundedTextField(max_length=TEXT)
    received_at = models.DateTimeField(default=timezone.now)

    state = models.CharField(max_length=12, choices=State.choices, default=State.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_response_at = models.DateTimeField(null=True, blank=True, help_text="When the first reply was written.")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_reason = models.CharField(max_length=12, choices=CloseReason.choices, blank=True)
    close_note = models.CharField(max_length=300, blank=True, help_text="Internal: never sent to the resident.")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["neighbourhood", "state", "received_at"], name="team_message_inbox"),
            models.Index(fields=["neighbourhood", "received_at"], name="team_message_received"),
            models.Index(
                fields=["received_at"], name="team_message_waiting", condition=Q(state__in=["new", "assigned"])
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_waiting(self) -> bool:
        return self.state in self.WAITING


class TeamMessageReply(models.Model):
    """One email to the sender: the acknowledgement (no author) or a reply from the team, sent once."""

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "ack", "Acknowledgement"
        REPLY = "reply", "Reply from the team"

    message = models.ForeignKey(TeamMessage, on_delete=models.CASCADE, related_name="replies")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.REPLY)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = BoundedTextField(max_length=TEXT)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["message"], condition=Q(kind="ack"), name="team_message_one_ack"),
        ]
        indexes = [models.Index(fields=["id"], name="team_message_reply_unsent", condition=Q(sent_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.message_id}"
