"""The API's small world (problems each role sees differently), shared with tests/api; and a casebook
of people and places across problems (and another force's), for the pages and the lookup."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from jps import models as m
from jps import services
from tests import factories as f
from tests.api.conftest import _generous_throttles, world  # noqa: F401


@dataclass
class Casebook:
    canterbury: m.Problem  # the PCSO's; the council takes part
    second: m.Problem  # the PCSO's too; nobody else
    dover: m.Problem  # another district's: neither the PCSO nor the council see it
    ann: m.Person  # vulnerable; victim on all three
    bob: m.Person  # subject on the Canterbury problem
    carl: m.Person  # victim on the Dover problem only
    flat: m.Place  # the location of the Canterbury and Dover problems
    castle: m.Place  # on the Dover problem only


@pytest.fixture
def casebook(problem, pcso, other_officer, neighbourhood, other_neighbourhood, category, council):  # type: ignore[no-untyped-def]
    """People and places across three open problems, hand-counted: Ann is a victim on three (one in
    Dover, which the PCSO cannot see), Flat 3 is linked to two."""
    second = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category, title="Cars racing at night")
    dover = f.ProblemFactory(owner=other_officer, neighbourhood=other_neighbourhood, category=category, title="Dover")
    m.Participation.objects.create(problem=problem, agency=council)
    ann = services.person_create(
        by=pcso,
        name="Ann Jones",
        date_of_birth=datetime.date(1961, 5, 3),
        phone="07700 900123",
        vulnerabilities=["mental_health"],
    )
    bob = services.person_create(by=pcso, name="Bob Smith")
    carl = services.person_create(by=other_officer, name="Carl Hidden", phone="01304 000000")
    for p in (problem, second):
        services.problem_person_link(problem=p, person=ann, role="victim", by=pcso)
    services.problem_person_link(problem=dover, person=ann, role="victim", by=other_officer)
    services.problem_person_link(problem=problem, person=bob, role="subject", by=pcso)
    services.problem_person_link(problem=dover, person=carl, role="victim", by=other_officer)
    flat = services.place_create(by=pcso, address="Flat 3, 12 Station Road, Canterbury", uprn="100062618001")
    castle = services.place_create(by=other_officer, address="4 Castle Street, Dover")
    services.problem_place_link(problem=problem, place=flat, role="location", by=pcso)
    services.problem_place_link(problem=dover, place=flat, role="location", by=other_officer)
    services.problem_place_link(problem=dover, place=castle, role="premises", by=other_officer)
    return Casebook(problem, second, dover, ann, bob, carl, flat, castle)


@pytest.fixture
def essex(db):  # type: ignore[no-untyped-def]
    """Another force: its officer, a problem, and an Ann Jones and a Station Road of its own."""
    force = f.ForceFactory(code="ESX", name="Essex Police", slug="essex")
    ward = f.NeighbourhoodFactory(district=f.DistrictFactory(force=force, name="Chelmsford"), name="Moulsham")
    police = f.AgencyFactory(name="Essex Police", kind=m.Agency.Kind.POLICE, force=force)
    officer = f.UserFactory(username="essex", role=m.User.Role.OFFICER, agency=police, neighbourhoods=[ward])
    problem = f.ProblemFactory(owner=officer, neighbourhood=ward, reference="ESX-2026-00001")
    ann = services.person_create(by=officer, name="Ann Jones")
    services.problem_person_link(problem=problem, person=ann, role="victim", by=officer)
    place = services.place_create(by=officer, address="12 Station Road, Chelmsford")
    services.problem_place_link(problem=problem, place=place, role="location", by=officer)
    return officer, problem, ann, place
