"""Who a neighbourhood's team is, as residents see it: the members who agreed to be named, and how many did not.

Part of what is public (``jps.publishing`` re-exports it: the renderer and the data.police.uk mirror
read teams through it only): a name, a rank and a photo, never more.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .models import Neighbourhood, User


@dataclass(frozen=True)
class PublicOfficer:
    """A member of a neighbourhood team as residents see them: a name, a rank and (if they gave one) a photo.

    ``photo`` is the photo's name in the default storage (never a URL): the renderer copies the file
    into the exported site under a name of its own.
    """

    name: str
    rank: str
    photo: str = ""


#: Who may appear on a team page at all (and then only with ``User.publish_on_team_page``).
TEAM_ROLES = (User.Role.SUPERVISOR, User.Role.OFFICER)


def _team_members(places: list[Neighbourhood]) -> dict[int, dict[int, bool]]:
    """Each neighbourhood's active team, ``{neighbourhood id: {user id: consented}}``: two queries.

    The team: its officers and PCSOs, and its district's supervisors, whether they consented or not.
    """
    members: dict[int, dict[int, bool]] = {n.pk: {} for n in places}
    in_district: dict[int, list[int]] = defaultdict(list)
    for n in places:
        in_district[n.district_id].append(n.pk)
    active = {"user__is_active": True, "user__role__in": TEAM_ROLES}
    for user_id, nid, consent in User.neighbourhoods.through.objects.filter(
        neighbourhood_id__in=list(members), **active
    ).values_list("user_id", "neighbourhood_id", "user__publish_on_team_page"):
        members[nid][user_id] = consent
    for user_id, did, consent in User.districts.through.objects.filter(
        district_id__in=list(in_district), user__is_active=True, user__role=User.Role.SUPERVISOR
    ).values_list("user_id", "district_id", "user__publish_on_team_page"):
        for nid in in_district[did]:
            members[nid][user_id] = consent
    return members


def public_teams(*, neighbourhoods: Iterable[Neighbourhood]) -> tuple[dict[int, list[PublicOfficer]], dict[int, int]]:
    """Each neighbourhood's team as published, and how many of its team are not named there.

    Named: active officers of it and supervisors of its district who agreed to be
    (``User.publish_on_team_page``), supervisors first, then by name; staff without a full name
    are left out rather than published by username. The others are counted, never described.
    Three queries whatever the number of neighbourhoods.
    """
    members = _team_members(list(neighbourhoods))
    consenting = {pk for team in members.values() for pk, consent in team.items() if consent}
    users = {u.pk: u for u in User.objects.filter(pk__in=consenting, publish_on_team_page=True, is_active=True)}
    order: dict[str, int] = {role: i for i, role in enumerate(TEAM_ROLES)}
    named: dict[int, list[PublicOfficer]] = {}
    unnamed: dict[int, int] = {}
    for nid, team in members.items():
        people = sorted((users[pk] for pk in team if pk in users and users[pk].get_full_name()),
                        key=lambda u: (order[u.role], u.last_name, u.first_name, u.pk))  # fmt: skip
        named[nid] = [
            PublicOfficer(name=u.get_full_name(), rank=u.rank or u.get_role_display(), photo=u.team_photo.name or "")
            for u in people
        ]
        unnamed[nid] = len(team) - len(people)
    return named, unnamed


def public_team(*, neighbourhoods: Iterable[Neighbourhood]) -> dict[int, list[PublicOfficer]]:
    """Each neighbourhood's named team (``public_teams``)."""
    return public_teams(neighbourhoods=neighbourhoods)[0]
