"""Who may change the public team page and explain the Pledge: registered with ``jps.rules``.

An officer's or PCSO's consent, rank and photo are theirs alone to give or withdraw (no one
consents for someone else, not even an administrator). A neighbourhood's team email and "where
to find us" are its district's supervisors' and the force's web editors'. The "why not" of a
missed month is the district's supervisors'. Partners never.
"""

from __future__ import annotations

from typing import Any

import rules

from ..models import Neighbourhood, User
from ..rules import is_administrator, is_officer, is_supervisor, is_web_editor


@rules.predicate
def is_themselves(user: Any, person: User | None) -> bool:
    return person is not None and person.pk == user.pk


@rules.predicate
def supervises_neighbourhood(user: Any, neighbourhood: Neighbourhood | None) -> bool:
    """The neighbourhood is in one of the districts the user covers."""
    return neighbourhood is not None and neighbourhood.district_id in user.scope_district_ids


@rules.predicate
def neighbourhood_in_force(user: Any, neighbourhood: Neighbourhood | None) -> bool:
    if neighbourhood is None or user.force_id is None:
        return False
    return bool(Neighbourhood.objects.filter(pk=neighbourhood.pk, district__force_id=user.force_id).exists())


#: Give or withdraw consent to be on the team page, set one's rank and photo: oneself, if on a team.
can_change_own_team_entry = is_themselves & (is_officer | is_supervisor)

#: A neighbourhood's team email and where to find the team.
can_change_team_details = (
    is_administrator | (is_supervisor & supervises_neighbourhood) | (is_web_editor & neighbourhood_in_force)
)

#: Record why a Pledge commitment was missed in a month.
can_explain_pledge = is_administrator | (is_supervisor & supervises_neighbourhood)

rules.add_perm("jps.change_own_team_entry", can_change_own_team_entry)
rules.add_perm("jps.change_team_details", can_change_team_details)
rules.add_perm("jps.explain_pledge", can_explain_pledge)
