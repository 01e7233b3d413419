"""Who sees and who may minute a multi-agency case panel: the rules of ``jps.rules`` for panels.

Kept beside the panels (``jps.rules`` imports this module, so the permissions are registered with
the others), as the case reviews' rules are. Which *cases* on a panel a reader sees is not decided
here: an item is seen through the rule of what it is about (``problem_ids_visible_to`` for a problem,
``case_review_scope_q`` for an application), so the minutes can never show a partner more than the
problem page or the case review page would.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Exists, OuterRef, Q

from ..case_reviews.rules import CASE_REVIEW_ROLES, case_review_scope_q
from ..models import CaseReviewApplication, District, Panel, PanelItem, Problem, User
from ..rules import is_administrator, is_officer, is_supervisor, problem_ids_visible_to

Role = User.Role


def panel_scope_q(user: Any) -> Q:
    """The panels ``user`` may see, as a filter on ``Panel`` (the sitting: date, place, agencies).

    Officers and supervisors of the CSP area; the area's community-safety lead; the staff of an
    agency at the table. Analysts, call handlers, web editors and training managers: none (an
    agenda names victims). Administrators: all. What each sees *of the agenda* is the items' rule.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_administrator:
        return Q()
    if user.role not in CASE_REVIEW_ROLES:
        return Q(pk__in=[])
    scope = Q(district__community_safety_lead_id=user.pk)
    if user.role in (Role.OFFICER, Role.SUPERVISOR):
        scope |= Q(district_id__in=sorted(user.scope_district_ids))
    if user.agency_id:
        at_table = Panel.agencies.through.objects.filter(panel_id=OuterRef("pk"), agency_id=user.agency_id)
        scope |= Q(Exists(at_table))
    return scope


def panel_item_scope_q(user: Any) -> Q:
    """The agenda items ``user`` may read, as a filter on ``PanelItem``: the cases they take part in.

    An item about a problem (a victim, an overdue review, an overdue action) follows the problem's
    visibility; an item about a case review follows the application's.
    """
    problems = Problem.objects.filter(pk__in=problem_ids_visible_to(user)).values("pk")
    reviews = CaseReviewApplication.objects.filter(case_review_scope_q(user)).values("pk")
    return Q(problem_id__in=problems) | Q(case_review_id__in=reviews)


@rules.predicate
def can_view_panel(user: Any, panel: Any) -> bool:
    if panel is None or panel.pk is None:
        return False
    return Panel.objects.filter(panel_scope_q(user), pk=panel.pk).exists()


@rules.predicate
def works_in_area(user: Any, target: Any) -> bool:
    """A district (or a panel's district) is in the user's area; no object: the role decides."""
    if target is None:
        return True
    district_id = target.pk if isinstance(target, District) else target.district_id
    return district_id in user.scope_district_ids


@rules.predicate
def leads_community_safety(user: Any, target: Any) -> bool:
    """The area's community-safety lead; with no object, the lead of any area."""
    if target is None:
        return District.objects.filter(community_safety_lead_id=user.pk).exists()
    district = target if isinstance(target, District) else target.district
    return bool(district.community_safety_lead_id == user.pk)


@rules.predicate
def at_the_table(user: Any, item: Any) -> bool:
    """Staff of an agency at the panel, on an item about a case they take part in."""
    if item is None or not user.agency_id or user.role not in CASE_REVIEW_ROLES:
        return False
    if not item.panel.agencies.filter(pk=user.agency_id).exists():
        return False
    return PanelItem.objects.filter(panel_item_scope_q(user), pk=item.pk).exists()


@rules.predicate
def chairs_item(user: Any, item: Any) -> bool:
    return item is not None and user.has_perm("jps.change_panel", item.panel)


#: Arrange a panel (for a CSP area, when one is given): the area's officers and supervisors and its
#: community-safety lead.
can_record_panel = is_administrator | ((is_officer | is_supervisor) & works_in_area) | leads_community_safety

#: Change a panel, build its agenda, record it held or cancelled: the same people, for its area.
can_change_panel = can_record_panel

#: Record a decision and take actions on an agenda item: whoever runs the panel, or an agency at the
#: table on a case it takes part in.
can_minute_panel_item = is_administrator | chairs_item | at_the_table

rules.add_perm("jps.see_panel", can_view_panel)
rules.add_perm("jps.record_panel", can_record_panel)
rules.add_perm("jps.change_panel", can_change_panel)
rules.add_perm("jps.minute_panel_item", can_minute_panel_item)
