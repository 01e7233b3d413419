"""The case reviews' Canterbury (``tests/case_reviews/conftest.py``) with a panel's worth of cases in it,
on Monday 15 June 2026, and the council's panel that morning."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from jps import models as m
from jps import services
from tests import factories as f
from tests.case_reviews.conftest import Area, apply, area, at, d, june  # noqa: F401

__all__ = ["Area", "Table", "apply", "area", "at", "d", "june", "table"]


@dataclass
class Table:
    area: Area
    panel: m.Panel
    victim: m.ProblemPerson  # Ann, victim on the high-risk problem (the council takes part)
    housing_problem: m.Problem  # housing-led, overdue for review: the council takes no part
    review: m.CaseReviewApplication  # Ann's, acknowledgement due 8 June
    overdue_action: m.Action  # the council's, on Ann's problem, due 14 June


@pytest.fixture
def table(june, area, other_district, other_neighbourhood, category) -> Table:  # type: ignore[no-untyped-def]
    """Hand-counted agenda for Canterbury on 15 June 2026: 1 victim, 1 case review, 2 reviews overdue, 1 action.

    In: Ann (victim, high risk, open); Ann's application (acknowledgement due 8 June); the housing
    problem (review due 10 June) and Ann's problem (review due 1 June); the council's action due 14 June.
    Out: a victim at standard risk, a high-risk victim on a closed problem and one in Dover; an
    application received on 12 June (acknowledgement due 19 June); a review due on the day (15 June);
    a done action and one due on the day; everything in Dover.
    """
    a = area
    m.Problem.objects.filter(pk=a.problem.pk).update(risk=m.Risk.HIGH, next_review_due=d("2026-06-01"))
    a.problem.refresh_from_db()
    victim = m.ProblemPerson.objects.create(problem=a.problem, person=a.ann, role=m.PersonRole.VICTIM, added_by=a.pcso)
    nbhd = a.problem.neighbourhood

    def problem(**fields):  # type: ignore[no-untyped-def]
        fields.setdefault("next_review_due", d("2026-07-01"))
        where = fields.pop("neighbourhood", nbhd)
        return f.ProblemFactory(owner=a.pcso, neighbourhood=where, category=category, **fields)

    def person(name: str) -> m.Person:
        return m.Person.objects.create(force=a.district.force, name=name, created_by=a.pcso)

    standard = problem(risk=m.Risk.STANDARD)
    m.ProblemPerson.objects.create(problem=standard, person=person("Bob Standard"), role="victim", added_by=a.pcso)
    closed = problem(risk=m.Risk.HIGH, stage=m.Stage.CLOSED)
    m.ProblemPerson.objects.create(problem=closed, person=person("Cath Closed"), role="victim", added_by=a.pcso)
    dover = problem(risk=m.Risk.HIGH, neighbourhood=other_neighbourhood, next_review_due=d("2026-05-01"))
    m.ProblemPerson.objects.create(problem=dover, person=person("Dan Dover"), role="victim", added_by=a.pcso)
    housing_problem = problem(
        title="Dumped mattresses behind Orchard Court", lead_agency=a.housing, next_review_due=d("2026-06-10")
    )
    problem(next_review_due=d("2026-06-15"))  # due on the day: not overdue
    review = apply(a)
    apply(a, applicant=person("Eve Later"), received_on="2026-06-12")
    services.action_add(problem=a.problem, by=a.pcso, action_type="prevention", description="Fit a door camera",
                        agency=a.council, due_on=d("2026-06-30"))  # fmt: skip
    overdue_action = m.Action.objects.create(
        problem=a.problem, action_type="prevention", description="Warning letter to the flat above",
        agency=a.council, due_on=d("2026-06-14"), created_by=a.pcso,
    )  # fmt: skip
    m.Action.objects.create(problem=a.problem, action_type="prevention", description="Due today", agency=a.council,
                            due_on=d("2026-06-15"), created_by=a.pcso)  # fmt: skip
    m.Action.objects.create(problem=a.problem, action_type="prevention", description="Done already",
                            agency=a.council, due_on=d("2026-06-01"), created_by=a.pcso, status="done",
                            result="Sent")  # fmt: skip
    m.Action.objects.create(problem=dover, action_type="prevention", description="Dover's", agency=a.council,
                            due_on=d("2026-06-01"), created_by=a.pcso)  # fmt: skip
    panel = services.panel_create(
        by=a.safety_lead, district=a.district, starts_at=at("2026-06-15", 9), venue="Council offices",
        agencies=[a.police, a.council, a.housing], chair=a.safety_lead,
    )  # fmt: skip
    return Table(a, panel, victim, housing_problem, review, overdue_action)
