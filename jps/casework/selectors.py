"""Reads of the work around problems: actions, reviews and updates, each limited to the problems
the user may see (``problem_ids_visible_to``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from ..models import (
    Action,
    ProgressUpdate,
    SupervisoryReview,
    User,
)
from ..rules import problem_ids_visible_to


def actions_visible_to(user: Any) -> QuerySet[Action]:
    """Actions on problems the user can see."""
    visible = problem_ids_visible_to(user)
    return Action.objects.filter(problem_id__in=visible).select_related(
        "problem", "agency", "assignee", "problem__neighbourhood"
    )


def actions_open_for_agency(*, user: User) -> QuerySet[Action]:
    """A partner's to-do list: their agency's open actions, soonest due first."""
    return (
        actions_visible_to(user)
        .filter(agency_id=user.agency_id or 0, status__in=Action.OPEN_STATUSES)
        .order_by("due_on", "id")
    )


def updates_awaiting_approval(*, user: Any) -> QuerySet[ProgressUpdate]:
    visible = problem_ids_visible_to(user)
    return (
        ProgressUpdate.objects.filter(status=ProgressUpdate.Status.PENDING, problem_id__in=visible)
        .select_related("problem", "author", "problem__neighbourhood", "problem__force")
        .order_by("created_at")
    )


def actions_due_for_owner(*, user: User, within_days: int = 14, today: datetime.date | None = None) -> QuerySet[Action]:
    """An officer's 'actions due': open actions on the problems they own, due soon or overdue."""
    today = today or timezone.localdate()
    return (
        actions_visible_to(user)
        .filter(
            problem__owner=user,
            status__in=Action.OPEN_STATUSES,
            due_on__lte=today + datetime.timedelta(days=within_days),
        )
        .order_by("due_on", "id")
    )


# --- API lists (appended for the REST API, issue 4) ----------------------------------------


def reviews_visible_to(user: Any) -> QuerySet[SupervisoryReview]:
    """Supervisory reviews of problems the user can see (they are part of the problem record)."""
    visible = problem_ids_visible_to(user)
    return SupervisoryReview.objects.filter(problem_id__in=visible).select_related("reviewer")


def updates_visible_to(user: Any) -> QuerySet[ProgressUpdate]:
    """Progress updates on problems the user can see."""
    visible = problem_ids_visible_to(user)
    return ProgressUpdate.objects.filter(problem_id__in=visible).select_related("author")
