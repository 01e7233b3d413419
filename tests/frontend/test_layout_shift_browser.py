"""In the browser (issue 22, point 11): on a phone nothing moves once drawn. The menu is closed from the first
paint (not folded away when govuk-frontend's script starts), so "My work" and a problem page have no layout
shift, and the "Menu" toggle still opens the menu."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .browser import check, sign_in
from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: The page's cumulative layout shift so far, as Lighthouse counts it (shifts not caused by input).
LAYOUT_SHIFT = """() => new Promise(resolve => {
    new PerformanceObserver(list => {
        resolve(list.getEntries().filter(e => !e.hadRecentInput).reduce((sum, e) => sum + e.value, 0));
    }).observe({type: 'layout-shift', buffered: true});
    setTimeout(() => resolve(0), 1000);  // no entry at all: nothing moved
})"""


def slow_network(page) -> None:  # type: ignore[no-untyped-def]
    """A phone's slow connection with nothing cached (as Lighthouse measures), so the page is drawn before its
    deferred scripts have run, as on a real phone: a script that changes the layout then shows as a shift."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    speed = 400 * 1024 // 8  # 400 kbit/s
    conditions = {"offline": False, "latency": 300, "downloadThroughput": speed, "uploadThroughput": speed}
    cdp.send("Network.emulateNetworkConditions", conditions)


def test_nothing_moves_on_a_phone_once_drawn(new_page, pcso, problem):
    page = new_page(PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "pcso")
    slow_network(page)
    for url in ("/", f"/problems/{problem.pk}/"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        shift = page.evaluate(LAYOUT_SHIFT)
        assert shift < 0.01, f"{url} moved after the first paint (layout shift {shift:.3f})"
    navigation = page.get_by_role("navigation", name="Menu")
    expect(navigation.get_by_role("link", name="Problems")).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(navigation.get_by_role("link", name="Problems")).to_be_visible()
    check(page)
