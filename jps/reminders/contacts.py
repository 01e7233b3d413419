"""The contact reminders: a victim's or complainant's agreed contact falls due, then is overdue (issue 18).

On the day a contact falls due the problem's owner hears of it (``CONTACT_DUE``); once it is more
than ``REMINDER_CONTACT_GRACE_DAYS`` overdue, the district's supervisors too (``CONTACT_OVERDUE``).
Both go into the daily digest with everything else, once per due date: the period is the
agreement's ``next_contact_due``, which a contact logged moves on, starting a new period. Emails
name the problem, never the person (a digest leaves the system; the page says who).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from ..models import OPEN_STAGES, Contact, Reminder
from ..models.reminders import reminder_item_key
from .common import Kind, Recipient, _active, _People, _reminded, _unique


def contact_grace_days() -> int:
    """Days a contact may stay overdue before the district's supervisors are told."""
    return int(getattr(settings, "REMINDER_CONTACT_GRACE_DAYS", 3))


def _row(kind: str, contact: Contact, recipient: Recipient, *, note: str) -> Reminder:
    due = contact.next_contact_due
    assert due is not None
    return Reminder(
        kind=kind,
        problem_id=contact.problem_id,
        recipient_id=recipient.user_id,
        email=recipient.email,
        item_key=reminder_item_key("contact", contact.pk),
        recipient_key=recipient.key,
        period_key=due.isoformat(),
        due_on=due,
        note=note[:200],
    )


def contact_due(now: datetime.datetime, people: _People) -> tuple[QuerySet[Any], Callable[[Any], list[Reminder]]]:
    """Agreements on open problems whose contact is due: the owner; past the grace period, the supervisors too.

    An owner who cannot be reached (none, or no longer active) is replaced by the district's
    supervisors, so a due contact is never silently dropped. Agreements already reminded for their
    due date (and escalated, once past the grace period) are not walked again.
    """
    today = timezone.localdate(now)
    escalate_before = today - datetime.timedelta(days=contact_grace_days())
    done = Q(_reminded(Kind.CONTACT_DUE, "contact", "next_contact_due")) & (
        Q(next_contact_due__gte=escalate_before) | Q(_reminded(Kind.CONTACT_OVERDUE, "contact", "next_contact_due"))
    )
    queryset = (
        Contact.objects.filter(next_contact_due__lte=today, problem__stage__in=OPEN_STAGES)
        .exclude(done)
        .select_related("problem", "problem__owner")
        .only(
            "id",
            "kind",
            "preferred_method",
            "contact_every_days",
            "next_contact_due",
            "problem__id",
            "problem__district_id",
            "problem__owner__id",
            "problem__owner__email",
            "problem__owner__is_active",
        )
        .order_by()
    )

    def rows(contact: Contact) -> list[Reminder]:
        due = contact.next_contact_due
        assert due is not None
        days = (today - due).days
        when = "due today" if days == 0 else f"{days} day{'s' if days != 1 else ''} overdue"
        agreed = f"{contact.get_preferred_method_display().lower()} every {contact.contact_every_days} days"
        note = f"{contact.get_kind_display()} contact {when} (agreed: {agreed})"
        supervisors = people.supervisors(contact.problem.district_id)
        owner = _active(contact.problem.owner)
        out = [_row(Kind.CONTACT_DUE, contact, r, note=note) for r in _unique(owner or supervisors)]
        if due < escalate_before:
            out += [_row(Kind.CONTACT_OVERDUE, contact, r, note=note) for r in supervisors]
        return out

    return queryset, rows
