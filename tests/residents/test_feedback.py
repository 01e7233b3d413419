"""Residents' answers to "has it been fixed?": counted on the dashboard (and its CSV) against hand-counted
reports, only over the problems each user may see; shown on the problem page without naming the resident."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from jps import models as m
from jps.insight import figures as mi
from tests import factories as f
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db
Status = m.ResidentReport.Status


def _report(problem: m.Problem | None, fixed: bool | None = None, status: str = Status.ACCEPTED, **extra):  # type: ignore[no-untyped-def]
    area = problem.neighbourhood if problem else m.Neighbourhood.objects.first()
    answered = {"fixed": fixed, "feedback_at": timezone.now()} if fixed is not None else {}
    return m.ResidentReport.objects.create(
        neighbourhood=area,
        category=m.Category.objects.first(),
        description="Motorbikes on the estate at night",
        problem=problem,
        status=status,
        **answered,
        **extra,
    )


@pytest.fixture
def answers(pcso, other_officer, neighbourhood, other_neighbourhood, category, council):  # type: ignore[no-untyped-def]
    """Hand-counted. Canterbury: A closed (4 reports: 1 fixed, 2 not, 1 unanswered), B open (1), D closed and led
    by the council (1 not fixed). Dover: C closed (1 fixed). Not counted: a new and a declined report."""
    closed = {"stage": m.Stage.CLOSED, "closed_at": timezone.now()}
    a = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category, **closed)
    b = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category)
    c = f.ProblemFactory(owner=other_officer, neighbourhood=other_neighbourhood, category=category, **closed)
    d = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category, lead_agency=council, **closed)
    _report(a, True, feedback="Quiet since the fence went up")
    _report(
        a,
        False,
        feedback="ZZCOMMENT still there on Fridays",
        reporter_name="ZZNAME Gwen",
        reporter_email="g@example.com",
    )
    _report(a, False)
    _report(a)
    _report(b)
    _report(c, True)
    _report(d, False)
    _report(None, status=Status.NEW)
    _report(None, status=Status.DECLINED, decline_reason="Not for us")
    return {"a": a, "b": b, "c": c, "d": d}


def counts(figure: mi.Figure) -> list[int]:
    return [int(row[1] or 0) for row in figure.rows]


def test_the_figure_counts_by_hand(answers, admin_user, supervisor):
    everything = mi.residents_fixed(user=admin_user)
    assert counts(everything) == [7, 6, 2, 3]  # reported, on closed problems, fixed, not fixed
    assert everything.total == 7 and "40% of those who answered said it was fixed" in everything.note
    assert counts(mi.residents_fixed(user=supervisor)) == [6, 5, 1, 3]  # Canterbury only: A, B, D


def test_a_partner_counts_only_the_problems_their_agency_works(answers, partner_user, other_partner, client):
    assert counts(mi.residents_fixed(user=partner_user)) == [1, 1, 0, 1]  # D, which the council leads
    assert counts(mi.residents_fixed(user=other_partner)) == [0, 0, 0, 0]  # housing works none of them
    assert mi.residents_fixed(user=other_partner).note.endswith("after it closes.")  # no share of nothing

    verified_login(client, partner_user)  # partners see the dashboard: their own scope, nothing more
    response = client.get(reverse("insight_dashboard_csv", args=["residents-fixed"]))
    assert list(csv.reader(io.StringIO(response.content.decode()))) == [
        ["Residents' reports", "Count"],
        ["Residents' reports taken on", "1"],
        ["Of them, on closed problems", "1"],
        ["Answered: fixed", "0"],
        ["Answered: not fixed", "1"],
    ]


def test_the_dashboard_and_its_csv_show_the_figure(answers, admin_user, client):
    verified_login(client, admin_user)
    page = client.get(reverse("insight_dashboard")).content.decode()
    assert "Has it been fixed? Residents&#x27; answers" in page or "Has it been fixed? Residents' answers" in page
    table = list(
        csv.reader(io.StringIO(client.get(reverse("insight_dashboard_csv", args=["residents-fixed"])).content.decode()))
    )
    assert table[1:] == [
        ["Residents' reports taken on", "7"],
        ["Of them, on closed problems", "6"],
        ["Answered: fixed", "2"],
        ["Answered: not fixed", "3"],
    ]


def test_the_problem_page_shows_the_answers_without_the_resident(answers, pcso, partner_user, client):
    client.force_login(pcso)
    page = client.get(reverse("problem", args=[answers["a"].pk])).content.decode()
    assert 'id="resident-feedback"' in page
    assert page.count("Not fixed</strong>") == 2 and page.count(">Fixed</strong>") == 1
    assert "ZZCOMMENT still there on Fridays" in page and "Quiet since the fence went up" in page
    assert "3 residents who reported this problem answered" in page
    assert "ZZNAME" not in page and "g@example.com" not in page
    assert 'id="resident-feedback"' not in client.get(reverse("problem", args=[answers["b"].pk])).content.decode()

    client.force_login(partner_user)  # the council may see D (it leads it), and its answer; not A
    assert "Not fixed</strong>" in client.get(reverse("problem", args=[answers["d"].pk])).content.decode()
    assert client.get(reverse("problem", args=[answers["a"].pk])).status_code == 404
