"""Who sees and triages residents' reports: the neighbourhood's team, registered with ``jps.rules``.

A report comes from someone outside the force, often anonymous, and may name neighbours. Until the
team accepts it (then it is a problem, seen by the problem's rule), no one outside the team may see
it: not partners, not other neighbourhoods' officers, not call handlers, analysts or web editors.
The team is the officers and PCSOs of the neighbourhood (or of its whole district) and the district's
supervisors; administrators see all. After triage the report stays the team's record: others learn of
it through the problem (its source, originator and complainant).
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from ..models import ResidentReport, User
from ..rules import is_administrator

Role = User.Role


def resident_report_scope_q(user: Any) -> Q:
    """The residents' reports ``user`` may see, as a filter on ``ResidentReport``: their team's."""
    return neighbourhood_team_q(user)


def neighbourhood_team_q(user: Any) -> Q:
    """What ``user``'s neighbourhood team holds, as a filter on any model with a ``neighbourhood``.

    The officers and PCSOs of the neighbourhood (or of its whole district) and the district's
    supervisors; administrators everything; anyone else (partners, call handlers, analysts, web
    editors, the public) nothing. Residents' reports and their messages to the team share it.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_administrator:
        return Q()
    if user.role not in (Role.OFFICER, Role.SUPERVISOR):
        return Q(pk__in=[])
    neighbourhoods = list(user.neighbourhoods.values_list("id", flat=True))
    districts = list(user.districts.values_list("id", flat=True))
    return Q(neighbourhood_id__in=neighbourhoods) | Q(neighbourhood__district_id__in=districts)


@rules.predicate
def in_report_team(user: Any, report: ResidentReport | None) -> bool:
    """Asked of the database, so a page and the queue can never disagree."""
    if report is None or report.pk is None:
        return False
    return ResidentReport.objects.filter(resident_report_scope_q(user), pk=report.pk).exists()


@rules.predicate
def report_is_new(user: Any, report: ResidentReport | None) -> bool:
    return report is not None and report.status == ResidentReport.Status.NEW


can_view_resident_report = is_administrator | in_report_team
can_triage_resident_report = can_view_resident_report & report_is_new

rules.add_perm("jps.see_resident_report", can_view_resident_report)
rules.add_perm("jps.triage_resident_report", can_triage_resident_report)
