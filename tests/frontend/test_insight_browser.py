"""In the browser: an analyst evaluates a closed problem and marks it best practice; an officer finds it.

Runs Debian's Chromium through Playwright (this folder's fixtures: one browser per session), on the demo
force, checks each page with axe-core and that it fits the screen, and saves the
screenshots of the dashboard and the library into docs/screenshots/.
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from jps import insight, selectors
from jps.models import Problem, Stage, User

from .browser import SCREENSHOTS, check, sign_in
from .conftest import DESK, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-password-for-tests"


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    call_command("load_demo", "--password", PASSWORD, stdout=open("/dev/null", "w"))  # noqa: SIM115
    supervisors = {u.username: u for u in User.objects.filter(role=User.Role.SUPERVISOR)}
    # Quality scores, so the dashboard's roll-up has something to show.
    for index, problem in enumerate(Problem.objects.select_related("district").order_by("pk")):
        by = next((s for s in supervisors.values() if problem.district_id in s.scope_district_ids), None)
        if by is None or problem.stage == Stage.CLOSED_NO_ACTION:
            continue
        occasion = "closure" if problem.stage in (Stage.ASSESSMENT, Stage.CLOSED) else "review"
        flags = dict(insight.quality_score_suggestion(problem))
        flags["partners_involved"] = flags["partners_involved"] or index % 3 == 0
        insight.quality_score_record(problem=problem, by=by, occasion=occasion, **flags)
    return User.objects.get(username="analyst")


def test_analyst_marks_best_practice_and_an_officer_finds_it_in_the_library(new_page, demo):
    analyst = demo
    problem = selectors.evaluations_waiting(user=analyst).first()
    assert problem is not None, "the demo should leave a closed problem to evaluate"

    page = new_page(DESK)
    sign_in(page, "analyst", PASSWORD)
    page.get_by_role("link", name="Evaluations").click()
    queue = page.get_by_role("table", name=re.compile("awaiting evaluation"))
    queue.get_by_role("link", name=f"Evaluate {problem.reference}").click()
    page.wait_for_url(f"**/problems/{problem.pk}/evaluate/")
    check(page)
    page.get_by_label(re.compile("^Green")).check()
    page.get_by_label("What worked").fill("Kerbside lighting and a dispersal order; the shop changed its hours.")
    page.get_by_label("Learning", exact=True).fill("Bring the licensing officer in at scanning: it halved the time.")
    page.get_by_label("The approach is transferable to other places").check()
    page.get_by_label("Best-practice tags").fill("lighting, licensing")
    page.locator("#id_need-0-skill").fill("Licensing powers")
    page.get_by_role("button", name="Save evaluation").click()
    page.wait_for_url(f"**/library/{problem.pk}/")
    page.get_by_role("button", name="Mark as best practice").click()
    page.wait_for_url(f"**/library/{problem.pk}/")
    expect(page.get_by_text(f"{problem.reference} marked as best practice")).to_be_visible()
    problem.evaluation.refresh_from_db()
    assert problem.evaluation.best_practice and problem.evaluation.rating == "green"
    check(page, "insight-evaluation")

    officer = new_page(DESK)
    sign_in(officer, "pc_dover", PASSWORD)
    officer.get_by_role("link", name="Library").click()
    officer.get_by_label("Search").fill("licensing officer")
    officer.get_by_label("Best practice only").check()
    officer.get_by_role("button", name="Search").click()
    officer.wait_for_url(re.compile(r"/library/\?q="))
    result = officer.locator(".jps-library__item").filter(has_text=problem.title)
    expect(result).to_have_count(1)
    expect(result.get_by_text("Best practice")).to_be_visible()
    expect(result.get_by_text("Green")).to_be_visible()
    check(officer)
    result.get_by_role("link", name="Good-practice write-up").click()
    officer.wait_for_url(f"**/library/{problem.pk}/write-up/")
    for heading in ("Problem", "Solution", "Evaluation", "External validation", "Outcomes", "Contact"):
        expect(officer.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    check(officer, "insight-writeup")
    officer.goto("/library/")
    check(officer, "insight-library")


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_dashboard_and_learning_needs_are_accessible(new_page, demo, viewport):
    page = new_page(viewport)
    sign_in(page, "admin", PASSWORD)
    page.goto("/dashboard/")
    expect(page.get_by_role("heading", name="Median days in each stage")).to_be_visible()
    assert page.locator(".jps-chart .jps-chart__row").count() >= 8
    name = "insight-dashboard" if viewport == DESK else "insight-dashboard-phone"
    check(page, name)
    if viewport == DESK:
        page.screenshot(path=str(SCREENSHOTS / f"{name}-full.png"), full_page=True)
    page.goto("/learning-needs/")
    check(page, "insight-learning-needs" if viewport == DESK else "")
    partner = new_page(viewport)
    sign_in(partner, "partner", PASSWORD)
    partner.goto("/dashboard/")
    check(partner)
    expect(partner.get_by_text("only problems your agency leads or takes part in")).to_be_visible()
