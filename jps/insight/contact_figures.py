"""Contacts made on time, by district: the dashboard's figure for the contact agreements (issue 18).

A contact "fell due" in the period when a due date of an agreement lies in it and has passed: it
was either answered by a contact logged (the entry's ``due_on``), on time when made on or before
that day, or is still unanswered (the agreement's ``next_contact_due`` is that day). An unanswered
date on a problem closed before it counts for nothing: nothing was due of a closed problem. One
query: each district in the user's scope with three counts as subqueries, answered from the
indexes on ``ContactLog.due_on`` and ``Contact.next_contact_due``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import Contact, ContactLog, District
from .figure import Cell, Figure

#: How far back the figure looks: due dates in the last 90 days, up to yesterday.
CONTACT_PERIOD_DAYS = 90


def contact_figure_districts(user: Any) -> QuerySet[District]:
    """The districts whose contacts ``user`` may count: their own (officers, supervisors), all (administrators)."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("jps.view_contact_figures"):
        return District.objects.none()
    if user.is_administrator:
        return District.objects.all()
    # ``User.scope_district_ids`` as subqueries, so the figure stays one statement.
    named, via = user.districts.values("pk"), user.neighbourhoods.values("district_id")
    return District.objects.filter(Q(pk__in=named) | Q(pk__in=via))


def _count(rows: QuerySet[Any], district: str) -> Coalesce:
    """``COUNT(*)`` of ``rows`` in the outer query's district, as a scalar subquery (0 when none)."""
    grouped = rows.filter(**{district: OuterRef("pk")}).order_by().values(district).annotate(n=Count("pk"))
    return Coalesce(Subquery(grouped.values("n")[:1]), 0)


#: Of the contacts logged against a due date (``contacts_fell_due``): those made on or before it.
MADE_ON_TIME = Q(contacted_at__date__lte=F("due_on"))


def contacts_fell_due(start: datetime.date, end: datetime.date) -> tuple[QuerySet[ContactLog], QuerySet[Contact]]:
    """The contacts that fell due from ``start`` to ``end`` (both included): logged against a due date
    (``MADE_ON_TIME`` of them on time), and still unanswered on a problem open on that day.

    The one definition of "victims updated as agreed": this figure and the Pledge page's both count it.
    """
    answered = ContactLog.objects.filter(due_on__range=(start, end))
    unanswered = Contact.objects.filter(next_contact_due__range=(start, end)).filter(
        Q(problem__closed_at__isnull=True) | Q(problem__closed_at__date__gt=F("next_contact_due"))
    )
    return answered, unanswered


def contacts_on_time_by_district(*, user: Any, today: datetime.date | None = None) -> Figure:
    """Per district: contacts that fell due in the period, made on time, made late, not made; the share on time."""
    today = today or timezone.localdate()
    start, end = today - datetime.timedelta(days=CONTACT_PERIOD_DAYS), today - datetime.timedelta(days=1)
    answered, unanswered = contacts_fell_due(start, end)
    grouped = (
        contact_figure_districts(user)
        .annotate(
            answered=_count(answered, "contact__problem__district"),
            on_time=_count(answered.filter(MADE_ON_TIME), "contact__problem__district"),
            missed=_count(unanswered, "problem__district"),
        )
        .filter(Q(answered__gt=0) | Q(missed__gt=0))
        .order_by("name", "pk")
        .values_list("name", "answered", "on_time", "missed")
    )
    rows: list[tuple[Cell, ...]] = []
    for name, made, on_time, missed in grouped:
        due = made + missed
        rows.append((name, due, on_time, made - on_time, missed, round(100.0 * on_time / due, 1)))
    return Figure(
        slug="contacts-on-time",
        title="Contacts with victims and complainants made on time",
        columns=("District", "Contacts due", "Made on time", "Made late", "Not made", "On time (%)"),
        rows=rows,
        value_column=5,
        total=sum(int(r[1] or 0) for r in rows),
        extra={"on_time": sum(int(r[2] or 0) for r in rows)},
        note=(
            f"Contacts agreed with victims and complainants that fell due from {start:%d %B %Y} to {end:%d %B %Y}; "
            "on time means made (the person reached, or the final contact) on or before the day it was due."
        ),
    )
