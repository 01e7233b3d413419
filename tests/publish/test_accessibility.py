"""axe-core on the rendered public pages in headless Chromium: no serious or critical violations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from frontend.public_site.renderer import publish
from jps.models import Force

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
        for path in pages:
            page.goto((current / path).as_uri())
            page.add_script_tag(content=axe)
            result = page.evaluate("async () => await axe.run(document)")
            bad = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
            if bad:
                problems[path] = bad
        browser.close()
    assert len(pages) > 5
    assert problems == {}
