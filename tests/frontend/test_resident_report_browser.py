"""A resident's report from end to end (issue 20), in Chromium: the resident reports on a phone with a photo
and is acknowledged with a reference; the PCSO accepts it from "My work" as a new problem; a web editor
approves a public update on it; the resident hears of the update by email. Each page is checked (axe, fit
on the screen, CSP) on the way. The emails go as the worker would send them: the task, run inline.
"""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from PIL import Image
from playwright.sync_api import expect

from jps import models as m
from jps import services
from tasks import residents as resident_tasks

from .browser import check, sign_in
from .conftest import DESK, PHONE, SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def postcode(neighbourhood) -> m.Postcode:  # type: ignore[no-untyped-def]
    neighbourhood.latitude, neighbourhood.longitude = Decimal("51.284"), Decimal("1.088")
    neighbourhood.save()
    return m.Postcode.objects.create(postcode="CT1 2EH", outward="CT1", neighbourhood=neighbourhood)


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (40, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def _whole_page(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """The whole form on a phone, top to bottom, for the README (``check`` takes the first screen)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _send_notices() -> int:
    """What the worker does on its schedule (and when a service queues it), run here in the test's process."""
    return int(resident_tasks.send_resident_notices.apply().get()["sent"])


def test_a_resident_reports_with_a_photo_the_pcso_accepts_and_the_resident_hears_of_the_update(
    new_page, pcso, web_editor, neighbourhood, category, postcode
):
    # The resident, on a phone, signed in to nothing.
    resident = new_page(PHONE, is_mobile=True, has_touch=True)
    resident.goto("/report/")
    expect(resident.get_by_role("heading", level=1)).to_have_text("Report a problem to your neighbourhood team")
    resident.get_by_label("Postcode").fill("CT1 2EH")
    resident.get_by_label("What kind of problem is it?").select_option(label=str(category))
    resident.get_by_label("What is happening?").fill("Cars racing round the car park behind the library every night.")
    resident.get_by_label("Photos (optional)").set_input_files(
        [{"name": "car-park.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}]
    )
    resident.get_by_label("Your name (optional)").fill("Gwen Resident")
    resident.get_by_label("Your email address (optional)").fill("gwen@example.com")
    resident.get_by_label(re.compile("I agree that the neighbourhood team")).check()
    resident.evaluate("() => window.scrollTo(0, 0)")
    check(resident)
    _whole_page(resident, "report-a-problem-phone")
    resident.get_by_role("button", name="Send report").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("Report sent")
    report = m.ResidentReport.objects.get()
    expect(resident.locator(".reference")).to_have_text(report.reference)
    check(resident, "report-sent-phone")
    assert report.neighbourhood == neighbourhood and report.photos.count() == 1

    assert _send_notices() == 1
    acknowledgement = mail.outbox[-1]
    assert acknowledgement.to == ["gwen@example.com"] and report.reference in acknowledgement.subject
    assert report.reference in acknowledgement.body

    # The PCSO, on a phone: the report waits on "My work"; its page shows the photo; accepted as a new problem.
    officer = new_page(PHONE, is_mobile=True, has_touch=True)
    sign_in(officer, "pcso")
    queue = officer.locator("#resident-reports")
    expect(queue).to_contain_text(report.reference)
    check(officer, "my-work-resident-reports-phone")
    queue.get_by_role("link", name=report.reference).click()
    expect(officer.get_by_role("heading", level=1)).to_have_text(f"Resident report {report.reference}")
    photo = officer.get_by_role("img", name="Photo 1 sent by the resident")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 80
    check(officer)
    _whole_page(officer, "resident-report-triage-phone")
    officer.get_by_label("Title of the new problem").fill("Cars racing in the library car park at night")
    officer.get_by_role("button", name="Accept", exact=True).click()
    officer.wait_for_url(re.compile(r"/problems/\d+/$"))
    report.refresh_from_db()
    problem = report.problem
    assert report.status == m.ResidentReport.Status.ACCEPTED and problem is not None
    expect(officer.get_by_text(f"Report {report.reference} accepted as {problem.reference}.")).to_be_visible()
    check(officer)
    assert problem.source == m.Source.RESIDENT_REPORT and problem.owner == pcso
    assert _send_notices() == 1 and "taken on" in mail.outbox[-1].subject

    # Adopted as a public priority at the PACT meeting; the PCSO proposes an update; the web editor approves it.
    m.Problem.objects.filter(pk=problem.pk).update(
        public_priority=True, adopted_on=datetime.date.today(), public_title="Car racing behind the library"
    )
    problem.refresh_from_db()
    update = services.update_add(
        problem=problem, by=pcso, text="Spoke to the driver of the red car; patrols at 10pm", propose_public=True
    )
    editor = new_page(DESK)
    sign_in(editor, "webeditor")
    card = editor.locator(f"#pending-{update.pk}")
    expect(card).to_contain_text("Car racing behind the library")
    card.get_by_role("textbox").fill("We have patrolled the car park at night and spoken to drivers.")
    check(editor)
    card.get_by_role("button", name="Approve and publish").click()
    expect(editor.locator(f"#pending-{update.pk}")).to_have_count(0)
    check(editor)
    update.refresh_from_db()
    assert update.status == m.ProgressUpdate.Status.APPROVED

    # The resident hears of it, in the words the web editor approved, and nothing internal.
    assert _send_notices() == 1
    news = mail.outbox[-1]
    assert news.to == ["gwen@example.com"]
    assert "We have patrolled the car park at night and spoken to drivers." in news.body
    assert "red car" not in news.body
    assert len(mail.outbox) == 3
