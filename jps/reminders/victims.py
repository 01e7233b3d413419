"""The high-risk victim reminder: each victim assessed high on an open problem, to the district's supervisors.

The due period is the day of the assessment that made the victim high risk: the supervisors hear
once about it, however often the job runs, and again only when the victim is reassessed high on a
later day. Which victim is at high risk is ``jps.people.risk`` (the current assessment); the item is
the victim's link on the problem (``victim:<link id>``), so two victims on one problem are two items.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import CharField, Exists, OuterRef, QuerySet
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from ..models import OPEN_STAGES, Reminder, Risk, RiskAssessment
from ..models.reminders import reminder_item_key, reminder_item_key_sql
from ..people.risk import risk_assessments_current
from .common import Kind, Recipient, _People


def _row(assessment: RiskAssessment, recipient: Recipient) -> Reminder:
    assessed_on = timezone.localdate(assessment.assessed_at)
    return Reminder(
        kind=Kind.HIGH_RISK_VICTIM,
        problem_id=assessment.problem_id,
        recipient_id=recipient.user_id,
        email=recipient.email,
        item_key=reminder_item_key("victim", assessment.link_id),
        recipient_key=recipient.key,
        period_key=assessed_on.isoformat(),
        due_on=assessed_on,
        # No name: the email says a victim is at high risk; who they are is in JPS, behind the sign-in.
        note=f"a victim assessed high risk (score {assessment.score} of {assessment.questionnaire.max_score})",
    )


def high_risk_victims_due(
    now: datetime.datetime, people: _People
) -> tuple[QuerySet[Any], Callable[[Any], list[Reminder]]]:
    """Victims whose current assessment is high on an open problem, not yet reminded for that assessment."""
    reminded = Reminder.objects.filter(
        kind=Kind.HIGH_RISK_VICTIM,
        item_key=reminder_item_key_sql("victim", OuterRef("link_id")),
        period_key=Cast(OuterRef("assessed_on"), output_field=CharField()),
    )
    queryset = (
        risk_assessments_current()
        .filter(level=Risk.HIGH, problem__stage__in=OPEN_STAGES)
        .alias(assessed_on=TruncDate("assessed_at", tzinfo=timezone.get_current_timezone()))
        .exclude(Exists(reminded))
        .select_related("problem", "questionnaire")
        .prefetch_related("questionnaire__questions")
        .only("id", "link_id", "score", "assessed_at", "problem__id", "problem__district_id", "questionnaire__id")
        .order_by()
    )

    def rows(assessment: RiskAssessment) -> list[Reminder]:
        return [_row(assessment, r) for r in people.supervisors(assessment.problem.district_id)]

    return queryset, rows
