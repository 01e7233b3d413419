"""Hole 4 of issue 16: meeting records leaked what a viewer may not see.

A partner of another agency sat on the same neighbourhood's meetings could read, on the
API and the pages, the title and the carried-over progress note of a priority its agency
takes no part in, and the meeting's internal notes. Items about a problem the viewer may
not see now show neither (``jps.meetings.meeting_items_for``, from the one visibility
rule), and a meeting's internal notes are for police staff of its district
(``jps.rules.can_view_meeting_internal_notes``).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from jps import meetings
from jps import models as m

from .. import factories as f

pytestmark = pytest.mark.django_db

TITLE = "Drug dealing from the back of 9 Mill Lane"
PROGRESS = "Informant says the tenant of 9 Mill Lane deals after 10pm"
INTERNAL = "Mrs Jane Resident of 4 Station Road fears reprisals"
RAISED_NOTE = "Raised by Mr Smith of 12 Kings Road"
SECRETS = (TITLE, PROGRESS, INTERNAL, RAISED_NOTE)


@pytest.fixture
def meeting(pcso, neighbourhood, police, council, housing) -> m.Meeting:  # type: ignore[no-untyped-def]
    starts = (timezone.now() - datetime.timedelta(days=7)).replace(hour=19, minute=0, second=0, microsecond=0)
    return meetings.meeting_create(
        by=pcso,
        neighbourhoods=[neighbourhood],
        starts_at=starts,
        venue="Northgate Community Centre",
        agencies=[police, council, housing],
        public_agenda="Agree the ward's priorities.",
        notes=INTERNAL,
    )


@pytest.fixture
def carried_over(pcso, meeting, neighbourhood, category, council) -> m.MeetingItem:  # type: ignore[no-untyped-def]
    """A public priority the council takes part in (not housing), carried over with a progress note."""
    problem = f.ProblemFactory(
        owner=pcso,
        neighbourhood=neighbourhood,
        category=category,
        title=TITLE,
        public_priority=True,
        adopted_on=meeting.date,
    )
    m.Participation.objects.create(problem=problem, agency=council)
    meetings.meeting_raise(meeting=meeting, by=pcso, summary="Parking on the pavement", note=RAISED_NOTE)
    return meetings.meeting_carry_over(meeting=meeting, by=pcso, problem=problem, progress_note=PROGRESS)


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def pages(client: Any, user: Any, meeting: m.Meeting) -> dict[str, str]:
    client.force_login(user)
    found = {}
    for name, url in (("record", f"/meetings/{meeting.pk}/"), ("minutes", f"/meetings/{meeting.pk}/minutes/")):
        response = client.get(url)
        assert response.status_code == 200, url
        found[name] = response.content.decode()
    return found


def _item(detail: dict[str, Any], item: m.MeetingItem) -> dict[str, Any]:
    return next(row for row in detail["items"] if row["id"] == item.pk)


# --- items about a problem the viewer may not see ----------------------------------------------------


def test_api_hides_an_item_about_a_problem_of_another_agency(other_partner, meeting, carried_over):
    detail = api(other_partner).get(f"/api/meetings/{meeting.pk}/")
    assert detail.status_code == 200
    body = detail.content.decode()
    for secret in SECRETS:
        assert secret not in body, secret
    assert carried_over.problem.reference not in body
    row = _item(detail.json(), carried_over)
    assert row["restricted"] is True and row["kind"] == "carried_over"
    assert row["problem"] is None and row["problem_reference"] is None
    assert row["note"] == "" and row["summary"] == meetings.RESTRICTED_ITEM
    listed = api(other_partner).get("/api/meetings/")
    assert [row["id"] for row in listed.json()["results"]] == [meeting.pk]
    for secret in SECRETS:
        assert secret not in listed.content.decode(), secret


def test_pages_hide_an_item_about_a_problem_of_another_agency(client, other_partner, meeting, carried_over):
    for name, html in pages(client, other_partner, meeting).items():
        for secret in SECRETS:
            assert secret not in html, (name, secret)
        assert carried_over.problem.reference not in html, name
        assert meetings.RESTRICTED_ITEM in html, name
        assert "Parking on the pavement" in html, name  # what residents raised is the meeting's, not a problem's


def test_a_partner_taking_part_sees_the_item_but_not_the_internal_notes(client, partner_user, meeting, carried_over):
    detail = api(partner_user).get(f"/api/meetings/{meeting.pk}/").json()
    assert detail["notes"] is None
    row = _item(detail, carried_over)
    assert row["restricted"] is False and row["summary"] == TITLE and row["note"] == PROGRESS
    assert row["problem"] == carried_over.problem_id
    assert row["problem_reference"] == carried_over.problem.reference
    assert detail["notes"] is None
    listed = api(partner_user).get("/api/meetings/").json()["results"]
    assert listed[0]["notes"] is None
    found = pages(client, partner_user, meeting)
    assert TITLE in found["record"] and PROGRESS in found["record"] and TITLE in found["minutes"]
    assert PROGRESS not in found["minutes"]  # the minutes never carry internal notes
    for html in found.values():
        assert INTERNAL not in html and RAISED_NOTE not in html


# --- a meeting's internal notes -------------------------------------------------------------------


def test_police_staff_of_the_district_see_the_internal_notes(client, pcso, supervisor, meeting, carried_over):
    for user in (pcso, supervisor):
        detail = api(user).get(f"/api/meetings/{meeting.pk}/").json()
        assert detail["notes"] == INTERNAL
        assert _item(detail, carried_over)["note"] == PROGRESS
        assert api(user).get("/api/meetings/").json()["results"][0]["notes"] == INTERNAL
        found = pages(client, user, meeting)
        assert INTERNAL in found["record"] and RAISED_NOTE in found["record"] and PROGRESS in found["record"]
        assert INTERNAL not in found["minutes"]


def test_staff_outside_the_district_do_not_see_the_internal_notes(
    client, other_officer, other_supervisor, analyst, web_editor, call_handler, meeting, carried_over
):
    for user in (other_officer, other_supervisor):  # officers of another district do not see the meeting at all
        assert api(user).get(f"/api/meetings/{meeting.pk}/").status_code == 404
        assert api(user).get("/api/meetings/").json()["results"] == []
    for user in (analyst, web_editor, call_handler):  # the force's meetings, not its internal notes
        detail = api(user).get(f"/api/meetings/{meeting.pk}/")
        assert detail.status_code == 200 and detail.json()["notes"] is None
        assert INTERNAL not in detail.content.decode() and RAISED_NOTE not in detail.content.decode()
        assert INTERNAL not in api(user).get("/api/meetings/").content.decode()
        for html in pages(client, user, meeting).values():
            assert INTERNAL not in html and RAISED_NOTE not in html


def test_an_officer_of_a_second_district_at_a_joint_meeting_sees_its_notes_but_not_the_other_districts_problem(
    pcso, other_officer, neighbourhood, other_neighbourhood, category
):
    joint = meetings.meeting_create(
        by=pcso,
        neighbourhoods=[neighbourhood],
        starts_at=timezone.now() - datetime.timedelta(days=2),
        venue="Hall",
        notes=INTERNAL,
    )
    joint.neighbourhoods.add(other_neighbourhood)  # a joint meeting with Dover (recorded by its own officers)
    problem = f.ProblemFactory(
        owner=pcso,
        neighbourhood=neighbourhood,
        category=category,
        title=TITLE,
        public_priority=True,
        adopted_on=joint.date,
    )
    item = meetings.meeting_carry_over(meeting=joint, by=pcso, problem=problem, progress_note=PROGRESS)
    detail = api(other_officer).get(f"/api/meetings/{joint.pk}/")
    assert detail.status_code == 200 and detail.json()["notes"] == INTERNAL
    assert TITLE not in detail.content.decode() and PROGRESS not in detail.content.decode()
    assert _item(detail.json(), item)["restricted"] is True


def test_the_rule_and_the_selector_answer_in_a_fixed_number_of_queries(
    django_assert_max_num_queries, other_partner, pcso, meeting, carried_over, neighbourhood, category
):
    for n in range(5):
        problem = f.ProblemFactory(
            owner=pcso, neighbourhood=neighbourhood, category=category, public_priority=True, adopted_on=meeting.date
        )
        meetings.meeting_carry_over(meeting=meeting, by=pcso, problem=problem, progress_note=f"note {n}")
    loaded = meetings.meeting_detail(other_partner, meeting.pk)
    with django_assert_max_num_queries(1):
        seen = meetings.meeting_items_for(other_partner, loaded)
    assert sum(item.restricted for item in seen) == 6
    assert meetings.meeting_notes_for(other_partner, loaded) is None
    assert meetings.meeting_notes_for(pcso, meetings.meeting_detail(pcso, meeting.pk)) == INTERNAL


def test_the_public_export_carries_no_internal_note(pcso, meeting, carried_over, neighbourhood):
    page = meetings.public_meetings_for_neighbourhood(neighbourhood=neighbourhood)
    text = repr(page)
    for secret in (PROGRESS, INTERNAL, RAISED_NOTE):
        assert secret not in text, secret
    assert "Parking on the pavement" in text
