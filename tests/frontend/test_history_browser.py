"""In the browser (issue 22): a problem's history as the Ministry of Justice design system's timeline, each change
titled by what happened, by whom and when (a machine-readable time), the fields it changed beneath."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jps import services

from .browser import SCREENSHOTS, check, sign_in
from .conftest import DESK, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_a_problems_history_is_a_timeline(new_page, pcso, problem, viewport):
    services.problem_update(problem=problem, by=pcso, risk="high", problem_statement="Groups at the parade, 7-10pm.")
    services.problem_transition(problem=problem, to="analysis", by=pcso)
    page = new_page(viewport)
    sign_in(page, "pcso")
    page.goto(f"/problems/{problem.pk}/")
    timeline = page.locator("ol.moj-timeline")
    expect(timeline).to_be_visible()
    items = timeline.locator(".moj-timeline__item")
    expect(items).to_have_count(3)  # newest first: the move, the edit, the record made
    first = items.first
    expect(first.get_by_role("heading", level=3)).to_have_text("Start analysis")
    expect(first.locator(".moj-timeline__byline")).to_have_text(f"by {pcso}")
    assert first.locator("time").get_attribute("datetime")
    changed = items.nth(1).locator(".moj-timeline__description")
    expect(changed).to_have_text("Problem statement, review interval days, risk")
    # The timeline's line and markers come from MOJ Frontend's stylesheet, its words in the service's font.
    line = page.evaluate("() => getComputedStyle(document.querySelector('.moj-timeline'), '::before').width")
    assert line == "5px"
    fonts = page.evaluate(
        "() => [getComputedStyle(document.querySelector('.moj-timeline__title')).fontFamily,"
        " getComputedStyle(document.querySelector('#history')).fontFamily]"
    )
    assert fonts[0] == fonts[1]
    name = "problem-history" if viewport == DESK else "problem-history-phone"
    check(page)
    page.locator("#history").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
