"""Reads of ASB case reviews: what a user sees (``rules.case_review_scope_q``, the one rule) and the
statutory figures per community safety partnership area (one aggregate query)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractQuarter, ExtractYear

from ..models import CaseReviewApplication, CaseReviewRecommendation, District
from ..problems.selectors import scoped_get
from .rules import case_review_scope_q


def case_reviews_visible_to(user: Any) -> QuerySet[CaseReviewApplication]:
    return (
        CaseReviewApplication.objects.filter(case_review_scope_q(user))
        .select_related("district", "applicant", "behalf_of", "lead_agency", "lead_officer", "received_by_agency")
        .order_by("-received_on", "-id")
    )


def case_review_get_for(user: Any, pk: int | str) -> CaseReviewApplication:
    """One application if ``user`` may see it; ``DoesNotExist`` otherwise (callers answer 404), logged."""
    return scoped_get(case_reviews_visible_to(user), user=user, pk=pk)


@dataclass(frozen=True)
class FigureRow:
    district_id: int
    district: str
    year: int
    quarter: int
    received: int
    threshold_not_met: int
    reviews: int
    with_recommendations: int


#: The columns of the statutory figures, as published (CSV, JSON, the dashboard).
FIGURE_COLUMNS = (
    "CSP area",
    "Year",
    "Quarter",
    "Applications received",
    "Threshold not met",
    "Reviews carried out",
    "Reviews leading to recommendations",
)


def figures_scope(user: Any) -> QuerySet[District]:
    """Whose figures a user reads: their force's areas (administrators: all). The figures are the
    counts the partnership publishes each year; a count names no application."""
    if user.is_administrator:
        return District.objects.all()
    return District.objects.filter(force_id=user.force_id) if user.force_id else District.objects.none()


def case_review_figures(
    *, districts: QuerySet[District], year: int | None = None, today: datetime.date | None = None
) -> list[FigureRow]:
    """Per CSP area, year and quarter (of the date received): applications received, those whose
    threshold was not met, reviews carried out (a review meeting held) and reviews that led to
    recommendations. One ``GROUP BY`` query."""
    recommended = CaseReviewRecommendation.objects.filter(application_id=OuterRef("pk"))
    queryset = CaseReviewApplication.objects.filter(district__in=districts)
    if year is not None:
        queryset = queryset.filter(received_on__year=year)
    rows = (
        queryset.annotate(year=ExtractYear("received_on"), quarter=ExtractQuarter("received_on"))
        .alias(recommended=Exists(recommended))
        .values("district_id", "district__name", "year", "quarter")
        .annotate(
            received=Count("pk"),
            not_met=Count("pk", filter=Q(threshold_met=False)),
            reviews=Count("pk", filter=Q(meeting_held_on__isnull=False)),
            with_recs=Count("pk", filter=Q(meeting_held_on__isnull=False, recommended=True)),
        )
        .order_by("district__name", "district_id", "year", "quarter")
    )
    return [
        FigureRow(r["district_id"], r["district__name"], r["year"], r["quarter"], r["received"], r["not_met"],
                  r["reviews"], r["with_recs"])
        for r in rows
    ]  # fmt: skip


def figure_table(rows: list[FigureRow]) -> list[tuple[Any, ...]]:
    return [
        (r.district, r.year, f"Q{r.quarter}", r.received, r.threshold_not_met, r.reviews, r.with_recommendations)
        for r in rows
    ]
