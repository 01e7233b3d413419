"""A small hand-counted world for the management-information figures and the library.

Canterbury (Northgate, urban) and Dover (Castle, coastal); six problems, one per stage:

    P1 Northgate asb  PACT      scanning          police  overdue (due today-3)  public, updated 10 days ago
    P2 Northgate asb  partner   response          council                       public, adopted 10 days ago
    P3 Northgate drugs PACT     closed            police  housing takes part
    P4 Castle    asb  call      analysis          police  council takes part (action)  overdue (today-10)
    P5 Castle    drugs community closed_no_action police
    P6 Castle    asb  PACT      assessment        police  due today; public, adopted 60 days ago,
                                                      last approved update 45 days ago
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from jps import models as m
from tests import factories as f

TODAY = datetime.date(2026, 6, 15)
NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)


@dataclass
class World:
    problems: dict[str, m.Problem]
    drugs: m.Category


@pytest.fixture
def coastal(other_neighbourhood):  # type: ignore[no-untyped-def]
    other_neighbourhood.character = m.Neighbourhood.Character.COASTAL
    other_neighbourhood.save()
    return other_neighbourhood


@pytest.fixture
def world(pcso, partner_user, other_officer, council, housing, police, neighbourhood, coastal, category, web_editor):  # type: ignore[no-untyped-def]
    drugs = f.CategoryFactory(name="Drug dealing", slug="drugs", group="Drugs")
    S = m.Stage

    def make(key, *, nbhd, cat, source, stage, owner, lead, due, **extra):  # type: ignore[no-untyped-def]
        return f.ProblemFactory(
            title=extra.pop("title", f"Problem {key}"),
            neighbourhood=nbhd,
            category=cat,
            source=source,
            stage=stage,
            owner=owner,
            lead_agency=lead,
            next_review_due=due,
            **extra,
        )

    p = {
        "P1": make(
            "P1",
            nbhd=neighbourhood,
            cat=category,
            source=m.Source.PACT_MEETING,
            stage=S.SCANNING,
            owner=pcso,
            lead=police,
            due=TODAY - datetime.timedelta(days=3),
            public_priority=True,
            adopted_on=TODAY - datetime.timedelta(days=40),
        ),
        "P2": make(
            "P2",
            nbhd=neighbourhood,
            cat=category,
            source=m.Source.PARTNER_REFERRAL,
            stage=S.RESPONSE,
            owner=partner_user,
            lead=council,
            due=TODAY + datetime.timedelta(days=5),
            public_priority=True,
            adopted_on=TODAY - datetime.timedelta(days=10),
        ),
        "P3": make(
            "P3",
            nbhd=neighbourhood,
            cat=drugs,
            source=m.Source.PACT_MEETING,
            stage=S.CLOSED,
            owner=pcso,
            lead=police,
            due=None,
        ),
        "P4": make(
            "P4",
            nbhd=coastal,
            cat=category,
            source=m.Source.CALL_INCIDENT,
            stage=S.ANALYSIS,
            owner=other_officer,
            lead=police,
            due=TODAY - datetime.timedelta(days=10),
        ),
        "P5": make(
            "P5",
            nbhd=coastal,
            cat=drugs,
            source=m.Source.COMMUNITY_CONTACT,
            stage=S.CLOSED_NO_ACTION,
            owner=other_officer,
            lead=police,
            due=None,
        ),
        "P6": make(
            "P6",
            nbhd=coastal,
            cat=category,
            source=m.Source.PACT_MEETING,
            stage=S.ASSESSMENT,
            owner=other_officer,
            lead=police,
            due=TODAY,
            public_priority=True,
            adopted_on=TODAY - datetime.timedelta(days=60),
        ),
    }
    m.Participation.objects.create(problem=p["P3"], agency=housing)
    m.Participation.objects.create(problem=p["P4"], agency=council)

    def act(key, agency, kind, status, due=None):  # type: ignore[no-untyped-def]
        return m.Action.objects.create(
            problem=p[key],
            agency=agency,
            action_type=kind,
            status=status,
            due_on=due,
            description=f"{kind} by {agency}",
            created_by=pcso,
            result="Done." if status == "done" else "",
        )

    A = m.Action
    act("P1", police, A.Type.PREVENTION, A.Status.DONE)
    act("P1", police, A.Type.ENFORCEMENT, A.Status.PLANNED, TODAY - datetime.timedelta(days=1))
    act("P2", council, A.Type.PREVENTION, A.Status.DONE)
    act("P2", council, A.Type.COMMUNICATION, A.Status.CANCELLED)
    act("P4", council, A.Type.ENFORCEMENT, A.Status.IN_PROGRESS, TODAY + datetime.timedelta(days=3))
    act("P3", housing, A.Type.INTELLIGENCE, A.Status.DONE)

    m.ProgressUpdate.objects.create(
        problem=p["P1"],
        author=pcso,
        text="Patrols",
        status=m.ProgressUpdate.Status.APPROVED,
        public_text="Patrols",
        decided_by=web_editor,
        decided_at=NOW - datetime.timedelta(days=10),
    )
    m.ProgressUpdate.objects.create(
        problem=p["P6"],
        author=other_officer,
        text="Old news",
        status=m.ProgressUpdate.Status.APPROVED,
        public_text="Old news",
        decided_by=web_editor,
        decided_at=NOW - datetime.timedelta(days=45),
    )
    m.ProgressUpdate.objects.create(problem=p["P6"], author=other_officer, text="Pending", status="pending")
    return World(problems=p, drugs=drugs)


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))
