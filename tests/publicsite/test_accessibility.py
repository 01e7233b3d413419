"""axe-core on the rendered public pages in headless Chromium: no serious or critical violations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jps.models import Force
from publicsite.export import publish

from .conftest import site_files

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

AXE_CANDIDATES = [
    os.environ.get("AXE_JS", ""),
    str(Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"),
]
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


def _axe() -> str:
    for candidate in AXE_CANDIDATES:
        if candidate and Path(candidate).exists():
            return Path(candidate).read_text()
    pytest.skip("axe-core not installed (npm install axe-core, or set AXE_JS to axe.min.js)")


def test_public_pages_have_no_serious_or_critical_axe_violations(priorities, settings, force):
    axe = _axe()
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian chromium is not installed")
    Force.objects.filter(pk=force.pk).update(welsh_enabled=True)
    publish(full=True)
    current = settings.PUBLIC_SITE_DIR / "current"
    pages = sorted(p for p in site_files(settings.PUBLIC_SITE_DIR) if p.endswith(".html"))
    problems = {}
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        # The pages' own policy (a <meta> Content Security Policy) refuses inline scripts, so axe-core
        # comes in as an init script, which the browser runs outside the page's policy; the
        # stylesheet must still load under that policy: any violation is reported and fails the test.
        page.add_init_script(script=axe)
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        for path in pages:
            page.goto((current / path).as_uri())
            header = "() => getComputedStyle(document.querySelector('.header')).backgroundColor"
            assert page.evaluate(header) == "rgb(11, 12, 12)", f"{path}: the stylesheet did not load"
            result = page.evaluate("async () => await axe.run(document)")
            bad = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
            if bad:
                problems[path] = bad
        browser.close()
    assert len(pages) > 5
    assert problems == {}
    assert violations == []
