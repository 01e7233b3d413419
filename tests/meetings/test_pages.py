"""Staff pages for meetings: scoped, permission-checked, and the minutes hold no residents' details."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jps import meetings
from jps.models import Meeting, MeetingItem, Source

pytestmark = pytest.mark.django_db


def test_list_shows_meetings_and_the_standard(client, supervisor, held_meeting, neighbourhood):
    client.force_login(supervisor)
    page = client.get("/meetings/").content.decode()
    assert held_meeting.title in page
    assert 'id="meeting-standard"' in page and "None booked" in page  # nothing scheduled yet


def test_record_a_meeting_then_agree_a_priority(client, pcso, neighbourhood, category, council):
    client.force_login(pcso)
    assert client.get("/meetings/new/").status_code == 200
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        "/meetings/new/",
        {
            "neighbourhoods": [neighbourhood.pk],
            "date": yesterday.isoformat(),
            "starts": "19:00",
            "ends": "20:30",
            "venue": "Northgate Community Centre",
            "agencies": [council.pk],
            "residents_attending": "18",
            "public_agenda": "Priorities",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/meetings/{meeting.pk}/#decisions")
    assert meeting.status == "held" and meeting.chair == pcso and meeting.residents_attending == 18
    assert timezone.localtime(meeting.starts_at).hour == 19

    response = client.post(
        f"/meetings/{meeting.pk}/agree/",
        {
            "agree-neighbourhood": neighbourhood.pk,
            "agree-category": category.pk,
            "agree-title": "Speeding on Military Road",
            "agree-description": "Cars speeding at school time.",
        },
    )
    assert response.status_code == 302
    item = MeetingItem.objects.get()
    assert item.problem.source == Source.PACT_MEETING and item.problem.adopted_on == yesterday
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert item.problem.reference in page


def test_form_errors_are_shown_not_500(client, pcso, neighbourhood, held_meeting):
    client.force_login(pcso)
    response = client.post("/meetings/new/", {"neighbourhoods": [neighbourhood.pk], "date": "not a date"})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    response = client.post(f"/meetings/{held_meeting.pk}/agree/", {"agree-title": ""})
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    response = client.post(f"/meetings/{held_meeting.pk}/nonsense/", {})
    assert response.status_code == 404


def test_permissions_on_pages(client, other_officer, partner_user, held_meeting):
    client.force_login(other_officer)
    assert client.get(f"/meetings/{held_meeting.pk}/").status_code == 404
    client.force_login(partner_user)
    assert client.get(f"/meetings/{held_meeting.pk}/").status_code == 200
    assert client.get("/meetings/new/").status_code == 403
    assert client.get(f"/meetings/{held_meeting.pk}/edit/").status_code == 403
    assert client.post(f"/meetings/{held_meeting.pk}/raise/", {"raise-summary": "x"}).status_code == 403


def test_minutes_hold_no_personal_data_of_residents(client, pcso, held_meeting):
    meetings.meeting_raise(
        meeting=held_meeting,
        by=pcso,
        summary="Parking on the pavement",
        public_response="Referred to the council.",
        note="Raised by Mr Smith of 12 Kings Road",
    )
    client.force_login(pcso)
    minutes = client.get(f"/meetings/{held_meeting.pk}/minutes/").content.decode()
    assert "Parking on the pavement" in minutes and "Referred to the council." in minutes
    assert "23" in minutes and "Community chair" in minutes
    for private in ("Margaret", "Jane", "Station Road", "Mr Smith", "Kings Road"):
        assert private not in minutes, private
    record = client.get(f"/meetings/{held_meeting.pk}/").content.decode()
    assert "Mr Smith" in record  # the internal record keeps the note, for staff only


def test_edit_a_meeting(client, pcso, held_meeting, neighbourhood):
    client.force_login(pcso)
    assert client.get(f"/meetings/{held_meeting.pk}/edit/").status_code == 200
    local = timezone.localtime(held_meeting.starts_at)
    response = client.post(
        f"/meetings/{held_meeting.pk}/edit/",
        {
            "neighbourhoods": [neighbourhood.pk],
            "date": local.date().isoformat(),
            "starts": local.strftime("%H:%M"),
            "venue": "Northgate Library",
            "residents_attending": "30",
            "status": "held",
        },
    )
    assert response.status_code == 302
    held_meeting.refresh_from_db()
    assert held_meeting.venue == "Northgate Library" and held_meeting.residents_attending == 30
    assert held_meeting.chair_name == "" and held_meeting.chair == pcso


def test_supervisors_page_shows_the_meeting_standard(client, supervisor, pcso, held_meeting, neighbourhood):
    client.force_login(supervisor)
    page = client.get("/").content.decode()
    assert 'id="meeting-standard-panel"' in page
    assert f"{neighbourhood.display_name}: last met" in page and "no next meeting booked" in page
    meetings.meeting_create(
        by=pcso, neighbourhoods=[neighbourhood], starts_at=timezone.now() + datetime.timedelta(days=20), venue="Hall"
    )
    assert "Every neighbourhood in your districts has met" in client.get("/").content.decode()
    client.force_login(pcso)
    assert 'id="meeting-standard-panel"' not in client.get("/").content.decode()
