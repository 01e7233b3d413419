"""Demo Welsh force: Dyfed-Powys Police publishes in Welsh, so the demo site has its ``/cy/`` pages.

One district (Ceredigion), two neighbourhoods (Aberystwyth Town, Llanbadarn Fawr), and three
public priorities whose public words the web editor approved in English and Welsh, as the
Welsh Language Standards ask (``jps.welsh``): two current with updates, one closed with its
outcome. Everything goes through ``jps.services`` as the force's own staff, so the Welsh rule is
exercised as users meet it. Idempotent: nothing is added once the force has its problems.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from jps import models as m
from jps import services

from .data import CATEGORIES, RESPONSES

FORCE = {
    "code": "DYP",
    "name": "Dyfed-Powys Police",
    "name_cy": "Heddlu Dyfed-Powys",
    "slug": "dyfed-powys",
    "welsh_enabled": True,
}
DISTRICT = "Ceredigion"
# (name, Welsh name, character, lat, lon)
WARDS = [
    ("Aberystwyth Town", "Tref Aberystwyth", "town_centre", 52.4150, -4.0830),
    ("Llanbadarn Fawr", "Llanbadarn Fawr", "suburban", 52.4090, -4.0600),
]
POLICE = ("Dyfed-Powys Police", "police", "neighbourhoods@dyfed-powys.police.example")
COUNCIL = ("Ceredigion County Council", "county_council", "community.safety@ceredigion.example")
# username: (role, first, last, districts, wards)
USERS = {
    "pcso_aber": ("officer", "Rhian", "Evans", [], ["Aberystwyth Town", "Llanbadarn Fawr"]),
    "sgt_ceredigion": ("supervisor", "Dafydd", "Jones", [DISTRICT], []),
    "webeditor_dyp": ("webeditor", "Elin", "Morgan", [], []),
}
# (title, Welsh title, category slug, ward, days since adopted, update (en, cy), outcome (en, cy) or None)
PRIORITIES = [
    (
        "Illegal parking near the school",
        "Parcio anghyfreithlon ger yr ysgol",
        "inconsiderate-parking",
        "Aberystwyth Town",
        40,
        (
            "Officers and the council's parking wardens patrol at school drop-off and pick-up times.",
            "Mae swyddogion a wardeiniaid parcio'r cyngor yn patrolio pan fydd plant yn cyrraedd ac yn gadael "
            "yr ysgol.",
        ),
        None,
    ),
    (
        "Speeding on the A44 through Llanbadarn",
        "Goryrru ar yr A44 drwy Lanbadarn",
        "speeding-and-road-safety",
        "Llanbadarn Fawr",
        25,
        (
            "Speed checks have started with the community speed watch volunteers.",
            "Mae gwiriadau cyflymder wedi dechrau gyda gwirfoddolwyr gwylio cyflymder y gymuned.",
        ),
        None,
    ),
    (
        "Late-night noise on the promenade",
        "Sŵn hwyr y nos ar y promenâd",
        "anti-social-behaviour-nuisance",
        "Aberystwyth Town",
        120,
        (
            "Extra patrols on Friday and Saturday nights, with the council's licensing team.",
            "Patrolau ychwanegol ar nos Wener a nos Sadwrn, gyda thîm trwyddedu'r cyngor.",
        ),
        (
            "Complaints about noise have fallen by more than half since the patrols began.",
            "Mae cwynion am sŵn wedi gostwng o fwy na hanner ers i'r patrolau ddechrau.",
        ),
    ),
]


@transaction.atomic
def load_demo_welsh(*, password: str, log: Callable[[str], None] = print) -> None:
    force, _ = m.Force.objects.get_or_create(code=FORCE["code"], defaults=FORCE)
    if m.Problem.objects.filter(force=force).exists():
        return
    district, _ = m.District.objects.get_or_create(force=force, slug="ceredigion", defaults={"name": DISTRICT})
    wards = {}
    for name, welsh, character, lat, lon in WARDS:
        wards[name], _ = m.Neighbourhood.objects.get_or_create(
            district=district,
            slug=name.lower().replace(" ", "-"),
            defaults={"name": name, "public_name_cy": welsh, "character": character,
                      "latitude": Decimal(str(lat)), "longitude": Decimal(str(lon))},
        )  # fmt: skip
    agencies = {}
    for name, kind, email in (POLICE, COUNCIL):
        agencies[kind], _ = m.Agency.objects.get_or_create(
            name=name, defaults={"kind": kind, "force": force, "contact_email": email}
        )
    users = {}
    for username, (role, first, last, districts, ward_names) in USERS.items():
        user, _ = m.User.objects.get_or_create(
            username=username,
            defaults={"role": role, "agency": agencies["police"], "first_name": first, "last_name": last,
                      "email": f"{username}@jps.example"},
        )  # fmt: skip
        user.set_password(password)
        user.save()
        services.user_scope_set(
            user=user, districts=[district] if districts else [], neighbourhoods=[wards[w] for w in ward_names]
        )
        users[username] = user
    for row in PRIORITIES:
        _priority(row, wards=wards, users=users, police=agencies["police"])
    log(f"Demo Welsh force: {force} ({force.name_cy}), {len(PRIORITIES)} priorities published in English and Welsh.")


def _priority(
    row: tuple, *, wards: dict[str, m.Neighbourhood], users: dict[str, m.User], police: m.Agency
) -> m.Problem:
    title, title_cy, category, ward, days, (update, update_cy), outcome = row
    officer, sergeant, editor = users["pcso_aber"], users["sgt_ceredigion"], users["webeditor_dyp"]
    neighbourhood = wards[ward]
    problem = services.problem_create(
        by=officer,
        neighbourhood=neighbourhood,
        category=m.Category.objects.get(slug=category),
        source=m.Source.COMMUNITY_CONTACT,
        originator="Residents at a street surgery",
        title=title,
        description=f"{title}, raised by residents.",
        problem_statement=f"{title}, most weeks, upsetting residents.",
        location=neighbourhood.name,
        latitude=neighbourhood.latitude,
        longitude=neighbourhood.longitude,
    )
    adopted = timezone.localdate() - datetime.timedelta(days=days)
    services.problem_public_set(
        problem=problem, by=sergeant, public_priority=True, adopted_on=adopted, public_title=title,
        public_title_cy=title_cy,
    )  # fmt: skip
    # the officer's words and the actions are the category's, as the rest of the demo's (data.RESPONSES)
    response = RESPONSES[[slugify(name) for name, _group in CATEGORIES].index(category)]
    proposed = services.update_add(problem=problem, by=officer, text=response["update"][0], propose_public=True)
    services.update_decide(update=proposed, by=editor, approve=True, public_text=update, public_text_cy=update_cy)
    action = response["actions"][0][1]
    _walk(problem, officer=officer, sergeant=sergeant, police=police, action=action, outcome=outcome)
    return problem


def _walk(
    problem: m.Problem,
    *,
    officer: m.User,
    sergeant: m.User,
    police: m.Agency,
    action: str,
    outcome: tuple[str, str] | None,
) -> None:
    """To response (a current priority), or on to closed with its outcome in both languages."""
    services.problem_transition(problem=problem, to=m.Stage.ANALYSIS, by=officer)
    services.analysis_save(
        problem=problem,
        by=officer,
        victim="Residents nearby.",
        offender="A few repeat offenders.",
        location="One stretch of road at set times.",
        data_sources="Calls for service and residents' reports.",
        causes="No guardian at the peak times.",
        objective="Halve the reports within three months.",
    )
    services.problem_transition(problem=problem, to=m.Stage.RESPONSE, by=officer)
    planned = services.action_add(
        problem=problem,
        by=officer,
        action_type="enforcement",
        description=action,
        agency=police,
        due_on=timezone.localdate() + datetime.timedelta(days=14),
    )
    if outcome is None:
        return
    services.action_update(action=planned, by=officer, status="done", result="Completed as planned.")
    services.problem_transition(problem=problem, to=m.Stage.ASSESSMENT, by=officer)
    services.assessment_save(
        problem=problem,
        by=officer,
        outcome="reduced",
        reduction_percent=55,
        measure_before="20 reports in the three months before",
        measure_after="9 reports in the three months after",
        displacement_checked=True,
        displacement_notes="Nearby streets checked: no rise.",
        objective_met="Reports more than halved.",
        evidence="Call data before and after.",
    )
    services.problem_public_set(problem=problem, by=sergeant, public_outcome=outcome[0], public_outcome_cy=outcome[1])
    services.problem_request_closure(problem=problem, by=officer)
    services.problem_transition(problem=problem, to=m.Stage.CLOSED, by=sergeant, reason="Objective met")
