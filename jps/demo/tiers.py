"""Demo escalation: Canterbury's chief inspector, the council's manager, and something due for each.

After the problems are loaded: a high-risk Canterbury problem whose inspector's and chief inspector's
reviews are due (logged two months ago, reviewed only by the sergeant), and a council action overdue
past the grace period, so ``run_job daily_digest`` shows every tier and the manager's escalation.
Idempotent: what is already set is left alone.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from jps import models as m
from jps import services

COUNCIL = "Canterbury City Council"


@transaction.atomic
def load_demo_tiers(*, users: dict[str, m.User], log: Callable[[str], None] = print) -> None:
    canterbury = m.District.objects.get(force__code="KNT", slug="canterbury")
    if canterbury.chief_inspector_id is None:
        canterbury.chief_inspector = users["chief_canterbury"]
        canterbury.save()
    council = m.Agency.objects.get(name=COUNCIL)
    if council.manager_id is None:
        council.manager = users["manager_council"]
        council.save()
    problem = _high_risk_with_tiers_due(canterbury)
    action = _council_action_past_grace(canterbury, council)
    log(
        f"Demo escalation: {canterbury.chief_inspector} is Canterbury's chief inspector, {council.manager} manages "
        f"{council}; {problem.reference if problem else 'no problem'} is due for its inspector's and chief "
        f"inspector's reviews{'' if action is None else ', and a council action is overdue past the grace period'}."
    )


def _high_risk_with_tiers_due(district: m.District) -> m.Problem | None:
    """The oldest open problem of the district, at high risk since it was logged about two months ago."""
    problem = m.Problem.objects.open().filter(district=district).order_by("created_at").first()
    if problem is None:
        return None
    if problem.risk != m.Risk.HIGH:
        services.problem_update(problem=problem, by=problem.owner, risk=m.Risk.HIGH)
    logged = timezone.now() - datetime.timedelta(days=60)
    m.Problem.objects.filter(pk=problem.pk, created_at__gt=logged).update(created_at=logged)
    m.Problem.objects.filter(pk=problem.pk, risk_raised_at__gt=logged).update(risk_raised_at=logged)
    return problem


def _council_action_past_grace(district: m.District, council: m.Agency) -> m.Action | None:
    actions = m.Action.objects.filter(
        agency=council, status__in=m.Action.OPEN_STATUSES, problem__district=district, problem__stage__in=m.OPEN_STAGES
    )
    late = timezone.localdate() - datetime.timedelta(days=20)
    if actions.filter(due_on__lte=late).exists():
        return None
    action = actions.order_by("id").first()
    if action is not None:
        services.action_update(action=action, by=action.problem.owner, due_on=late)
    return action
