"""Browser fixtures: Debian's Chromium driven by Playwright for Python, never a downloaded browser."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("JPS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "frontend" / "static" / "dist" / "axe.min.js"
#: Screenshots are always taken; they land in docs/screenshots/ only when asked (`make screenshots`),
#: so an ordinary test run leaves the working tree clean.
SCREENSHOTS = Path(os.environ.get("JPS_SCREENSHOTS_DIR") or Path(tempfile.gettempdir()) / "jps-screenshots")
PHONE = {"width": 360, "height": 740}
DESK = {"width": 1100, "height": 800}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure_browser.sh (make test does)")
    if not AXE.exists():
        pytest.fail("frontend assets are not built: run `make frontend`")
    # Playwright's sync API keeps an event loop running in this thread; the ORM calls the
    # tests make (fixtures, assertions) are still plain synchronous code, so Django's
    # async-safety check is lifted while the browser is up.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _only_local(route: Any) -> None:
    """Nothing leaves the machine: map tiles and any other outside request fail, as they do here."""
    url = route.request.url
    if url.startswith(("http://localhost", "http://127.0.0.1", "data:", "blob:")):
        route.continue_()
    else:
        route.abort()


def watch_csp(page: Any) -> None:
    """Keep every Content Security Policy violation Chromium reports on ``page.csp_violations``.

    The pages are served with their real policy (no bypass): anything it refuses, an inline
    script, a handler, a style, a script from elsewhere, shows here and fails ``browser.check``.
    """
    page.csp_violations = []
    page.on(
        "console",
        lambda message: (
            page.csp_violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    contexts = []

    def make(viewport: dict[str, int] = DESK, **options: Any) -> Any:
        context = browser.new_context(viewport=viewport, base_url=live_server.url, **options)
        context.route("**/*", _only_local)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        watch_csp(page)
        return page

    yield make
    for context in contexts:
        context.close()
