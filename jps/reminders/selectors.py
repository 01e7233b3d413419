"""What a person sees of their own reminders (on \"My work\")."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from ..case_reviews.rules import case_review_scope_q
from ..models import (
    OPEN_STAGES,
    CaseReviewApplication,
    District,
    Reminder,
    SupervisoryReview,
)
from ..rules import problem_ids_visible_to


def reminders_for(user: Any) -> QuerySet[Reminder]:
    """The reminders sent (or waiting to be sent) to ``user``, newest first.

    Limited to problems the user can still see, so a reminder never shows a problem that
    has since moved out of their scope.
    """
    if not getattr(user, "is_authenticated", False):
        return Reminder.objects.none()
    visible = problem_ids_visible_to(user)
    districts = sorted(user.scope_district_ids) if not user.is_administrator else District.objects.values("pk")
    return (
        Reminder.objects.filter(recipient_id=user.pk)
        .filter(
            Q(problem_id__in=visible, case_review__isnull=True)
            | Q(problem__isnull=True, neighbourhood__district_id__in=districts)
            | Q(case_review_id__in=CaseReviewApplication.objects.filter(case_review_scope_q(user)).values("pk"))
        )
        .select_related("problem", "problem__neighbourhood", "action", "neighbourhood", "case_review")
        .order_by("-created_at", "-id")
    )


def escalations_awaiting(user: Any) -> QuerySet[Reminder]:
    """Supervisors' escalations to ``user`` (``REVIEW_ESCALATED_BY_SUPERVISOR``) still waiting for them.

    One waits while its problem is open and ``user`` has not reviewed it since: their own review is
    the answer, whatever they decide. Oldest first, as a queue.
    """
    answered = SupervisoryReview.objects.filter(
        problem_id=OuterRef("problem_id"), reviewer_id=user.pk, reviewed_at__gte=OuterRef("created_at")
    )
    return (
        reminders_for(user)
        .filter(kind=Reminder.Kind.REVIEW_ESCALATED_BY_SUPERVISOR, problem__stage__in=OPEN_STAGES)
        .exclude(Exists(answered))
        .order_by("created_at", "id")
    )
