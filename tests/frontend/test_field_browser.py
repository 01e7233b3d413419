"""A PCSO logs a problem with no signal; it is sent once when the signal returns (Chromium, Playwright)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jps.models import Problem

from .browser import check, sign_in
from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill(page, neighbourhood, category, title):  # type: ignore[no-untyped-def]
    page.get_by_label("Neighbourhood").select_option(label=str(neighbourhood))
    page.get_by_label("Category").select_option(label=str(category))
    page.get_by_label("Source").select_option(label="Officer observation")
    page.get_by_label("Originator").fill("PCSO on patrol")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill("Found by the swings, reported to the council.")


def test_a_problem_logged_offline_arrives_exactly_once(new_page, pcso, neighbourhood, category):
    page = new_page(PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "pcso")
    page.goto("/problems/new/")
    page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")
    context = page.context
    context.set_offline(True)
    fill(page, neighbourhood, category, "Needles in the play park")
    page.get_by_role("button", name="Log problem").click()
    expect(page.locator("[data-jps-drafts-status]")).to_contain_text("saved on this phone")
    expect(page.locator("[data-jps-drafts]")).to_contain_text("Needles in the play park — not yet sent")
    check(page, "log-a-problem-offline-phone")
    assert not Problem.objects.exists()
    # With no signal the form still opens, from the service worker's cache.
    page.reload()
    expect(page.get_by_role("heading", level=1, name="Log a problem")).to_be_visible()
    expect(page.locator("[data-jps-drafts]")).to_contain_text("not yet sent")

    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")  # and a second trigger: still once
    expect(page.locator("[data-jps-drafts-status]")).to_contain_text('Sent: "Needles in the play park"')
    expect(page.locator("[data-jps-drafts]")).to_be_hidden()
    page.reload()
    page.wait_for_timeout(500)
    assert Problem.objects.filter(title="Needles in the play park").count() == 1
    problem = Problem.objects.get()
    assert problem.owner == pcso and problem.source == "observation"


def test_the_app_is_installable(client, pcso):
    client.force_login(pcso)
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker["Content-Type"].startswith("application/javascript")
    assert worker["Service-Worker-Allowed"] == "/"
    manifest = client.get("/manifest.webmanifest").json()
    assert manifest["start_url"] == "/problems/new/" and manifest["display"] == "standalone"
    assert 'rel="manifest"' in client.get("/problems/new/").content.decode()


def test_the_phones_position_proposes_its_neighbourhood(new_page, pcso, neighbourhood, district):
    from tests import factories as f

    f.NeighbourhoodFactory(district=district, name="Aardvark ward")  # first in the list, not the answer
    square = [[1.0, 51.0], [1.1, 51.0], [1.1, 51.1], [1.0, 51.1], [1.0, 51.0]]
    neighbourhood.boundary = {"type": "Polygon", "coordinates": [square]}
    neighbourhood.save()
    page = new_page(
        PHONE, is_mobile=True, permissions=["geolocation"], geolocation={"latitude": 51.05, "longitude": 1.05}
    )
    sign_in(page, "pcso")
    page.goto("/problems/new/")
    page.get_by_role("button", name="Use my current position").click()
    expect(page.locator("[data-jps-geolocate-status]")).to_contain_text(f"proposed from your position: {neighbourhood}")
    assert page.get_by_label("Neighbourhood").input_value() == str(neighbourhood.pk)
