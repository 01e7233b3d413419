"""Victims first (issue 18) from end to end, in Chromium: a PCSO on a phone logs a problem, finds the
victim already known from other problems, assesses her risk at first contact and agrees how to keep her
informed; the sergeant at a desk then sees her in the queue, and a call handler finds her when she rings.

The slices have their own focused tests (test_people_browser, test_risk_browser, test_contacts_browser);
this one is the whole visit, with each page checked (axe, fit on the screen, CSP) on the way.
"""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from jps import services
from jps.models import Contact, Problem, ProblemPerson, RiskAssessment

from .browser import check, sign_in
from .conftest import DESK, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: The national default's questions she answers yes to: 3 + 2 + 3 + 2 + 3 = 13, high from 12.
YES = {"targeted", "repeat", "threatened", "afraid_at_home", "vulnerable"}


@pytest.fixture
def ann(pcso, neighbourhood, category):  # type: ignore[no-untyped-def]
    """Ann Jones, vulnerable, already a victim on two open problems at Rose Court."""
    person = services.person_create(
        by=pcso,
        name="Ann Jones",
        phone="07700 900461",
        address="Flat 4, Rose Court, Canterbury",
        vulnerabilities=["mental_health"],
        vulnerability_note="Anxiety; lives alone.",
    )
    for title in ("Noise from the flat above at Rose Court", "Abuse shouted in the Rose Court stairwell"):
        earlier = services.problem_create(  # numbered as the page will number the new one
            by=pcso,
            neighbourhood=neighbourhood,
            category=category,
            source="community",
            originator="Ann Jones, flat 4 Rose Court",
            title=title,
            description="Reported by Ann Jones of flat 4, Rose Court.",
        )
        services.problem_person_link(problem=earlier, person=person, role="victim", by=pcso)
    return person


def test_a_victim_known_from_other_problems_is_assessed_agreed_and_seen_by_the_sergeant(
    new_page, pcso, supervisor, call_handler, neighbourhood, category, ann
):
    questionnaire = services.risk_questionnaire_default_ensure()
    phone = new_page(PHONE, is_mobile=True, has_touch=True)
    sign_in(phone, "pcso")

    # Logging the problem: it sounds like the earlier ones, so JPS asks first; it is a new incident.
    phone.get_by_role("button", name="Log a problem").click()
    phone.get_by_label("Neighbourhood").select_option(label=str(neighbourhood))
    phone.get_by_label("Category").select_option(label=str(category))
    phone.get_by_label("Source").select_option(label="Community contact")
    phone.get_by_label("Originator").fill("Ann Jones, flat 4 Rose Court")
    phone.get_by_label("Title").fill("Eggs thrown at a door in Rose Court")
    phone.get_by_label("Description").fill("Eggs thrown at flat 4's door three nights running; words shouted.")
    phone.get_by_role("button", name="Log problem").click()
    expect(phone.get_by_role("heading", level=1, name="Is it one of these problems?")).to_be_visible()
    check(phone)
    phone.get_by_role("button", name="It's new — log it").click()
    phone.wait_for_url(re.compile(r"/problems/\d+/$"))
    problem = Problem.objects.get(title="Eggs thrown at a door in Rose Court")
    banner = phone.get_by_role("alert").filter(has_text=f"Problem logged: {problem.reference}.")
    check(phone)

    # The victim, straight from the banner (the people on the problem are screens below it on a phone):
    # found as she is typed, with the problems she is already on; linked as the victim.
    add = banner.get_by_role("link", name="Add the victim or complainant")
    expect(add).to_be_visible()
    assert add.bounding_box()["y"] + add.bounding_box()["height"] <= PHONE["height"], "not on the first screen"
    add.click()
    expect(phone.get_by_role("heading", level=1, name="Add a person")).to_be_visible()
    phone.get_by_label("Name").fill("ann jone")
    results = phone.locator("#results")
    expect(results).to_contain_text("Ann Jones")
    expect(results).to_contain_text("victim in 2 problems in the last 12 months")
    expect(results).to_contain_text("vulnerable")
    check(phone)
    phone.get_by_role("link", name="Choose Ann Jones").click()
    expect(phone.get_by_role("heading", level=1, name="Add Ann Jones")).to_be_visible()
    phone.get_by_label("Victim").check()
    check(phone)
    phone.get_by_role("button", name="Add to the problem").click()
    phone.wait_for_url(re.compile(rf"/problems/{problem.pk}/#people$"))
    expect(phone.locator("[data-jps-people]")).to_contain_text("victim in 3 problems in the last 12 months")
    link = ProblemPerson.objects.get(problem=problem, person=ann)
    assert link.role == "victim"

    # Her page, with the three problems she is a victim in.
    phone.get_by_role("link", name="Ann Jones", exact=True).click()
    expect(phone.get_by_role("heading", level=1, name="Ann Jones")).to_be_visible()
    expect(phone.get_by_role("table")).to_contain_text(problem.reference)
    check(phone, "victims-journey-person-phone")
    phone.go_back()

    # The risk assessment at first contact: her answers score high.
    phone.get_by_role("link", name="Assess risk of Ann Jones").click()
    expect(phone.get_by_role("heading", level=1, name="Assess Ann Jones's risk")).to_be_visible()
    phone.get_by_label("First contact").check()
    for number, question in enumerate(questionnaire.questions.all(), start=1):
        answer = "Yes" if question.key in YES else "No"
        phone.get_by_role("group", name=re.compile(rf"^{number}\. ")).get_by_label(answer, exact=True).check()
    phone.get_by_label("Notes").fill("Third time this year; afraid to open the door after dark.")
    phone.evaluate("() => window.scrollTo(0, 0)")
    check(phone, "victims-journey-risk-assessment-phone")
    phone.get_by_role("button", name="Save risk assessment").click()
    expect(phone.get_by_text("Ann Jones assessed: high risk (score 13).")).to_be_visible()
    expect(phone.locator(f"#risk-{link.pk}")).to_contain_text("High")
    in_14_days = datetime.date.today() + datetime.timedelta(days=14)
    next_review = phone.locator(".govuk-summary-list__row", has_text="Next review")
    expect(next_review).to_contain_text(f"{in_14_days.day} {in_14_days:%b %Y}")
    check(phone)
    assert RiskAssessment.objects.get(link=link).level == "high"

    # The contact agreement: weekly by phone, never after 8 pm.
    phone.get_by_role("link", name="Agree contact with a victim or complainant").click()
    expect(phone.get_by_role("heading", level=1, name="Agree contact")).to_be_visible()
    phone.get_by_label("Ann Jones (victim)").check()
    phone.get_by_label("Phone", exact=True).check()
    phone.get_by_label("How often, in days").fill("7")
    phone.get_by_label("Times to avoid").fill("Not after 8pm")
    phone.evaluate("() => window.scrollTo(0, 0)")
    check(phone, "victims-journey-contact-agreement-phone")
    phone.get_by_role("button", name="Agree contact").click()
    contact = Contact.objects.get(problem=problem)
    card = phone.locator(f"#contact-{contact.pk}")
    expect(card).to_contain_text("By phone every 7 days")
    expect(card).to_contain_text("Not after 8pm")
    card.evaluate("card => card.scrollIntoView({block: 'start'})")
    check(phone, "victims-journey-contact-agreed-phone")
    assert contact.link == link and contact.next_contact_due == datetime.date.today() + datetime.timedelta(7)

    # The sergeant at a desk: Ann in the high-risk queue, the problem's review 14 days away.
    desk = new_page(DESK)
    sign_in(desk, "sergeant")
    victims = desk.get_by_role("table", name="High-risk victims")
    row = victims.get_by_role("row").filter(has_text="Ann Jones")
    expect(row).to_contain_text(problem.reference)
    expect(row).to_contain_text(f"{in_14_days.day} {in_14_days:%b %Y}")
    check(desk, "victims-journey-supervisor-queue")
    problem.refresh_from_db()
    assert problem.risk == "high" and problem.next_review_due == in_14_days
    row.get_by_role("link", name="Ann Jones").click()
    desk.get_by_role("link", name="Ann Jones", exact=True).first.click()
    expect(desk.get_by_role("heading", level=1, name="Ann Jones")).to_be_visible()
    expect(desk.get_by_role("table")).to_contain_text(problem.reference)
    desk.set_viewport_size({"width": DESK["width"], "height": 1300})  # her details and her problems in one view
    check(desk, "victims-journey-person")

    # When Ann rings 101, the call handler finds her: high risk, the open problems she is on.
    handler = new_page({"width": DESK["width"], "height": 1300})
    sign_in(handler, "callhandler")
    handler.goto("/lookup/")
    handler.get_by_label("A person, by name").check()
    handler.get_by_label("Street, address or name").fill("Ann Jones")
    handler.get_by_role("button", name="Look up").click()
    found = handler.locator("#people-found + ul")
    expect(found).to_contain_text("victim in 3 problems in the last 12 months")
    one_line = found.get_by_text("vulnerable", exact=True).bounding_box()["height"]
    fact = found.get_by_text("victim in 3 problems in the last 12 months").bounding_box()
    assert fact["height"] < 1.5 * one_line, "the repeat fact is folded into several lines"
    at_risk = handler.locator("#at-risk + ul")
    expect(at_risk).to_contain_text(f"Ann Jones, victim on {problem.reference}")
    expect(at_risk).to_contain_text("high risk")
    expect(handler.get_by_role("table", name=re.compile("Open problems"))).to_contain_text(problem.reference)
    check(handler, "victims-journey-call-handler-lookup")
