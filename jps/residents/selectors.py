"""Reads of residents' reports, every one through ``resident_report_scope_q`` (the team's)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from ..models import CLOSED_STAGES, Problem, ResidentReport
from .rules import resident_report_scope_q


def resident_reports_visible_to(user: Any) -> QuerySet[ResidentReport]:
    return (
        ResidentReport.objects.filter(resident_report_scope_q(user))
        .select_related("neighbourhood", "neighbourhood__district", "category", "problem", "triaged_by")
        .prefetch_related("photos")
    )


def resident_reports_to_triage(*, user: Any) -> QuerySet[ResidentReport]:
    """The team's queue: new reports, oldest first (the triage target runs from when they came in)."""
    return resident_reports_visible_to(user).filter(status=ResidentReport.Status.NEW).order_by("created_at", "id")


def resident_feedback_on(*, problem: Problem) -> QuerySet[ResidentReport]:
    """Residents' answers to "has it been fixed?" on a problem (for those who may see the problem)."""
    return ResidentReport.objects.filter(problem=problem, feedback_at__isnull=False).order_by("-feedback_at")


def resident_feedback_figures(*, problems: QuerySet[Problem]) -> dict[str, int]:
    """How residents answered, for the dashboard: reports on ``problems``, on closed ones, fixed, not fixed.

    One aggregate query over the reports on ``problems`` (the caller's scope), so a figure built on it
    costs the same whatever the data.
    """
    counts = ResidentReport.objects.filter(problem__in=problems.order_by().values("pk")).aggregate(
        n_reported=Count("pk"),
        n_closed=Count("pk", filter=Q(problem__stage__in=CLOSED_STAGES)),
        n_fixed=Count("pk", filter=Q(fixed=True)),
        n_not_fixed=Count("pk", filter=Q(fixed=False)),
    )  # aliases apart from the fields' names (an aggregate named "fixed" would shadow the field)
    return {key.removeprefix("n_"): int(value or 0) for key, value in counts.items()}
