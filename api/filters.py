"""Filters for the list endpoints (the problems' is ``jps.filters.ProblemFilter``, shared with the web list).

They narrow a queryset that already comes from ``jps.selectors``, so no filter can
widen what a user sees. Ids are filtered as plain numbers (not model choices): an
id the user may not see gives an empty list, never an error that would tell
"exists" from "hidden".
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework.filters import OrderingFilter

from jps.filters import MAX_ID, IdFilter, UpdatedSinceFilter
from jps.filters import ProblemFilter as ProblemFilter
from jps.models import Action, Evaluation, Neighbourhood, ProgressUpdate, SupervisoryReview

# The schema documents an id filter as a bounded integer (django-filter alone would say "number").
extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})(IdFilter)


class StableOrderingFilter(OrderingFilter):
    """``?ordering=`` among the allowed fields, always ending with the id so pages never shuffle."""

    def filter_queryset(self, request, queryset, view):  # type: ignore[no-untyped-def]
        ordering = self.get_ordering(request, queryset, view) or []
        ordering = [o for o in ordering if o.lstrip("-") != "id"]
        tiebreak = "-id" if ordering and ordering[0].startswith("-") else "id"
        return queryset.order_by(*ordering, tiebreak)


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
