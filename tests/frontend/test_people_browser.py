"""Victims first (issue 18), in a real browser: a PCSO on a phone finds the victim already known and
links them. A later step extends this with the risk assessment and the contact schedule."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from jps import services
from jps.models import ProblemPerson
from tests import factories as f

from .browser import check, sign_in
from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def known_victim(pcso, neighbourhood, category):  # type: ignore[no-untyped-def]
    """Ann Jones, vulnerable, a victim on two earlier problems; and the new problem she is not on yet."""
    ann = services.person_create(by=pcso, name="Ann Jones", vulnerabilities=["mental_health"])
    for title in ("Noise from the flat above", "Abuse in the stairwell"):
        earlier = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category, title=title)
        services.problem_person_link(problem=earlier, person=ann, role="victim", by=pcso)
    problem = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category, title="Eggs thrown at door")
    return ann, problem


def test_a_pcso_on_a_phone_finds_the_victim_already_known_and_links_them(new_page, pcso, known_victim):
    ann, problem = known_victim
    page = new_page(PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "pcso")
    page.goto(f"/problems/{problem.pk}/")
    page.get_by_role("button", name="Add a person").click()
    expect(page.get_by_role("heading", level=1, name="Add a person")).to_be_visible()
    check(page)
    page.get_by_label("Name").fill("ann jone")  # a letter short: still found
    results = page.locator("#results")
    expect(results).to_contain_text("Ann Jones")  # as typed (htmx), before any button
    expect(results).to_contain_text("victim in 2 problems in the last 12 months")
    expect(results).to_contain_text("vulnerable")
    page.get_by_role("button", name="Search").click()  # and without script, the same page
    expect(results).to_contain_text("victim in 2 problems in the last 12 months")
    check(page, "person-search-phone")
    page.get_by_role("link", name="Choose Ann Jones").click()
    expect(page.get_by_role("heading", level=1, name="Add Ann Jones")).to_be_visible()
    page.get_by_role("button", name="Add to the problem").click()  # no role chosen yet
    expect(page.get_by_role("alert").filter(has_text="Select their role in this problem")).to_be_visible()
    check(page)
    page.get_by_label("Victim").check()
    page.get_by_role("button", name="Add to the problem").click()
    page.wait_for_url(re.compile(rf"/problems/{problem.pk}/#people$"))
    people = page.locator("[data-jps-people]")
    expect(people).to_contain_text("Ann Jones · Victim")
    expect(people).to_contain_text("victim in 3 problems in the last 12 months")
    check(page, "problem-people-phone")
    link = ProblemPerson.objects.get(problem=problem, person=ann)
    assert link.role == "victim" and link.added_by == pcso
    page.get_by_role("link", name="Ann Jones", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Ann Jones")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text(problem.reference)
    check(page, "person-page-phone")
