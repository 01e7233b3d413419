"""Demo people and places: a family on several problems, a repeat location, a vulnerable victim.

All through ``jps.services`` as the Canterbury officer, so history rows are what users would
produce; idempotent (nothing is added when the family is already there).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from jps import models as m
from jps import services

FAMILY = [
    ("Sharon Doyle", ["mental_health", "repeat_victim"], "Anxious after months of noise; prefers calls after 10am."),
    ("Kieran Doyle", [], ""),
    ("Maisie Doyle", ["age"], "Aged 8."),
]
ADDRESS = "Flat 3, 14 Station Road West, Canterbury CT2 8AN"


@transaction.atomic
def load_demo_people(*, log: Callable[[str], None] = print) -> None:
    officer = m.User.objects.filter(username="officer").first()
    if officer is None or m.Person.objects.filter(name=FAMILY[0][0]).exists():
        return
    problems = [
        p
        for p in m.Problem.objects.filter(stage__in=m.OPEN_STAGES, district_id__in=officer.scope_district_ids).order_by(
            "created_at"
        )
        if officer.has_perm("jps.work_problem", p)
    ][:3]
    if not problems:
        return
    people = [
        services.person_create(by=officer, name=name, vulnerabilities=flags, vulnerability_note=note)
        for name, flags, note in FAMILY
    ]
    flat = services.place_create(by=officer, address=ADDRESS, neighbourhood=problems[0].neighbourhood)
    for problem in problems:  # the family and their flat on every one: a repeat victim at a repeat location
        services.problem_person_link(problem=problem, person=people[0], role="victim", by=officer)
        services.problem_place_link(problem=problem, place=flat, role="victim_home", by=officer)
    services.problem_person_link(problem=problems[0], person=people[1], role="complainant", by=officer)
    services.problem_person_link(problem=problems[-1], person=people[2], role="witness", by=officer)
    log(f"Demo people: the Doyle family on {len(problems)} problems, and their flat.")
