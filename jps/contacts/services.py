"""Writes on contact agreements and their log, all through ``jps.base.require`` / ``save``.

Who may: whoever may see the problem's contacts (``jps.view_contacts``: its owner, the district's
officers and supervisors, administrators; never partners). New agreements are made with a victim or
complainant linked to the problem (``contact_agree``); ``contact_add`` still records a contact named
on the agreement itself, the older shape, for callers that have no person record.

The due date is the one clock: agreeing sets the first (one period on, unless a date is agreed),
each contact that reaches the person (or the final one) answers the date that was due and sets the
next from the day of the contact, and a final contact clears it. The reminders and the dashboard's
"contacts made on time" read only this date and the log's ``due_on``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from .. import policy
from ..base import local_today, require, save
from ..models import Contact, ContactLog, Problem, ProblemPerson, User
from ..models.contacts import AGREEABLE_ROLES, EVERY_DAYS_MAX, EVERY_DAYS_MIN

#: What an agreement's keeper may change on it (forms and serializers are built from these).
AGREEMENT_FIELDS = (
    "preferred_method",
    "contact_every_days",
    "times_to_avoid",
    "notes",
    "next_contact_due",
    "no_final_contact_reason",
)
#: What a contact logged says (``contacted_at`` defaults to now).
LOG_FIELDS = ("contacted_at", "method", "summary", "outcome", "reached", "final")
#: A clock a little ahead of the server's is not a contact "in the future".
CLOCK_SLACK = datetime.timedelta(minutes=5)


def _frequency(days: Any) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not EVERY_DAYS_MIN <= days <= EVERY_DAYS_MAX:
        message = f"How often must be a whole number of days between {EVERY_DAYS_MIN} and {EVERY_DAYS_MAX}."
        raise ValidationError({"contact_every_days": message})
    return days


def _not_before_today(day: datetime.date | None) -> None:
    if day is not None and day < local_today():
        raise ValidationError({"next_contact_due": "The next contact must be due today or later."})


@transaction.atomic
def contact_agree(
    *,
    link: ProblemPerson,
    by: User,
    preferred_method: str,
    contact_every_days: int,
    times_to_avoid: str = "",
    notes: str = "",
    next_contact_due: datetime.date | None = None,
) -> Contact:
    """Agree with a victim or complainant on an open problem how, and how often, they are kept informed.

    One agreement per person on the problem; the first contact falls due one period from today
    unless another date (not in the past) is agreed. The person's name is kept on the agreement
    too, so it still says whom it was with if the person is later taken off the problem.
    """
    problem = link.problem
    require(by, "jps.view_contacts", problem)
    name = link.person.name
    if not problem.is_open:
        raise ValidationError({"person": "Contact is agreed while the problem is open."})
    if link.role not in AGREEABLE_ROLES:
        raise ValidationError({"person": f"{name} is not a victim or complainant on this problem."})
    if Contact.objects.filter(link=link).exists():
        raise ValidationError({"person": f"Contact is already agreed with {name}: change that agreement."})
    days = _frequency(contact_every_days)
    _not_before_today(next_contact_due)
    contact = Contact(
        problem=problem,
        link=link,
        kind=link.role,
        name=name,
        preferred_method=preferred_method,
        contact_every_days=days,
        times_to_avoid=times_to_avoid.strip(),
        notes=notes.strip(),
        next_contact_due=next_contact_due or local_today() + datetime.timedelta(days=days),
        agreed_by=by,
        agreed_at=timezone.now(),
    )
    save(contact, by=by, reason=f"Contact agreed with the {link.get_role_display().lower()}")
    return contact


@transaction.atomic
def contact_add(*, problem: Problem, by: User, **fields: Any) -> Contact:
    """Record a contact named on the agreement itself (the older shape): no person record needed.

    A victim's or complainant's first contact falls due one period from today, as with ``contact_agree``.
    """
    require(by, "jps.view_contacts", problem)
    policy.fields_refuse(fields, policy.CONTACT_FIELDS)
    contact = Contact(problem=problem, agreed_by=by, agreed_at=timezone.now(), **fields)
    if contact.kind in AGREEABLE_ROLES:
        days = _frequency(contact.contact_every_days)
        contact.next_contact_due = local_today() + datetime.timedelta(days=days)
    save(contact, by=by)
    return contact


def _last_contact_day(contact: Contact) -> datetime.date | None:
    last = contact.log.filter(Q(reached=True) | Q(final=True)).aggregate(at=Max("contacted_at"))["at"]
    return timezone.localdate(last) if last else None


@transaction.atomic
def contact_update(*, contact: Contact, by: User, reason: str = "", **fields: Any) -> Contact:
    """Change an agreement: method, frequency, times to avoid, notes, the next date, or the reason for no final contact.

    A new frequency moves the next date to one new period after the last contact made (or the day
    of the agreement), but never into the past; a date given with it wins.
    """
    require(by, "jps.view_contacts", contact.problem)
    policy.fields_refuse(fields, AGREEMENT_FIELDS)
    if "contact_every_days" in fields:
        _frequency(fields["contact_every_days"])
    if "next_contact_due" in fields and fields["next_contact_due"] != contact.next_contact_due:
        _not_before_today(fields["next_contact_due"])
    for name in ("times_to_avoid", "notes", "no_final_contact_reason"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    changed = set(fields)
    frequency_changed = fields.get("contact_every_days", contact.contact_every_days) != contact.contact_every_days
    for name, value in fields.items():
        setattr(contact, name, value)
    if frequency_changed and "next_contact_due" not in fields and contact.next_contact_due is not None:
        today = local_today()
        base = _last_contact_day(contact) or (timezone.localdate(contact.agreed_at) if contact.agreed_at else today)
        contact.next_contact_due = max(base + datetime.timedelta(days=contact.contact_every_days), today)
        changed.add("next_contact_due")
    save(contact, by=by, reason=reason or "Contact agreement changed", update_fields=changed)
    return contact


@transaction.atomic
def contact_log(
    *,
    contact: Contact,
    by: User,
    method: str,
    summary: str,
    reached: bool,
    contacted_at: datetime.datetime | None = None,
    outcome: str = "",
    final: bool = False,
) -> ContactLog:
    """Log a contact with the person of an agreement (or an attempt), and move the next date on.

    A contact that reached the person, or the final one, answers the date that was due (kept on
    the entry as ``due_on``, for "made on time") and sets the next one agreed period after the day
    of the contact; the final contact clears it (no more reminders). An attempt that did not reach
    them leaves the contact due, so the reminders go on. A contact logged late, older than one
    already logged, is kept but moves nothing. The agreement's row is locked meanwhile, so two
    people logging at once both count, in order.
    """
    require(by, "jps.view_contacts", contact.problem)
    now = timezone.now()
    contacted_at = contacted_at or now
    if contacted_at > now + CLOCK_SLACK:
        raise ValidationError({"contacted_at": "The contact must be today or in the past."})
    if not summary.strip():
        raise ValidationError({"summary": "Enter what was said, or what happened."})
    if not isinstance(reached, bool):
        raise ValidationError({"reached": "Say whether the person was reached."})
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    last = _last_contact_day(locked)
    day = timezone.localdate(contacted_at)
    answers = (reached or final) and (last is None or day >= last)
    entry = ContactLog(
        contact=locked,
        contacted_at=contacted_at,
        by=by,
        method=method,
        summary=summary.strip(),
        outcome=outcome.strip(),
        reached=reached,
        final=final,
        due_on=locked.next_contact_due if answers else None,
    )
    save(entry, by=by, reason="Final contact logged" if final else "Contact logged")
    if answers:
        locked.next_contact_due = None if final else day + datetime.timedelta(days=locked.contact_every_days)
        save(locked, by=by, reason="Next contact due moved on", update_fields=["next_contact_due"])
        contact.next_contact_due = locked.next_contact_due
    return entry
