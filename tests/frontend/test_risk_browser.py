"""A PCSO on a phone assesses a victim's risk at first contact; the sergeant then sees the high-risk victim."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jps import models as m
from jps import services

from .browser import check, sign_in
from .conftest import DESK, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: The national default's questions answered yes: 3 + 3 + 2 + 3 + 2 = 13, high from 12.
YES = {"targeted", "threatened", "afraid_at_home", "vulnerable", "isolated"}


def test_a_pcso_on_a_phone_assesses_a_victim_and_the_sergeant_sees_them(new_page, pcso, supervisor, problem):
    questionnaire = services.risk_questionnaire_default_ensure()
    ann = services.person_create(by=pcso, name="Ann Jones")
    services.problem_person_link(problem=problem, person=ann, role="victim", by=pcso)

    page = new_page(PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "pcso")
    page.goto(f"/problems/{problem.pk}/")
    page.get_by_role("link", name="Assess risk of Ann Jones").click()
    expect(page.get_by_role("heading", level=1, name="Assess Ann Jones's risk")).to_be_visible()
    check(page, "risk-assessment-phone")

    page.get_by_role("button", name="Save risk assessment").click()  # nothing answered
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Select yes or no for question 1", exact=True)).to_be_visible()
    check(page, "risk-assessment-error-phone")
    assert not m.RiskAssessment.objects.exists()

    page.get_by_label("First contact").check()
    for question in questionnaire.questions.all():
        page.locator(f"input[name='q_{question.key}'][value='{'yes' if question.key in YES else 'no'}']").check()
    page.get_by_label("Notes").fill("Eggs thrown at her door three nights running; afraid to go out.")
    page.get_by_role("button", name="Save risk assessment").click()
    expect(page.get_by_text("Ann Jones assessed: high risk (score 13).")).to_be_visible()
    expect(page.locator(f"#risk-{m.ProblemPerson.objects.get().pk}")).to_contain_text("13 of 27")
    check(page)
    problem.refresh_from_db()
    assert problem.risk == "high" and problem.review_interval_days == 14

    sergeant = new_page(DESK)
    sign_in(sergeant, "sergeant")
    victims = sergeant.get_by_role("table", name="High-risk victims")
    expect(victims).to_contain_text("Ann Jones")
    expect(victims).to_contain_text(problem.reference)
    check(sergeant, "my-work-supervisor-high-risk")
