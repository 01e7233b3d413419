"""A CSP area (Canterbury) with the police, the council, a housing provider and the fire service,
an ASB problem and its victim, Ann; the fire service takes part in nothing."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

import pytest

from jps import models as m
from tests import factories as f
from tests.celery_fixtures import celery_worker  # noqa: F401

LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour), tzinfo=LONDON)


def d(day: str) -> datetime.date:
    return datetime.date.fromisoformat(day)


@dataclass
class Area:
    district: m.District
    police: m.Agency
    council: m.Agency
    housing: m.Agency
    fire: m.Agency
    pcso: m.User
    supervisor: m.User
    council_officer: m.User  # the council's ASB officer
    housing_officer: m.User
    fire_officer: m.User
    safety_lead: m.User
    problem: m.Problem  # police-led (the council takes part), logged from a complaint on 10 February 2026
    ann: m.Person


@pytest.fixture
def area(pcso, supervisor, partner_user, other_partner, district, neighbourhood, police, council, housing, category):  # type: ignore[no-untyped-def]
    fire = f.AgencyFactory(name="Kent Fire and Rescue", kind=m.Agency.Kind.FIRE, force=district.force)
    fire_officer = f.UserFactory(username="fire", role=m.User.Role.PARTNER, agency=fire, neighbourhoods=[neighbourhood])
    safety_lead = f.UserFactory(username="csp_lead", role=m.User.Role.PARTNER, agency=council, districts=[district])
    district.community_safety_lead = safety_lead
    district.save()
    problem = f.ProblemFactory(
        title="Noise and threats from the flat above, 12 Station Road",
        owner=pcso,
        neighbourhood=neighbourhood,
        category=category,
        source=m.Source.COMPLAINT,
        created_at=at("2026-02-10"),
    )
    m.Participation.objects.create(problem=problem, agency=council)  # the council works it with the police
    ann = m.Person.objects.create(force=district.force, name="Ann Jones", phone="01227 000000", created_by=pcso)
    return Area(
        district=district, police=police, council=council, housing=housing, fire=fire, pcso=pcso,
        supervisor=supervisor, council_officer=partner_user, housing_officer=other_partner,
        fire_officer=fire_officer, safety_lead=safety_lead, problem=problem, ann=ann,
    )  # fmt: skip


def report(problem: m.Problem, day: str, by: m.User, source: str = m.Source.COMPLAINT) -> m.ProblemReport:
    return m.ProblemReport.objects.create(
        problem=problem, source=source, originator="Ann Jones", reported_by=by, reported_at=at(day), text="Again."
    )


@pytest.fixture
def june():  # type: ignore[no-untyped-def]
    """Today is Monday 15 June 2026 (London)."""
    import time_machine

    with time_machine.travel(at("2026-06-15"), tick=False):
        yield


def apply(area: Area, *, by: m.User | None = None, received_on: str = "2026-06-01", **extra):  # type: ignore[no-untyped-def]
    """Ann's application, received by the council, led by the council's ASB officer, for the problem."""
    from jps.case_reviews import services

    by = by or area.council_officer
    fields = {
        "district": area.district, "applicant": area.ann, "received_on": d(received_on), "channel": "phone",
        "summary": "Nothing is being done about the flat above.", "lead_agency": area.council,
        "lead_officer": area.council_officer, "problems": [area.problem],
    }  # fmt: skip
    fields.update(extra)
    return services.case_review_create(by=by, **fields)
