"""Filters for the list endpoints.

They narrow a queryset that already comes from ``jps.selectors``, so no filter can
widen what a user sees. Ids are filtered as plain numbers (not model choices): an
id the user may not see gives an empty list, never an error that would tell
"exists" from "hidden".
"""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field
from rest_framework.filters import OrderingFilter

from jps.models import (
    Action,
    Evaluation,
    Neighbourhood,
    Participation,
    Problem,
    ProgressUpdate,
    Stage,
    SupervisoryReview,
)

MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    """A database id: a whole number within a 64-bit key, else a 400 (never an overflow 500)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
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


class StableOrderingFilter(OrderingFilter):
    """``?ordering=`` among the allowed fields, always ending with the id so pages never shuffle."""

    def filter_queryset(self, request, queryset, view):  # type: ignore[no-untyped-def]
        ordering = self.get_ordering(request, queryset, view) or []
        ordering = [o for o in ordering if o.lstrip("-") != "id"]
        tiebreak = "-id" if ordering and ordering[0].startswith("-") else "id"
        return queryset.order_by(*ordering, tiebreak)


class ProblemFilter(django_filters.FilterSet):
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices)
    neighbourhood = IdFilter(field_name="neighbourhood_id")
    district = IdFilter(field_name="district_id")
    category = IdFilter(field_name="category_id")
    owner = IdFilter(field_name="owner_id")
    agency = IdFilter(method="filter_agency", label="Lead or participating agency id")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Open and past its review date")
    public_priority = django_filters.BooleanFilter()
    q = django_filters.CharFilter(method="filter_q", label="Text in reference, title or description")
    updated_since = UpdatedSinceFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Problem
        fields: list[str] = []

    def filter_agency(self, queryset: QuerySet[Problem], name: str, value: int | None) -> QuerySet[Problem]:
        if value is None:
            return queryset
        takes_part = Participation.objects.filter(problem_id=OuterRef("pk"), agency_id=value)
        return queryset.filter(Q(lead_agency_id=value) | Q(Exists(takes_part)))

    def filter_overdue(self, queryset: QuerySet[Problem], name: str, value: bool | None) -> QuerySet[Problem]:
        if value is None:
            return queryset
        overdue = Problem.objects.review_overdue(today=timezone.localdate()).values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)

    def filter_q(self, queryset: QuerySet[Problem], name: str, value: str) -> QuerySet[Problem]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__icontains=value) | Q(title__icontains=value) | Q(description__icontains=value)
        )


class ActionFilter(django_filters.FilterSet):
    agency = IdFilter(field_name="agency_id")
    status = django_filters.MultipleChoiceFilter(choices=Action.Status.choices)
    problem = IdFilter(field_name="problem_id")
    action_type = django_filters.ChoiceFilter(choices=Action.Type.choices)
    open = django_filters.BooleanFilter(method="filter_open", label="Planned or in progress")
    ours = django_filters.BooleanFilter(method="filter_ours", label="Owned by the requesting user's agency")
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lt")
    updated_since = UpdatedSinceFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Action
        fields: list[str] = []

    def filter_open(self, queryset: QuerySet[Action], name: str, value: bool | None) -> QuerySet[Action]:
        if value is None:
            return queryset
        method = queryset.filter if value else queryset.exclude
        return method(status__in=Action.OPEN_STATUSES)

    def filter_ours(self, queryset: QuerySet[Action], name: str, value: bool | None) -> QuerySet[Action]:
        if not value:
            return queryset
        return queryset.filter(agency_id=self.request.user.agency_id)


class ReviewFilter(django_filters.FilterSet):
    problem = IdFilter(field_name="problem_id")
    decision = django_filters.ChoiceFilter(choices=SupervisoryReview.Decision.choices)

    class Meta:
        model = SupervisoryReview
        fields: list[str] = []


class ProgressUpdateFilter(django_filters.FilterSet):
    problem = IdFilter(field_name="problem_id")
    status = django_filters.MultipleChoiceFilter(choices=ProgressUpdate.Status.choices)

    class Meta:
        model = ProgressUpdate
        fields: list[str] = []


class EvaluationFilter(django_filters.FilterSet):
    problem = IdFilter(field_name="problem_id")
    rating = django_filters.ChoiceFilter(choices=Evaluation.Rating.choices)
    best_practice = django_filters.BooleanFilter()
    tag = django_filters.CharFilter(field_name="tags__slug", distinct=True)

    class Meta:
        model = Evaluation
        fields: list[str] = []


class NeighbourhoodFilter(django_filters.FilterSet):
    district = IdFilter(field_name="district_id")

    class Meta:
        model = Neighbourhood
        fields: list[str] = []
