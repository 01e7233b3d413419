"""PACT meetings (issue 10): an officer records a meeting on a phone-sized screen and agrees two priorities."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from jps.models import Meeting, MeetingItem, Source

from .browser import check, sign_in
from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def agree(page, title: str, public_title: str, neighbourhood, category) -> None:  # type: ignore[no-untyped-def]
    page.locator("#decide-agree summary").click()
    form = page.locator("#decide-agree")
    form.get_by_label("Neighbourhood").select_option(label=str(neighbourhood))
    form.get_by_label("Category").select_option(label=str(category))
    form.get_by_label("Title", exact=True).fill(title)
    form.get_by_label("Title for the public page (optional)").fill(public_title)
    form.get_by_label("Description").fill(f"{title}: raised by residents at the meeting.")
    form.get_by_role("button", name="Agree priority").click()
    page.get_by_role("listitem").filter(has_text=public_title).wait_for(state="visible")
    assert re.search(r"/meetings/\d+/#decisions$", page.url)


def test_officer_records_a_meeting_on_a_phone_and_agrees_two_priorities(
    new_page,
    pcso,
    neighbourhood,
    category,
    council,
    police,
):
    page = new_page(PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "pcso")
    page.get_by_role("button", name="Menu").click()  # on a phone the menu is behind its toggle
    page.get_by_role("link", name="Meetings").first.click()
    check(page)
    page.get_by_role("button", name="Record a meeting").click()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    page.get_by_label(str(neighbourhood)).check()
    page.get_by_label("Day").fill(str(yesterday.day))
    page.get_by_label("Month").fill(str(yesterday.month))
    page.get_by_label("Year").fill(str(yesterday.year))
    page.get_by_label("Start time").fill("19:00")
    page.get_by_label("End time (optional)").fill("20:30")
    # The venue was forgotten: the error is shown next to it and nothing typed is lost.
    page.get_by_label("Residents attending (optional)").fill("21")
    page.get_by_role("button", name="Save meeting").click()
    page.get_by_role("alert").filter(has_text="There is a problem").wait_for(state="visible")
    assert page.get_by_label("Residents attending (optional)").input_value() == "21"
    check(page, "meeting-record-error-phone")
    page.get_by_label("Venue (optional)").fill("Northgate Community Centre")
    page.get_by_label(council.name).check()
    page.get_by_label(police.name).check()
    page.get_by_label("Purpose and agenda (optional)").fill("Agree the ward's priorities.")
    check(page, "meeting-record-phone")
    page.get_by_role("button", name="Save meeting").click()
    page.wait_for_url(re.compile(r"/meetings/\d+/#decisions$"))
    assert "Meeting recorded" in page.content()

    agree(page, "Speeding on Military Road", "Speeding near the school", neighbourhood, category)
    agree(page, "Drug dealing in the park", "Drug dealing in Northgate park", neighbourhood, category)
    check(page, "meeting-priorities-phone")

    meeting = Meeting.objects.get()
    assert meeting.status == Meeting.Status.HELD and meeting.residents_attending == 21
    assert set(meeting.agencies.all()) == {council, police}
    items = list(MeetingItem.objects.filter(meeting=meeting).select_related("problem").order_by("id"))
    assert [i.problem.public_title for i in items] == ["Speeding near the school", "Drug dealing in Northgate park"]
    for item in items:
        assert item.kind == MeetingItem.Kind.AGREED and item.problem.source == Source.PACT_MEETING
        assert item.problem.adopted_on == yesterday and item.problem.public_priority
        assert item.problem.reference in page.content()

    page.get_by_role("link", name="Printable minutes").click()
    page.wait_for_url("**/minutes/")
    check(page, "meeting-minutes-phone")
    assert "Speeding near the school" in page.content() and "21" in page.content()
