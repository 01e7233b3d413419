"""In the browser (issue 22, point 6): a priority agreed at a PACT meeting passes the duplicate question on
the officer's phone, then waits for the web editor, whose card shows its title and the words to publish;
the public site shows it only once approved, adopted on the meeting's date."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jps import meetings, publishing
from jps.models import MeetingItem, Problem
from publicsite.export import publish
from tests import factories as f

from ..publicsite.site import priority_page, site_files
from .browser import check, sign_in
from .conftest import DESK, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def held_meeting(pcso, neighbourhood):  # type: ignore[no-untyped-def]
    starts = timezone.now() - datetime.timedelta(days=2)
    return meetings.meeting_create(by=pcso, neighbourhoods=[neighbourhood], starts_at=starts, venue="Village hall")


def test_a_pact_priority_is_checked_for_duplicates_then_published_by_the_web_editor(
    new_page, pcso, web_editor, held_meeting, neighbourhood, category, settings
):
    lookalike = f.ProblemFactory(
        reference="KNT-2026-09999",  # clear of the numbers the service gives
        owner=pcso,
        neighbourhood=neighbourhood,
        category=category,
        title="Speeding cars on St Stephen's Road",
        description="Cars speed past the school.",
    )
    officer = new_page(PHONE, is_mobile=True, has_touch=True)
    sign_in(officer, "pcso")
    officer.goto(f"/meetings/{held_meeting.pk}/")
    officer.locator("#decide-agree summary").click()
    form = officer.locator("#decide-agree")
    form.get_by_label("Neighbourhood").select_option(label=str(neighbourhood))
    form.get_by_label("Category").select_option(label=str(category))
    form.get_by_label("Title", exact=True).fill("Speeding on St Stephen's Road at school time")
    form.get_by_label("Title for the public page (optional)").fill("Speeding by the primary school")
    form.get_by_label("Description").fill("Cars speeding past the school at pick-up, raised by residents.")
    form.get_by_role("button", name="Agree priority").click()

    # The duplicate question is its own step: its heading first, with focus, on the phone.
    heading = officer.get_by_role("heading", level=1, name="Is it one of these problems?")
    expect(heading).to_be_focused()
    assert heading.bounding_box()["y"] < PHONE["height"]
    expect(officer.get_by_role("button", name=f"Adopt {lookalike.reference} as the priority")).to_be_visible()
    check(officer, "meeting-agree-duplicates-phone")
    assert not MeetingItem.objects.exists()
    officer.get_by_role("button", name="It's new: agree it as a priority").click()
    officer.wait_for_url(re.compile(rf"/meetings/{held_meeting.pk}/#decisions$"))
    item = MeetingItem.objects.select_related("problem").get()
    assert item.problem != lookalike
    expect(officer.get_by_text("Awaiting the web editor")).to_be_visible()
    check(officer)

    publish(full=True)
    assert priority_page(item.problem) not in site_files(settings.PUBLIC_SITE_DIR)

    editor = new_page(DESK)
    sign_in(editor, "webeditor")
    card = editor.locator(f"#priority-{item.pk}")
    expect(card.get_by_role("heading", name="Speeding by the primary school")).to_be_visible()
    expect(card).to_contain_text("Speeding on St Stephen's Road at school time")
    expect(card.get_by_label("Title for the public page")).to_have_value("Speeding by the primary school")
    check(editor, "home-web-editor-pact-priority")
    card.get_by_label("Title for the public page").fill("Speeding near the primary school")
    card.get_by_label("What was agreed, for “You said, we did”").fill("Speeding near the school at pick-up time")
    card.get_by_role("button", name="Approve and publish").click()
    expect(editor.get_by_text(f"Priority {item.problem.reference} approved and published.")).to_be_visible()
    check(editor)

    problem = Problem.objects.get(pk=item.problem_id)
    assert problem.public_title == "Speeding near the primary school" and problem.adopted_on == held_meeting.date
    assert publishing.public_problems().filter(pk=problem.pk).exists()
    publish()
    html = site_files(settings.PUBLIC_SITE_DIR)[priority_page(problem)].decode()
    assert "Speeding near the primary school" in html and held_meeting.date.strftime("%-d %B %Y") in html
