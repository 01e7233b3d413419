"""Reads of contact agreements and their log, each limited to the problems the user may see.

Whether the user may see a problem's contacts at all is ``jps.view_contacts`` (the web and the API
ask it, as for the older contacts); these only make sure nothing outside ``problem_ids_visible_to``
is ever read.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from ..models import Contact, ContactLog, Problem, ProblemPerson
from ..models.contacts import AGREEABLE_ROLES
from ..rules import problem_ids_visible_to

#: Log entries shown with each agreement on the problem page.
RECENT_ENTRIES = 3


def contacts_visible_to(user: Any) -> QuerySet[Contact]:
    """Agreements on problems ``user`` may see (the caller checks ``jps.view_contacts`` on the problem)."""
    return Contact.objects.filter(problem_id__in=problem_ids_visible_to(user)).select_related(
        "problem", "link__person", "agreed_by"
    )


def contact_agreements_for(problem: Problem) -> list[Contact]:
    """A problem's agreements, victims first, each with its log newest first (``entries``) and
    whether its final contact is logged (``has_final``): three queries, whatever the number."""
    entries = Prefetch("log", queryset=ContactLog.objects.select_related("by"), to_attr="entries")
    final = ContactLog.objects.filter(contact_id=OuterRef("pk"), final=True)
    agreements = (
        Contact.objects.filter(problem_id=problem.pk)
        .select_related("link__person", "agreed_by")
        .annotate(has_final=Exists(final))
        .prefetch_related(entries)
    )
    order: dict[str, int] = {Contact.Kind.VICTIM: 0, Contact.Kind.COMPLAINANT: 1}
    return sorted(agreements, key=lambda c: (order.get(c.kind, 2), c.display_name.lower(), c.pk))


def contact_log_for(contact: Contact) -> QuerySet[ContactLog]:
    return ContactLog.objects.filter(contact_id=contact.pk).select_related("by")


def people_to_agree_with(problem: Problem) -> QuerySet[ProblemPerson]:
    """The victims and complainants on the problem with no contact agreement yet: whom to agree contact with."""
    return (
        ProblemPerson.objects.filter(problem_id=problem.pk, role__in=AGREEABLE_ROLES, contact_agreements__isnull=True)
        .select_related("person")
        .order_by("-role", "person__name", "id")
    )
