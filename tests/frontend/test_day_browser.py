"""Issue 22 in Chromium: the duplicate step, the stage panel after an inline change, tables and the
menu on a phone and at 1280 px, decisions with a safety net, and a quiet console (points 2, 3, 5, 6, 9)."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from jps import services
from jps.models import Problem, ProgressUpdate, Stage
from tests import factories as f

from . import helpers as h
from .browser import check, sign_in
from .conftest import DESK, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 800}


def _in_view(page, locator) -> bool:  # type: ignore[no-untyped-def]
    """The element is on the first screen, left to right and top to bottom, with no scrolling."""
    box = locator.bounding_box()
    viewport = page.viewport_size
    return (
        box is not None
        and box["x"] >= 0
        and box["x"] + box["width"] <= viewport["width"] + 1
        and (box["y"] + box["height"] <= viewport["height"])
    )


def test_the_duplicate_question_is_the_first_thing_seen_on_a_phone(new_page, pcso, neighbourhood, category):
    benches = f.ProblemFactory(
        owner=pcso,
        neighbourhood=neighbourhood,
        category=category,
        title="Benches smashed in Dane John Gardens",
        description="Park benches broken, graffiti on the bandstand.",
    )
    page = new_page(PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "pcso")
    page.goto("/problems/new/")
    page.get_by_label("Neighbourhood").select_option(label=str(neighbourhood))
    page.get_by_label("Category").select_option(label=str(category))
    page.get_by_label("Source").select_option(label="Community contact")
    page.get_by_label("Originator").fill("Resident of Dane John Mews")
    page.get_by_label("Title").fill("Bench broken in the gardens")
    page.get_by_label("Description").fill("Kicked over last night")
    page.get_by_label("Description").blur()
    # The live suggestions appear above the main button, not below it.
    live = page.locator("[data-jps-duplicates]")
    expect(live).to_contain_text(benches.reference)
    assert live.bounding_box()["y"] < page.get_by_role("button", name="Log problem").bounding_box()["y"]

    page.get_by_role("button", name="Log problem").click()
    heading = page.get_by_role("heading", level=1, name="Is it one of these problems?")
    expect(heading).to_be_focused()
    assert _in_view(page, heading), "the question is not on the first screen"
    assert page.evaluate("() => window.scrollY") < 200
    check(page, "duplicate-step-phone")
    page.get_by_role("button", name=f"Attach my report to {benches.reference}").click()
    page.wait_for_url(f"**/problems/{benches.pk}/")
    expect(page.get_by_text("Your report was added")).to_be_visible()
    assert Problem.objects.count() == 1


def test_the_stage_panel_follows_an_action_marked_done_inline(new_page, pcso, neighbourhood, council):
    problem = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, title="Graffiti on the underpass")
    h.to_response(problem, pcso)
    action = h.add_action(problem, pcso, council, description="Paint over the graffiti")
    page = new_page(DESK)
    sign_in(page, "pcso")
    page.goto(f"/problems/{problem.pk}/")
    start = page.get_by_role("button", name="Start assessment")
    expect(start).to_be_enabled()  # never disabled: pressing it says what is missing
    start.click()
    expect(page.get_by_role("alert").filter(has_text="The stage was not changed")).to_be_visible()
    check(page)

    page.evaluate("() => { window.jpsSamePage = true; }")
    block = page.locator(f"#action-{action.pk}")
    block.get_by_text("Update this action").click()
    block.get_by_label("Status").select_option("done")
    block.get_by_label("Result").fill("Painted over on Monday")
    block.get_by_role("button", name="Save action").click()
    expect(page.locator(f"#action-{action.pk}")).to_contain_text("Action updated.")
    expect(page.locator("#stage-panel")).not_to_contain_text("Needs at least one action")
    assert page.evaluate("() => window.jpsSamePage") is True, "the page was reloaded"
    check(page, "stage-panel-after-inline-action")
    page.get_by_role("button", name="Start assessment").click()
    page.wait_for_url(f"**/problems/{problem.pk}/")
    problem.refresh_from_db()
    assert problem.stage == Stage.ASSESSMENT


def test_my_work_on_a_phone_keeps_the_neighbourhood_and_the_overdue_flag(new_page, pcso, supervisor, neighbourhood):
    today = datetime.date.today()
    overdue = today - datetime.timedelta(12)
    f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, title="Speeding on London Road", next_review_due=overdue)
    page = new_page(PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "sergeant")
    queue = page.get_by_role("region", name=re.compile("Review queue"))
    for text in ["12 days", str(neighbourhood.display_name)]:
        cell = queue.get_by_text(text, exact=False).first
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{text!r} is off screen: {box}"
    no_sideways = "() => [...document.querySelectorAll('.jps-table-wrap')].every(w => w.scrollWidth <= w.clientWidth)"
    assert page.evaluate(no_sideways)
    check(page, "my-work-phone")


def test_the_menu_on_a_phone_is_the_service_navigation_with_its_toggle(new_page, pcso):
    page = new_page(PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "pcso")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(page.get_by_role("link", name="Neighbourhoods")).to_be_hidden()
    header_height = page.evaluate("() => document.querySelector('.jps-header').getBoundingClientRect().height")
    assert header_height < 70, f"the header is {header_height}px tall on a phone"
    check(page, "menu-closed-phone")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    page.get_by_role("link", name="Neighbourhoods").click()
    page.wait_for_url("**/neighbourhoods/")
    check(page)

    desk = new_page(DESK)
    sign_in(desk, "pcso")
    expect(desk.get_by_role("button", name="Menu")).to_be_hidden()
    expect(desk.get_by_role("link", name="My work")).to_have_attribute("aria-current", "page")
    check(desk, "menu-desktop")


def test_the_problem_list_at_1280_px_shows_every_column(new_page, pcso, neighbourhood):
    for n in range(3):
        f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, title=f"Fly-tipping behind the shops, bay {n}")
    page = new_page(WIDE)
    sign_in(page, "pcso")
    page.goto("/problems/")
    wrap = page.locator(".jps-table-wrap")
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth"), "the table scrolls inside its box"
    for column in ["Owner", "Next review"]:
        header = page.get_by_role("columnheader", name=re.compile(column))
        assert _in_view(page, header) or header.bounding_box()["x"] + header.bounding_box()["width"] <= WIDE["width"]
    assert wrap.bounding_box()["width"] > 850
    check(page, "problem-list-1280")


def test_closing_with_an_open_action_and_rejecting_an_update_ask_first(
    new_page, pcso, supervisor, web_editor, neighbourhood, council, housing
):
    closing = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, title="Graffiti on the underpass")
    h.to_assessment(closing, pcso, council)
    h.add_action(closing, pcso, housing, description="Write to the tenants about bins")
    h.assess(closing, pcso)
    services.problem_request_closure(problem=closing, by=pcso)

    page = new_page(DESK)
    sign_in(page, "sergeant")
    page.goto(f"/problems/{closing.pk}/")
    page.get_by_role("button", name="Sign off and close").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close this problem with 1 action still open?")
    expect(page.get_by_text("Write to the tenants about bins")).to_be_visible()
    check(page, "close-with-open-actions")
    closing.refresh_from_db()
    assert closing.stage == Stage.ASSESSMENT
    page.get_by_role("button", name="Sign off and close anyway").click()
    page.wait_for_url(f"**/problems/{closing.pk}/")
    closing.refresh_from_db()
    assert closing.stage == Stage.CLOSED

    priority = f.ProblemFactory(
        owner=pcso,
        neighbourhood=neighbourhood,
        public_priority=True,
        adopted_on=datetime.date.today(),
        public_title="Speeding on London Road",
    )
    update = ProgressUpdate.objects.create(
        problem=priority, author=pcso, text="Spoke to Mr Jones at number 14", status=ProgressUpdate.Status.PENDING
    )
    editor = new_page(DESK)
    sign_in(editor, "webeditor")
    card = editor.locator(f"#pending-{update.pk}")
    expect(card).to_contain_text("Speeding on London Road")
    card.get_by_role("button", name="Reject").click()
    expect(editor.get_by_role("heading", level=1)).to_have_text("Reject this update?")
    editor.get_by_role("button", name="Reject update").click()
    expect(editor.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    editor.get_by_label("Why is this update not being published?").fill("It names a resident; leave the name out.")
    check(editor, "reject-update-reason")
    editor.get_by_role("button", name="Reject update").click()
    editor.wait_for_url("**/")
    update.refresh_from_db()
    assert update.status == ProgressUpdate.Status.REJECTED

    author = new_page(PHONE, is_mobile=True)
    sign_in(author, "pcso")
    author.goto(f"/problems/{priority.pk}/")
    expect(author.locator(f"#update-{update.pk}")).to_contain_text("It names a resident; leave the name out.")
    check(author, "update-rejected-reason-phone")


def test_a_role_that_cannot_log_sees_no_403_and_htmx_injects_no_style(new_page, analyst, pcso, problem, council):
    page = new_page(DESK)
    refused: list[str] = []
    page.on("response", lambda response: refused.append(response.url) if response.status == 403 else None)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, "analyst")
    page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_timeout(500)
    assert not refused, f"refused requests: {refused}"
    assert not errors, f"console errors: {errors}"
    assert page.evaluate("() => caches.open('jps-field-v1').then(c => c.match('/problems/new/')).then(r => !r)")

    # htmx's indicator styles come from our stylesheet: htmx puts no <style> in the page.
    h.to_response(problem, pcso)
    action = h.add_action(problem, pcso, council)
    officer = new_page(DESK)
    sign_in(officer, "pcso")
    officer.goto(f"/problems/{problem.pk}/")
    officer.wait_for_function("() => typeof window.htmx === 'object'")
    assert officer.evaluate("() => htmx.config.includeIndicatorStyles") is False
    assert officer.locator("style").count() == 0
    block = officer.locator(f"#action-{action.pk}")
    block.get_by_text("Update this action").click()
    block.get_by_label("Status").select_option("in_progress")
    block.get_by_role("button", name="Save action").click()
    expect(officer.locator(f"#action-{action.pk}")).to_contain_text("Action updated.")
    assert officer.locator("style").count() == 0
    probe = '<span class="htmx-indicator" id="probe">…</span>'
    officer.evaluate("probe => document.body.insertAdjacentHTML('beforeend', probe)", probe)
    assert officer.evaluate("() => getComputedStyle(document.getElementById('probe')).opacity") == "0"
    check(officer)
