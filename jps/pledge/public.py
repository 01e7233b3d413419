"""Which neighbourhood pages the team and the Pledge changed, for the public site's incremental export.

The incremental export otherwise follows changed problems only. A team member's consent, rank or
photo (their user's history), a neighbourhood's team details (its history) and a Pledge explanation
each change neighbourhood pages too; the nightly full export would catch up, but residents should
not wait a day for an officer's name or a "why not" to appear.
"""

from __future__ import annotations

import datetime

from django.db.models import Q

from ..models import Neighbourhood, PledgeExplanation, User
from ..publishing import TEAM_ROLES


def team_pages_changed_since(*, since: datetime.datetime) -> dict[int, int]:
    """``{neighbourhood id: district id}`` of the pages whose team or Pledge section may differ since ``since``.

    Four small queries, answered from the history tables' dates and the explanations' ``updated_at``.
    """
    users = User.history.filter(history_date__gt=since, role__in=TEAM_ROLES).values("id")
    districts = User.districts.through.objects.filter(user_id__in=users, user__role=User.Role.SUPERVISOR)
    changed = (
        Q(pk__in=Neighbourhood.history.filter(history_date__gt=since).values("id"))
        | Q(pk__in=User.neighbourhoods.through.objects.filter(user_id__in=users).values("neighbourhood_id"))
        | Q(district_id__in=districts.values("district_id"))
        | Q(pk__in=PledgeExplanation.objects.filter(updated_at__gt=since).values("neighbourhood_id"))
    )
    return dict(Neighbourhood.objects.filter(changed).order_by().values_list("pk", "district_id"))
