"""What a person sees of their own reminders (on \"My work\")."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from ..case_reviews.rules import case_review_scope_q
from ..models import (
    CaseReviewApplication,
    District,
    Reminder,
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
