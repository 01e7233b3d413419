"""Who sees and who may work an ASB case review: the rules of ``jps.rules`` for applications.

Kept beside the case reviews (``jps.rules`` imports this module, so the permissions are registered
with the others) because ``jps/rules.py`` is long enough already.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from ..models import CaseReviewApplication, User
from ..rules import _has_role, is_administrator

Role = User.Role


#: Staff of an agency who record and work case reviews (any agency: police, council, housing...).
CASE_REVIEW_ROLES = (Role.OFFICER, Role.SUPERVISOR, Role.PARTNER)


def case_review_scope_q(user: Any) -> Q:
    """The case review applications ``user`` may see, as a filter on ``CaseReviewApplication``.

    Only the agencies taking part in the application: the agency leading it, the agency that
    received it, and the agencies leading or taking part in its linked problems; and the lead
    officer and whoever recorded it. A partner never sees an application its agency takes no part
    in; call handlers, analysts, web editors and training managers see none (the statutory figures
    are counts, ``jps.case_reviews.figures``). Administrators: all.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_administrator:
        return Q()
    if user.role not in CASE_REVIEW_ROLES:
        return Q(pk__in=[])
    mine = Q(lead_officer_id=user.pk) | Q(received_by_id=user.pk)
    agency = user.agency_id
    if agency is None:
        return mine
    links = CaseReviewApplication.problems.through.objects
    via_problems = links.filter(
        Q(problem__lead_agency_id=agency) | Q(problem__participations__agency_id=agency)
    ).values("casereviewapplication_id")
    return mine | Q(lead_agency_id=agency) | Q(received_by_agency_id=agency) | Q(pk__in=via_problems)


@rules.predicate
def can_view_case_review(user: Any, application: Any) -> bool:
    if application is None or application.pk is None:
        return False
    return CaseReviewApplication.objects.filter(case_review_scope_q(user), pk=application.pk).exists()


@rules.predicate
def leads_case_review(user: Any, application: Any) -> bool:
    """The lead officer; when none is named yet, the staff of the lead agency."""
    if application is None:
        return False
    if application.lead_officer_id:
        return bool(application.lead_officer_id == user.pk)
    return bool(user.agency_id and application.lead_agency_id == user.agency_id)


@rules.predicate
def of_lead_agency(user: Any, application: Any) -> bool:
    return application is not None and user.agency_id is not None and application.lead_agency_id == user.agency_id


@rules.predicate
def supervises_case_review_area(user: Any, application: Any) -> bool:
    return (
        application is not None
        and user.role == Role.SUPERVISOR
        and application.district_id in (user.scope_district_ids)
    )


is_case_review_staff = _has_role(*CASE_REVIEW_ROLES)

#: Record an application: any agency's staff who work in the area (``case_review_district_check``).
can_record_case_review = is_administrator | is_case_review_staff

#: Acknowledge, hold the meeting, recommend, send the outcome, record the handling review: the lead
#: agency's staff (and a supervisor of the area), on an application they see.
can_work_case_review = is_administrator | (
    can_view_case_review & ((is_case_review_staff & of_lead_agency) | leads_case_review | supervises_case_review_area)
)

#: The threshold decision is the lead officer's (or a supervisor's of the area, when the lead is away).
can_decide_case_review = is_administrator | (can_view_case_review & (leads_case_review | supervises_case_review_area))

rules.add_perm("jps.see_case_review", can_view_case_review)
rules.add_perm("jps.record_case_review", can_record_case_review)
rules.add_perm("jps.work_case_review", can_work_case_review)
rules.add_perm("jps.decide_case_review", can_decide_case_review)
