"""The call handler's lookup: a street or a caller, read-only; what is open there, who is at risk, the
repeat counts (the problem page's), never anything out of the user's sight; every person shown logged."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from jps import models as m
from jps import selectors, services
from jps.people import selectors as people_selectors
from tests import factories as f
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db


def look_up(client, user, q, kind="address"):  # type: ignore[no-untyped-def]
    response = verified_login(client, user).get(reverse("lookup"), {"q": q, "kind": kind})
    words = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))
    return response.status_code, words


@pytest.fixture
def street(casebook, pcso, neighbourhood, category):  # type: ignore[no-untyped-def]
    """On Station Road besides the casebook: a high-risk problem whose victim is not vulnerable, a problem
    found by its location text alone, and a closed one (never shown)."""
    high = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category, risk=m.Risk.HIGH)
    eve = services.person_create(by=pcso, name="Eve Stone")
    services.problem_person_link(problem=high, person=eve, role="victim", by=pcso)
    services.problem_place_link(problem=high, place=casebook.flat, role="victim_home", by=pcso)
    calm = services.person_create(by=pcso, name="Cal Calm")  # standard risk, not vulnerable: not listed
    services.problem_person_link(problem=casebook.canterbury, person=calm, role="victim", by=pcso)
    named = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category, location="40 Station Road")
    closed = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, stage=m.Stage.CLOSED, location="Station Road")
    return high, eve, named, closed


def test_a_street_shows_its_open_problems_the_victims_at_risk_and_the_counts(  # type: ignore[no-untyped-def]
    client, casebook, street, call_handler
):
    high, eve, named, closed = street
    status, words = look_up(client, call_handler, "Station Road")
    assert status == 200
    assert "Flat 3, 12 Station Road, Canterbury" in words and "linked to 3 problems, 3 open" in words
    for problem in (casebook.canterbury, casebook.dover, high, named):  # a call handler sees the force's open
        assert problem.reference in words and problem.title in words, problem
    assert closed.reference not in words and casebook.second.reference not in words  # not on the street
    assert str(casebook.canterbury.owner) in words and "Scanning" in words
    assert "location: 40 Station Road" in words
    at_risk = words.split("High-risk and vulnerable victims")[1].split("Open problems")[0]
    assert "Eve Stone , victim on" in at_risk and "high risk" in at_risk
    assert "Ann Jones , victim on" in at_risk and "victim in 3 problems in the last 12 months" in at_risk
    assert "Cal Calm" not in at_risk and "Carl Hidden" not in at_risk  # standard risk, not vulnerable
    logged = set(m.ProblemView.objects.filter(user=call_handler).values_list("person_id", "problem_id"))
    assert (eve.pk, high.pk) in logged and (casebook.ann.pk, casebook.canterbury.pk) in logged


def test_a_person_shows_the_open_problems_with_them_and_their_repeat_facts(client, casebook, call_handler):  # type: ignore[no-untyped-def]
    status, words = look_up(client, call_handler, "ann jones", kind="person")
    assert status == 200 and "Ann Jones" in words and "Born 3 May 1961" in words
    assert "victim in 3 problems in the last 12 months" in words and "vulnerable" in words
    for problem in (casebook.canterbury, casebook.second, casebook.dover):
        assert problem.reference in words
    assert "Ann Jones (victim)" in words
    assert m.ProblemView.objects.filter(user=call_handler, person=casebook.ann, problem=None).exists()


def test_the_lookup_counts_come_from_the_one_selector(casebook, call_handler, pcso):  # type: ignore[no-untyped-def]
    found = selectors.lookup(call_handler, q="Ann Jones", kind="person")
    (person, facts), *_ = found.people
    assert person == casebook.ann
    assert facts == selectors.person_repeat_counts(person_ids=[casebook.ann.pk])[casebook.ann.pk]
    assert selectors.lookup(call_handler, q="  ", kind="address").problems == []


def test_an_officer_sees_only_the_problems_of_their_districts(client, casebook, street, pcso):  # type: ignore[no-untyped-def]
    status, words = look_up(client, pcso, "Station Road")
    assert status == 200 and casebook.canterbury.reference in words
    assert casebook.dover.reference not in words and "Carl Hidden" not in words


def test_the_risk_to_a_victim_is_read_through_the_one_hook(casebook, call_handler, monkeypatch):  # type: ignore[no-untyped-def]
    """The victim risk assessment replaces ``person_link_risks``; the lookup follows it."""
    bob_link = m.ProblemPerson.objects.get(person=casebook.bob)
    bob_link.role = "victim"
    bob_link.save()
    at_risk = selectors.lookup(call_handler, q="Bob", kind="person").at_risk
    assert casebook.bob not in [v.link.person for v in at_risk]
    monkeypatch.setattr(people_selectors, "person_link_risks", lambda links: {link.pk: m.Risk.HIGH for link in links})
    at_risk = selectors.lookup(call_handler, q="Bob", kind="person").at_risk
    assert [(v.link.person, v.high_risk) for v in at_risk if v.link.person == casebook.bob] == [(casebook.bob, True)]


def test_only_call_handlers_and_police_staff_may_look_up(  # type: ignore[no-untyped-def]
    client, casebook, partner_user, analyst, web_editor, call_handler
):
    for user in (partner_user, analyst, web_editor):
        assert verified_login(client, user).get(reverse("lookup"), {"q": "Station Road"}).status_code == 403
        assert 'href="/lookup/"' not in client.get(reverse("home")).content.decode()
    home = verified_login(client, call_handler).get(reverse("home")).content.decode()
    assert 'href="/lookup/"' in home and ">Look up<" in home


def test_another_force_finds_nothing_of_this_one(client, casebook, essex):  # type: ignore[no-untyped-def]
    officer, problem, their_ann, their_place = essex
    status, words = look_up(client, officer, "Station Road")
    assert status == 200 and "12 Station Road, Chelmsford" in words and "Canterbury" not in words
    assert problem.reference in words and casebook.canterbury.reference not in words
    status, words = look_up(client, officer, "Ann Jones", kind="person")
    assert "1961" not in words and casebook.canterbury.reference not in words
    found = selectors.lookup(officer, q="Ann Jones", kind="person")
    assert [p for p, _ in found.people] == [their_ann]


def test_the_lookup_costs_a_handful_of_queries(casebook, street, call_handler, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(8):
        found = selectors.lookup(call_handler, q="Station Road", kind="address")
        [(fp.problem.owner, fp.problem.get_stage_display()) for fp in found.problems]
        [(v.link.person.name, v.link.problem.reference) for v in found.at_risk]
