"""Every read of the domain that depends on who is asking goes through here.

``problems_visible_to`` is the scope; lists for the web, the API, the tasks and the
exports start from it (or, for public output, from ``public_priorities``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .models import (
    Action,
    Evaluation,
    LearningNeed,
    Neighbourhood,
    Problem,
    ProblemQuerySet,
    ProblemView,
    ProgressUpdate,
    Reminder,
    Stage,
    SupervisoryReview,
    User,
)
from .rules import problem_scope_q


def problems_visible_to(user: Any) -> ProblemQuerySet:
    """The problems ``user`` may see, with the relations every list shows."""
    return Problem.objects.filter(problem_scope_q(user)).select_related(  # type: ignore[return-value]
        "neighbourhood", "district", "category", "owner", "lead_agency"
    )


def problem_get_for(user: Any, pk: int | str) -> Problem:
    """One problem if ``user`` may see it; ``Problem.DoesNotExist`` otherwise, so callers answer 404."""
    return problems_visible_to(user).get(pk=pk)


def reviews_overdue(*, user: Any, today: datetime.date | None = None) -> QuerySet[Problem]:
    """A supervisor's review queue: open problems in scope past their review date, most overdue first."""
    return problems_visible_to(user).review_overdue(today=today).order_by("next_review_due", "id")


def reviews_due(*, user: Any, within_days: int = 7, today: datetime.date | None = None) -> QuerySet[Problem]:
    today = today or timezone.localdate()
    return (
        problems_visible_to(user)
        .open()
        .filter(next_review_due__lte=today + datetime.timedelta(days=within_days))
        .order_by("next_review_due", "id")
    )


def closures_awaiting_signoff(*, user: Any) -> QuerySet[Problem]:
    return (
        problems_visible_to(user)
        .filter(stage=Stage.ASSESSMENT, closure_requested_at__isnull=False)
        .order_by("closure_requested_at")
    )


def problems_owned_by(*, user: User) -> QuerySet[Problem]:
    return problems_visible_to(user).open().filter(owner=user).order_by("next_review_due", "id")


def actions_visible_to(user: Any) -> QuerySet[Action]:
    """Actions on problems the user can see."""
    visible = Problem.objects.filter(problem_scope_q(user)).values("pk")
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
    visible = Problem.objects.filter(problem_scope_q(user)).values("pk")
    return (
        ProgressUpdate.objects.filter(status=ProgressUpdate.Status.PENDING, problem_id__in=visible)
        .select_related("problem", "author", "problem__neighbourhood")
        .order_by("created_at")
    )


def evaluations_waiting(*, user: Any) -> QuerySet[Problem]:
    """Closed problems (with action) not yet evaluated, oldest closure first."""
    return problems_visible_to(user).filter(stage=Stage.CLOSED, evaluation__isnull=True).order_by("closed_at", "id")


def learning_needs_visible_to(user: Any) -> QuerySet[LearningNeed]:
    if not user.has_perm("jps.view_learning_needs"):
        return LearningNeed.objects.none()
    needs = LearningNeed.objects.select_related("district", "person", "evaluation__problem")
    if user.is_administrator:
        return needs
    return needs.filter(district__force_id=user.force_id)


def problem_detail(user: Any, pk: int | str) -> Problem:
    """One problem with everything its page shows, in a fixed number of queries."""
    actions = Action.objects.select_related("agency", "assignee").order_by("due_on", "id")
    updates = ProgressUpdate.objects.select_related("author", "decided_by")
    queryset = (
        problems_visible_to(user)
        .select_related("analysis", "assessment", "closed_by", "originator_agency", "created_by")
        .prefetch_related(
            Prefetch("actions", queryset=actions),
            Prefetch("updates", queryset=updates),
            "reviews__reviewer",
            "participations__agency",
            "transfers__from_agency",
            "transfers__to_agency",
        )
    )
    return queryset.get(pk=pk)


def problem_history(problem: Problem, *, limit: int = 200) -> list[dict[str, Any]]:
    """Who changed what, when, from the audit trail, newest first, with the fields that changed."""
    records = list(problem.history.select_related("history_user").order_by("-history_date")[: limit + 1])
    entries = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        changed = []
        if older is not None:
            changed = [c.field for c in newer.diff_against(older).changes]
        entries.append(
            {
                "when": newer.history_date,
                "who": newer.history_user,
                "kind": newer.get_history_type_display(),
                "reason": newer.history_change_reason or "",
                "fields": changed,
            }
        )
    return entries[:limit]


def reminders_for(user: Any) -> QuerySet[Reminder]:
    """The reminders sent (or waiting to be sent) to ``user``, newest first.

    Limited to problems the user can still see, so a reminder never shows a problem that
    has since moved out of their scope.
    """
    if not getattr(user, "is_authenticated", False):
        return Reminder.objects.none()
    visible = Problem.objects.filter(problem_scope_q(user)).values("pk")
    return (
        Reminder.objects.filter(recipient_id=user.pk, problem_id__in=visible)
        .select_related("problem", "problem__neighbourhood", "action")
        .order_by("-created_at", "-id")
    )


def problem_views_visible_to(user: Any) -> QuerySet[ProblemView]:
    """The access log as a supervisor (their districts) or an administrator (everything) may search it."""
    views = ProblemView.objects.select_related("user", "problem")
    if not user.has_perm("jps.view_access_log"):
        return views.none()
    if user.is_administrator:
        return views
    return views.filter(problem__district_id__in=sorted(user.scope_district_ids))


# --- added for the staff web interface -----------------------------------------------------


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


def problems_taking_part(*, user: User) -> QuerySet[Problem]:
    """A partner's open problems: those their agency leads or takes part in (the partner scope, open only)."""
    return problems_visible_to(user).open().order_by("next_review_due", "id")


def neighbourhoods_for_logging(*, user: Any) -> QuerySet[Neighbourhood]:
    """Where ``user`` may log a problem: their districts; partners their force; administrators everywhere.

    Mirrors the check in ``services.problem_create`` so the form never offers a place the service refuses.
    """
    queryset = Neighbourhood.objects.select_related("district").order_by("district__name", "name")
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if user.is_administrator:
        return queryset
    if user.role == User.Role.PARTNER:
        return queryset.filter(district__force_id=user.force_id) if user.force_id else queryset.none()
    return queryset.filter(district_id__in=sorted(user.scope_district_ids))


def neighbourhood_open_problems(*, user: Any, neighbourhood: Neighbourhood) -> QuerySet[Problem]:
    """The open problems of one neighbourhood that ``user`` may see, for the staff neighbourhood page."""
    return problems_visible_to(user).open().filter(neighbourhood=neighbourhood).order_by("-created_at")


# --- API lists (appended for the REST API, issue 4) ----------------------------------------


def reviews_visible_to(user: Any) -> QuerySet[SupervisoryReview]:
    """Supervisory reviews of problems the user can see (they are part of the problem record)."""
    visible = Problem.objects.filter(problem_scope_q(user)).values("pk")
    return SupervisoryReview.objects.filter(problem_id__in=visible).select_related("reviewer")


def updates_visible_to(user: Any) -> QuerySet[ProgressUpdate]:
    """Progress updates on problems the user can see."""
    visible = Problem.objects.filter(problem_scope_q(user)).values("pk")
    return ProgressUpdate.objects.filter(problem_id__in=visible).select_related("author")


def evaluations_visible_to(user: Any) -> QuerySet[Evaluation]:
    """Evaluations of problems the user can see (for analysts: their force's closed problems)."""
    visible = Problem.objects.filter(problem_scope_q(user)).values("pk")
    return Evaluation.objects.filter(problem_id__in=visible)
