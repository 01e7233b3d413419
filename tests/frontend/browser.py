"""What every browser test checks on every page: accessibility (axe-core), fit on a phone, screenshots."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from .conftest import AXE, SCREENSHOTS


def sign_in(page: Any, username: str, password: str = "correct-horse-battery") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if "/accounts/two-factor/" in page.url:  # administrators: the code their authenticator app shows
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from tests.otp import next_code_for

        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.get_by_label("Code", exact=True).fill(next_code_for(device))
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1, name="My work")).to_be_visible()


def assert_accessible(page: Any) -> None:
    """No serious or critical axe-core violations (WCAG 2.x A and AA rules and best practice).

    axe-core is loaded from our own static files (frontend/build.mjs copies it there), which the
    page's Content Security Policy allows as 'self'; an inline copy would be refused.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        try:
            page.add_script_tag(url="/static/dist/axe.min.js")
        except PlaywrightError:
            # Offline (the field tests take the browser off the network): run the file through the
            # DevTools protocol, which a page's policy does not govern.
            page.context.new_cdp_session(page).send("Runtime.evaluate", {"expression": AXE.read_text()})
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical") and not _govuk_conditional_radios(v)
    ]
    assert not bad, f"{page.url}: " + "; ".join(bad)


def _govuk_conditional_radios(violation: dict[str, Any]) -> bool:
    """govuk-frontend's own script puts ``aria-expanded`` on a radio that reveals a question
    (GOV.UK's conditional reveal, alphagov/govuk-frontend#979); axe reports the attribute as not
    allowed on a radio. It is the Design System's markup, left as GOV.UK ships it; only that is let through."""
    return violation["id"] == "aria-allowed-attr" and all(
        "govuk-radios__input" in n["html"] and "aria-controls" in n["html"] and "aria-expanded" in n["html"]
        for n in violation["nodes"]
    )


def assert_fits(page: Any) -> None:
    """Nothing pushes the page wider than the screen (tables scroll inside their own region)."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} is {width}px wide on a {viewport}px screen"


def assert_no_csp_violations(page: Any) -> None:
    """Nothing on the pages visited so far broke the Content Security Policy (see conftest.watch_csp)."""
    violations = getattr(page, "csp_violations", [])
    assert not violations, "Content Security Policy violations:\n" + "\n".join(violations)


def check(page: Any, screenshot: str = "") -> None:
    assert_no_csp_violations(page)
    assert_accessible(page)
    assert_fits(page)
    if screenshot:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{screenshot}.png"))
