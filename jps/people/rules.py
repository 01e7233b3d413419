"""Who reads and who makes a victim's risk assessment: the rules of ``jps.rules`` for assessments.

Kept beside the people (``jps.rules`` imports this module, so the permissions are registered with
the others, and re-exports ``reads_risk`` and ``risk_scope_q``) because ``jps/rules.py`` is long
enough already.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from ..models import User
from ..rules import in_problem_district, is_administrator, is_officer, is_supervisor, owns_problem, problem_is_open

Role = User.Role

#: The roles that read and make victims' risk assessments at all (in their scope): police staff who
#: work problems. Partners never do, whatever they own or take part in; nor analysts, call handlers,
#: web editors or training managers.
RISK_ROLES = (Role.OFFICER, Role.SUPERVISOR)


def reads_risk(user: Any) -> bool:
    """May ``user`` read any risk assessment at all (the API's list answers 403 otherwise)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_administrator or user.role in RISK_ROLES)


def risk_scope_q(user: Any) -> Q:
    """The problems whose victims' risk assessments ``user`` may read, as a filter on ``Problem``.

    The list twin of ``jps.view_risk``: the problem's owner and the district's officers and
    supervisors (those who see its contacts, partners excepted); administrators. A test checks the
    two agree for every role.
    """
    if not reads_risk(user):
        return Q(pk__in=[])
    if user.is_administrator:
        return Q()
    return Q(district_id__in=sorted(user.scope_district_ids)) | Q(owner_id=user.pk)


#: A victim's answers and risk level: police staff working the problem (``jps.view_contacts`` without partners).
can_view_risk = is_administrator | ((is_officer | is_supervisor) & (owns_problem | in_problem_district))

#: Assessing (at first contact, at a review, when circumstances change) sets an open problem's risk.
can_assess_risk = can_view_risk & problem_is_open

rules.add_perm("jps.view_risk", can_view_risk)
rules.add_perm("jps.assess_risk", can_assess_risk)
