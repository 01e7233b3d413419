"""Real people doing their jobs in a real browser (Debian's Chromium via Playwright).

Each page visited is checked with axe-core (no serious or critical violations) and for
fitting the screen; the main pages are saved as screenshots under docs/screenshots/.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from jps import services
from jps.models import Action, Problem, Stage
from tests import factories as f

from . import helpers as h
from .browser import check, sign_in
from .conftest import DESK, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pcso_logs_a_problem_on_a_phone(new_page, pcso, neighbourhood, category):
    page = new_page(
        PHONE,
        is_mobile=True,
        has_touch=True,
        permissions=["geolocation"],
        geolocation={"latitude": 51.280233, "longitude": 1.078909},
    )
    page.goto("/")
    check(page)
    sign_in(page, "pcso")
    check(page)
    page.get_by_role("button", name="Log a problem").click()  # My work's button (the menu is folded on a phone)
    page.get_by_label("Neighbourhood").select_option(label=str(neighbourhood))
    page.get_by_label("Category").select_option(label=str(category))
    page.get_by_label("Originator").fill("Mrs Patel, 4 Station Road")
    page.get_by_label("Title").fill("Youths gathering outside the off-licence")
    page.get_by_label("Description").fill("Groups of 10-15 drinking and shouting 7-10pm; customers put off.")
    page.get_by_label("Street or place (optional)", exact=True).fill("Station Road parade")
    page.get_by_role("button", name="Use my current position").click()
    page.wait_for_function("() => document.querySelector('[name=latitude]').value !== ''")
    # The source was forgotten: the error is next to the field and nothing typed is lost.
    page.get_by_role("button", name="Log problem").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    assert page.get_by_label("Title").input_value() == "Youths gathering outside the off-licence"
    check(page, "log-a-problem-error-phone")
    page.get_by_label("Source").select_option(label="Community contact")
    page.get_by_role("button", name="Log problem").click()
    page.wait_for_url(re.compile(r"/problems/\d+/$"))
    problem = Problem.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text("Youths gathering outside the off-licence")
    assert problem.reference in page.content()
    assert problem.owner == pcso and problem.source == "community"
    assert float(problem.latitude) == pytest.approx(51.280233)
    check(page, "problem-logged-phone")


def test_partner_updates_their_action_and_cannot_open_other_problems(
    new_page, pcso, partner_user, neighbourhood, council, housing
):
    shared = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, title="Fly-tipping in Northgate alley")
    h.to_response(shared, pcso)
    ours = h.add_action(shared, pcso, council, description="Clear the fly-tipping and fit a gate")
    h.add_action(shared, pcso, housing, description="Write to the tenants about bins")
    private = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, title="Drug dealing in the car park")

    page = new_page(DESK)
    sign_in(page, "council")
    expect(page.get_by_text("Clear the fly-tipping and fit a gate")).to_be_visible()
    assert page.get_by_text("Write to the tenants about bins").count() == 0
    check(page)
    page.get_by_role("link", name=shared.reference).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(shared.title)
    expect(page.get_by_text("Update this action")).to_have_count(1)  # their own agency's action only
    page.get_by_text("Update this action").click()
    block = page.locator(f"#action-{ours.pk}")
    block.get_by_label("Status").select_option("done")
    block.get_by_role("button", name="Save action").click()  # no result yet: refused, in place
    page.locator(f"#action-{ours.pk} .govuk-error-message").wait_for()
    assert "Record the result" in page.locator(f"#action-{ours.pk}").inner_text()
    block = page.locator(f"#action-{ours.pk}")
    block.get_by_label("Result").fill("Cleared on Tuesday; gate fitted")
    block.get_by_role("button", name="Save action").click()
    expect(page.locator(f"#action-{ours.pk}")).to_contain_text("Action updated.")
    expect(page.locator(".govuk-notification-banner")).to_have_count(0)  # swapped in place by htmx
    ours.refresh_from_db()
    assert ours.status == Action.Status.DONE and ours.result == "Cleared on Tuesday; gate fitted"
    check(page, "partner-action-updated")

    response = page.goto(f"/problems/{private.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert "Drug dealing" not in page.content()
    check(page)


def test_supervisor_reviews_an_overdue_problem_and_signs_off_a_closure(
    new_page, pcso, supervisor, neighbourhood, council
):
    today = datetime.date.today()
    overdue = f.ProblemFactory(
        owner=pcso,
        neighbourhood=neighbourhood,
        title="Speeding on London Road",
        next_review_due=today - datetime.timedelta(12),
    )
    closing = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, title="Graffiti on the underpass")
    h.to_assessment(closing, pcso, council)
    h.assess(closing, pcso)
    services.problem_request_closure(problem=closing, by=pcso)

    page = new_page(DESK)
    sign_in(page, "sergeant")
    queue = page.get_by_role("table", name=re.compile("Review queue"))
    expect(queue.get_by_text("12 days")).to_be_visible()
    check(page)
    queue.get_by_role("link", name=overdue.reference).click()
    page.get_by_role("link", name="Record a supervisory review").click()
    page.get_by_role("button", name="Record review").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    expect(page.locator("#id_comment-error")).to_be_visible()
    check(page, "review-form-errors")
    page.get_by_label("Review comment").fill("Speed check with the council's SID; report back in 4 weeks.")
    page.get_by_label("Continue").check()
    page.get_by_role("button", name="Record review").click()
    page.wait_for_url(f"**/problems/{overdue.pk}/")
    expect(page.get_by_text("Review of")).to_be_visible()
    overdue.refresh_from_db()
    assert overdue.reviews.get().was_overdue_days == 12 and overdue.next_review_due > today

    page.goto("/")
    page.get_by_role("table", name=re.compile("sign-off")).get_by_role("link", name=closing.reference).click()
    page.get_by_role("button", name="Sign off and close").click()
    page.wait_for_url(f"**/problems/{closing.pk}/")
    closing.refresh_from_db()
    assert closing.stage == Stage.CLOSED and closing.closed_by == supervisor
    expect(page.locator(".jps-sara__stage--current")).to_contain_text("Closed")
    check(page, "problem-closed")


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone", "desk"])
def test_every_page_is_accessible_and_fits(new_page, viewport, pcso, supervisor, neighbourhood, council, category):
    problem = f.ProblemFactory(
        owner=pcso,
        neighbourhood=neighbourhood,
        latitude=Decimal("51.280000"),
        longitude=Decimal("1.080000"),
        public_priority=True,
        adopted_on=datetime.date.today(),
        next_review_due=datetime.date.today() - datetime.timedelta(3),
    )
    h.to_response(problem, pcso)
    h.add_action(problem, pcso, council)
    services.update_add(problem=problem, by=pcso, text="Patrols doubled on Friday nights", propose_public=True)
    for i in range(3):
        f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, title=f"Parking on the verge {i}")
    page = new_page(viewport)
    for url in ["/accounts/login/", "/accounts/password-reset/"]:
        page.goto(url)
        check(page)
    sign_in(page, "sergeant")
    pages = [
        ("/", "my-work"),
        ("/problems/", "problem-list"),
        ("/problems/?stage=nonsense&neighbourhood=x", ""),
        ("/problems/new/", "log-a-problem"),
        (f"/problems/{problem.pk}/", "problem-page"),
        (f"/problems/{problem.pk}/review/", ""),
        ("/neighbourhoods/", ""),
        (f"/neighbourhoods/{neighbourhood.pk}/", "neighbourhood"),
        ("/problems/999999/", ""),
    ]
    for url, shot in pages:
        page.goto(url)
        if url.startswith("/neighbourhoods/") and url.count("/") == 3:
            page.get_by_text("The map background could not be loaded").wait_for()
            expect(page.get_by_role("link", name=problem.reference).first).to_be_visible()
        check(page)


def test_pages_work_without_javascript(new_page, pcso, neighbourhood, category, council):
    """Progressive enhancement: with JavaScript off, logging a problem and updating an action still work."""
    page = new_page(PHONE, java_script_enabled=False)
    sign_in(page, "pcso")
    page.goto("/problems/new/")
    expect(page.get_by_role("button", name="Use my current position")).to_be_hidden()
    page.get_by_label("Neighbourhood").select_option(label=str(neighbourhood))
    page.get_by_label("Category").select_option(label=str(category))
    page.get_by_label("Source").select_option(label="Officer observation")
    page.get_by_label("Originator").fill("PCSO on patrol")
    page.get_by_label("Title").fill("Abandoned car on Victoria Road")
    page.get_by_label("Description").fill("Untaxed, tyres flat, there for three weeks.")
    page.get_by_label("Latitude (optional)").fill("51.2801")
    page.get_by_label("Longitude (optional)").fill("1.0789")
    page.get_by_role("button", name="Log problem").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Abandoned car on Victoria Road")
    problem = Problem.objects.get(title="Abandoned car on Victoria Road")
    action = h.add_action(problem, pcso, council)
    page.goto(f"/problems/{problem.pk}/")
    page.get_by_text("Update this action").click()
    block = page.locator(f"#action-{action.pk}")
    block.get_by_label("Status").select_option("in_progress")
    block.get_by_role("button", name="Save action").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action updated.")
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS


def test_the_review_form_asks_for_the_owner_or_stage_only_with_their_decision(
    new_page, supervisor, pcso, neighbourhood
):
    """Point 7 of issue 22: GOV.UK conditional radios, by govuk-frontend's own script (no inline script)."""
    problem = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood)
    page = new_page(DESK)
    page.goto("/")
    sign_in(page, "sergeant")
    page.goto(f"/problems/{problem.pk}/review/")
    owner = page.get_by_label("New owner")
    stage = page.get_by_label("Stage to move to")
    expect(owner).to_be_hidden()
    expect(stage).to_be_hidden()
    page.get_by_label("Change owner").check()
    expect(owner).to_be_visible()
    expect(stage).to_be_hidden()
    page.get_by_label("Move stage").check()
    expect(stage).to_be_visible()
    expect(owner).to_be_hidden()
    page.get_by_label("Review comment").fill("Move it on")
    page.get_by_role("button", name="Record review").click()
    expect(page.get_by_role("alert").filter(has_text="Select the stage to move to")).to_be_visible()
    expect(stage).to_be_visible()  # the chosen decision stays chosen, its question shown
    check(page, "review-conditional-desk")
