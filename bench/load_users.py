"""Credentials for the load test: real API tokens and real sessions of users picked from the bench data.

    python bench/load_users.py > users.json

Officers (PCSOs) and supervisors of the busiest districts, partner users whose agencies
have the most open actions, and an analyst per force (created as ``bench_analyst_<force>``
if the data set has none). Each gets a token (``rest_framework.authtoken``) and a session
made exactly as signing in makes one; ``bench/locustfile.py`` reads the file.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from jps.models import OPEN_STAGES, Action, Agency, Force, Problem, User  # noqa: E402

PER_ROLE = {"officer": 20, "supervisor": 10, "partner": 20, "analyst": 5}


def credentials(user: User) -> dict[str, Any]:
    token, _ = Token.objects.get_or_create(user=user)
    client = Client()
    client.force_login(user)  # a session row, as after signing in
    return {
        "username": user.username,
        "token": token.key,
        "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "districts": sorted(user.scope_district_ids),
    }


def main() -> None:
    busy = [
        row["district_id"]
        for row in Problem.objects.filter(stage__in=OPEN_STAGES)
        .values("district_id")
        .annotate(n=Count("id"))
        .order_by("-n")[: PER_ROLE["officer"]]
    ]
    people: dict[str, list[User]] = {}
    for role in ("officer", "supervisor"):
        chosen: list[User] = []
        for district_id in busy:
            user = User.objects.filter(role=role, districts=district_id, is_active=True).order_by("id").first()
            if user and user not in chosen:
                chosen.append(user)
        people[role] = chosen[: PER_ROLE[role]]
    agencies = (
        Action.objects.filter(status__in=Action.OPEN_STATUSES)
        .values("agency_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("agency_id", flat=True)[:200]
    )
    partners = User.objects.filter(role=User.Role.PARTNER, is_active=True, agency_id__in=list(agencies))
    people["partner"] = list(partners.order_by("id")[: PER_ROLE["partner"]])
    analysts = []
    for force in Force.objects.order_by("id")[: PER_ROLE["analyst"]]:
        police = Agency.objects.filter(force=force, kind=Agency.Kind.POLICE).first()
        user, _ = User.objects.get_or_create(
            username=f"bench_analyst_{force.pk}", defaults={"role": User.Role.ANALYST, "agency": police}
        )
        analysts.append(user)
    people["analyst"] = analysts
    json.dump({role: [credentials(u) for u in users] for role, users in people.items()}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
