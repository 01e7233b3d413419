"""The problem filters: one meaning for each, shared by the API's list and the staff problem list.

What ``q`` searches, what "overdue" and "agency" mean, live here once (``api.filters`` uses
``ProblemFilter`` as it is; ``frontend.forms.ProblemFilter`` shows the same filters as selects
limited to the user's force). They narrow a queryset that already comes from
``jps.selectors``, so no filter can widen what a user sees. Ids are filtered as plain numbers
(not model choices): an id the user may not see gives an empty list, never an error that
would tell "exists" from "hidden".
"""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django_filters.fields import IsoDateTimeField

from .models import Agency, Participation, Problem, Stage, review_overdue_q

MAX_ID = 2**63 - 1

#: The columns ``q`` searches; each has a trigram index (migration 0013_search_trigram).
SEARCHED = ("reference", "title", "description", "problem_statement", "location", "originator")


class IdField(forms.IntegerField):
    """A database id: a whole number within a 64-bit key, else a 400 (never an overflow 500)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """A whole-number id (bad input is a 400, not a 500)."""

    field_class = IdField


class UTCDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time converted to UTC before it reaches the database.

    PostgreSQL refuses offsets beyond ±15:59 that Python accepts (``+22:00``); in UTC
    every valid instant is fine, and one outside the calendar is a 400.
    """

    def to_python(self, value: Any) -> datetime.datetime | None:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(datetime.UTC)
        except (OverflowError, ValueError) as error:
            raise forms.ValidationError("Enter a valid date and time.", code="invalid") from error


class UpdatedSinceFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField


class ProblemFilter(django_filters.FilterSet):
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices)
    neighbourhood = IdFilter(field_name="neighbourhood_id")
    district = IdFilter(field_name="district_id")
    category = IdFilter(field_name="category_id")
    owner = IdFilter(field_name="owner_id")
    agency = IdFilter(method="filter_agency", label="Lead or participating agency id")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Open and past its review date")
    public_priority = django_filters.BooleanFilter()
    q = django_filters.CharFilter(
        method="filter_q", label="Text in reference, title, description, statement, location or originator"
    )
    updated_since = UpdatedSinceFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Problem
        fields: list[str] = []

    def filter_agency(self, queryset: QuerySet[Problem], name: str, value: Agency | int | None) -> QuerySet[Problem]:
        """Led by the agency, or the agency takes part."""
        if value is None:
            return queryset
        agency_id = value.pk if isinstance(value, Agency) else value
        takes_part = Participation.objects.filter(problem_id=OuterRef("pk"), agency_id=agency_id)
        return queryset.filter(Q(lead_agency_id=agency_id) | Q(Exists(takes_part)))

    def filter_overdue(self, queryset: QuerySet[Problem], name: str, value: bool | None) -> QuerySet[Problem]:
        """Open and past its review date (``Problem.is_review_overdue``), or not."""
        if value is None:
            return queryset
        overdue = review_overdue_q(timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_q(self, queryset: QuerySet[Problem], name: str, value: str) -> QuerySet[Problem]:
        """``icontains`` over the searched columns, answered from their trigram indexes on PostgreSQL."""
        value = value.strip()
        if not value:
            return queryset
        match = Q()
        for column in SEARCHED:
            match |= Q(**{f"{column}__icontains": value})
        return queryset.filter(match)
