"""Contact agreements with victims and complainants, and the log of the contacts made (issue 18).

The inspectors found victims were not kept informed. A ``Contact`` is the agreement with one
victim or complainant on one problem: how (``preferred_method``), how often
(``contact_every_days``), when not ("not after 8 pm") and when the next contact is due. Each
contact made, or attempted, is a ``ContactLog`` row; one that reaches the person moves the due
date on by the agreed frequency. Closing a problem asks for a final contact with every victim,
or a recorded reason there can be none (``victims_without_final_contact``). Never public.

Agreements made since people became records of their own hang off the person's link on the
problem (``link``); older rows name the person in ``name`` and keep their own details.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .fields import REASON, TEXT, BoundedTextField
from .persons import PersonRole, ProblemPerson
from .problems import Problem

#: The agreed frequency of contact, in days: at least daily, at most yearly.
EVERY_DAYS_MIN, EVERY_DAYS_MAX = 1, 365
#: Who a contact is agreed with: the victims and complainants on a problem.
AGREEABLE_ROLES = (PersonRole.VICTIM, PersonRole.COMPLAINANT)


class Contact(models.Model):
    """The contact agreement with a victim or complainant on a problem. Never public.

    ``link`` is the person on the problem (every new agreement has one, and shows the person's
    name); an older row has none and names the person itself. ``name`` keeps the name as it
    was when the agreement was made, so an agreement whose link is later removed still says
    whom it was with. ``next_contact_due`` is null once the final contact is logged (or, for
    an older row, until a date is agreed); it drives the reminders and the dashboard figure.
    """

    class Kind(models.TextChoices):
        COMPLAINANT = "complainant", "Complainant"
        VICTIM = "victim", "Victim"
        WITNESS = "witness", "Witness"

    class Method(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"
        VISIT = "visit", "Visit"
        LETTER = "letter", "Letter"
        TEXT = "text", "Text message"

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="contacts")
    link = models.ForeignKey(
        ProblemPerson,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_agreements",
        help_text="The victim or complainant on the problem this agreement is with.",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=160, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=240, blank=True)
    preferred_method = models.CharField(max_length=16, choices=Method.choices)
    contact_every_days = models.PositiveSmallIntegerField(
        default=28,
        validators=[MinValueValidator(EVERY_DAYS_MIN), MaxValueValidator(EVERY_DAYS_MAX)],
        help_text="Agreed frequency of updates.",
    )
    times_to_avoid = models.CharField(max_length=160, blank=True)
    notes = BoundedTextField(max_length=TEXT, blank=True)
    next_contact_due = models.DateField(null=True, blank=True)
    no_final_contact_reason = BoundedTextField(
        max_length=REASON,
        blank=True,
        help_text="Why there can be no final contact before closure, e.g. moved away with no forwarding details.",
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agreed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            # One agreement per person on a problem (an older, unlinked row has no link to repeat).
            models.UniqueConstraint(fields=["link"], name="contact_one_per_link", condition=Q(link__isnull=False)),
        ]
        indexes = [
            # The reminder job's and the dashboard's question: which agreements fell due by a date.
            models.Index(
                fields=["next_contact_due"], name="contact_next_due", condition=Q(next_contact_due__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.problem.reference}"

    @property
    def display_name(self) -> str:
        """The person's name as their record has it now; an older or unlinked row's own."""
        return self.link.person.name if self.link_id and self.link else self.name

    def days_overdue(self, today: datetime.date | None = None) -> int:
        """Days past the due date (0 when not due yet, or nothing is due)."""
        if self.next_contact_due is None:
            return 0
        return max(((today or timezone.localdate()) - self.next_contact_due).days, 0)

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue() > 0

    def clean(self) -> None:
        if self.link_id is None and not self.name.strip():
            raise ValidationError({"name": "Say who the contact is with."})
        if self.link_id is not None and self.link and self.link.role not in AGREEABLE_ROLES:
            raise ValidationError({"link": "Contact is agreed with a victim or a complainant."})


class ContactLog(models.Model):
    """One contact made with, or attempted to, the person of an agreement: when, who, how, what came of it.

    ``due_on`` is the due date this contact answered (the agreement's ``next_contact_due`` when it
    was logged), kept so "made on time" is ``contacted_at`` on or before ``due_on`` without
    replaying the agreement's history. An attempt that did not reach the person answers nothing
    (``due_on`` is null) unless it is the final one. ``final`` marks the last contact before the
    problem closes: closure asks for one with every victim.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="log")
    contacted_at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=16, choices=Contact.Method.choices)
    summary = BoundedTextField(max_length=TEXT)
    outcome = models.CharField(max_length=240, blank=True, help_text="What was agreed or happens next.")
    reached = models.BooleanField(help_text="Whether the person was reached.")
    final = models.BooleanField(default=False, help_text="The final contact before the problem closes.")
    due_on = models.DateField(null=True, blank=True, editable=False)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-contacted_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "-contacted_at"], name="contactlog_contact_recent"),
            models.Index(fields=["due_on"], name="contactlog_due_on", condition=Q(due_on__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"Contact {self.contact_id} at {self.contacted_at:%Y-%m-%d %H:%M}"

    @property
    def on_time(self) -> bool | None:
        """Made on or before the day it was due; None when it answered no due date."""
        if self.due_on is None:
            return None
        return timezone.localdate(self.contacted_at) <= self.due_on


def victims_without_final_contact(problem: Problem) -> list[str]:
    """The names of the problem's victims with neither a final contact logged nor a reason for none.

    A victim is a person linked to the problem as victim, or an older agreement of kind victim.
    A person counts as done when any agreement with them on this problem has a final
    ``ContactLog`` or a ``no_final_contact_reason``. Two queries, whatever the number of victims.
    """
    final = ContactLog.objects.filter(contact_id=OuterRef("pk"), final=True)
    agreements = (
        Contact.objects.filter(problem_id=problem.pk)
        .annotate(has_final=Exists(final))
        .values_list("kind", "name", "link__person_id", "link__person__name", "has_final", "no_final_contact_reason")
    )
    victims = dict(
        ProblemPerson.objects.filter(problem_id=problem.pk, role=PersonRole.VICTIM)
        .order_by("added_at", "id")
        .values_list("person_id", "person__name")
    )
    done: set[int] = set()
    unlinked: list[str] = []
    for kind, name, person_id, person_name, has_final, reason in agreements:
        finished = has_final or bool(reason.strip())
        if person_id is not None:
            if kind == Contact.Kind.VICTIM:
                victims.setdefault(person_id, person_name)
            if finished:
                done.add(person_id)
        elif kind == Contact.Kind.VICTIM and not finished:
            unlinked.append(name)
    return [name for person_id, name in victims.items() if person_id not in done] + unlinked
