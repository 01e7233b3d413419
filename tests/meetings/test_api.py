"""/api/meetings/: the same rules as the services, as JSON, with clear errors."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from jps import meetings
from jps.models import Meeting, MeetingItem, Source

from .. import factories as f

pytestmark = pytest.mark.django_db


def client_for(user):  # type: ignore[no-untyped-def]
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_list_and_detail_are_scoped(pcso, other_officer, partner_user, held_meeting, neighbourhood, category):
    item = meetings.meeting_agree_new_priority(
        meeting=held_meeting,
        by=pcso,
        neighbourhood=neighbourhood,
        category=category,
        title="Speeding",
        description="Cars speeding",
    )
    body = client_for(pcso).get("/api/meetings/").json()
    assert [m["id"] for m in body["results"]] == [held_meeting.pk]
    assert client_for(other_officer).get("/api/meetings/").json()["results"] == []
    assert client_for(other_officer).get(f"/api/meetings/{held_meeting.pk}/").status_code == 404
    assert client_for(None).get("/api/meetings/").status_code in (401, 403)

    detail = client_for(pcso).get(f"/api/meetings/{held_meeting.pk}/").json()
    assert detail["residents_attending"] == 23 and detail["neighbourhood_names"] == ["Northgate"]
    assert detail["items"][0]["problem"] == item.problem_id
    assert detail["items"][0]["problem_reference"] == item.problem.reference
    partner_view = client_for(partner_user).get(f"/api/meetings/{held_meeting.pk}/").json()
    assert partner_view["items"][0]["problem"] is None and partner_view["items"][0]["problem_reference"] is None
    assert partner_view["items"][0]["restricted"] is True  # the council takes no part: no title either
    assert "Speeding" not in str(partner_view["items"])


def test_list_filters_and_bad_filters(pcso, held_meeting, neighbourhood):
    api = client_for(pcso)
    assert len(api.get(f"/api/meetings/?neighbourhood={neighbourhood.pk}&status=held").json()["results"]) == 1
    assert api.get("/api/meetings/?status=scheduled").json()["results"] == []
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert api.get(f"/api/meetings/?from={tomorrow}").json()["results"] == []
    assert len(api.get(f"/api/meetings/?to={tomorrow}").json()["results"]) == 1
    for query, field in [("status=nope", "status"), ("from=31-12-2026", "from"), ("neighbourhood=x", "neighbourhood")]:
        response = api.get(f"/api/meetings/?{query}")
        assert response.status_code == 400 and field in response.json()


def test_record_a_meeting_and_agree_a_priority(pcso, neighbourhood, category, council):
    api = client_for(pcso)
    starts = (timezone.now() - datetime.timedelta(hours=3)).replace(microsecond=0)
    response = api.post(
        "/api/meetings/",
        {
            "neighbourhoods": [neighbourhood.pk],
            "starts_at": starts.isoformat(),
            "venue": "Northgate Community Centre",
            "agencies": [council.pk],
            "residents_attending": 17,
            "public_agenda": "Priorities",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    meeting = response.json()
    assert meeting["status"] == "held" and meeting["agencies"] == [council.pk]

    agreed = api.post(
        f"/api/meetings/{meeting['id']}/agree/",
        {
            "neighbourhood": neighbourhood.pk,
            "category": category.pk,
            "title": "Drug dealing at the rec",
            "description": "Dealing by the pavilion in the evenings.",
            "public_title": "Drug dealing at the recreation ground",
        },
        format="json",
    )
    assert agreed.status_code == 201, agreed.json()
    item = MeetingItem.objects.get(pk=agreed.json()["id"])
    assert item.problem.source == Source.PACT_MEETING and item.problem.adopted_on == timezone.localdate(starts)
    assert agreed.json()["problem_reference"] == item.problem.reference

    carried = api.post(
        f"/api/meetings/{meeting['id']}/carry-over/",
        {"problem": item.problem_id, "progress_note": "Patrols started"},
        format="json",
    )
    assert carried.status_code == 201 and carried.json()["kind"] == "carried_over"
    again = api.post(
        f"/api/meetings/{meeting['id']}/carry-over/",
        {"problem": item.problem_id, "progress_note": "Again"},
        format="json",
    )
    assert again.status_code == 400 and "problem" in again.json()
    signed = api.post(
        f"/api/meetings/{meeting['id']}/sign-off/", {"problem": item.problem_id, "public_outcome": "-"}, format="json"
    )
    assert signed.status_code == 400 and "response" in signed.json()["problem"][0]
    raised = api.post(f"/api/meetings/{meeting['id']}/raise/", {"summary": "Dog fouling"}, format="json")
    assert raised.status_code == 201 and raised.json()["problem"] is None


def test_writes_follow_the_permission_rules(
    pcso, other_officer, partner_user, supervisor, held_meeting, neighbourhood, other_neighbourhood
):
    patch = {"residents_attending": 40}
    assert client_for(other_officer).patch(f"/api/meetings/{held_meeting.pk}/", patch, format="json").status_code == 404
    assert client_for(partner_user).patch(f"/api/meetings/{held_meeting.pk}/", patch, format="json").status_code == 403
    response = client_for(supervisor).patch(f"/api/meetings/{held_meeting.pk}/", patch, format="json")
    assert response.status_code == 200 and response.json()["residents_attending"] == 40
    new = {"neighbourhoods": [neighbourhood.pk], "starts_at": timezone.now().isoformat(), "online": True}
    assert client_for(partner_user).post("/api/meetings/", new, format="json").status_code == 403
    elsewhere = new | {"neighbourhoods": [other_neighbourhood.pk]}
    response = client_for(pcso).post("/api/meetings/", elsewhere, format="json")
    assert response.status_code == 400 and "neighbourhoods" in response.json()
    hidden = f.ProblemFactory(neighbourhood=other_neighbourhood)
    response = client_for(pcso).post(f"/api/meetings/{held_meeting.pk}/adopt/", {"problem": hidden.pk}, format="json")
    assert response.status_code == 400 and "problem" in response.json()  # out of sight: as if it did not exist


def test_bad_input_is_a_clear_400(pcso, neighbourhood):
    api = client_for(pcso)
    for body, field in [
        ({"neighbourhoods": [neighbourhood.pk], "starts_at": "yesterday", "online": True}, "starts_at"),
        ({"neighbourhoods": [neighbourhood.pk], "starts_at": timezone.now().isoformat()}, "venue"),
        ({"neighbourhoods": [999999], "starts_at": timezone.now().isoformat(), "online": True}, "neighbourhoods"),
        (
            {"neighbourhoods": [neighbourhood.pk], "starts_at": timezone.now().isoformat(), "residents_attending": -1},
            "residents_attending",
        ),
    ]:
        response = api.post("/api/meetings/", body, format="json")
        assert response.status_code == 400 and field in response.json(), response.json()
    assert not Meeting.objects.exists()


def test_standard_lists_the_users_failing_neighbourhoods(supervisor, neighbourhood, other_neighbourhood):
    body = client_for(supervisor).get("/api/meetings/standard/").json()
    assert [n["name"] for n in body] == [neighbourhood.display_name]
    assert body[0]["last_meeting_at"] is None and body[0]["next_meeting_at"] is None


def test_odd_ids_and_dates_are_404_or_400_never_500(pcso, held_meeting):
    api = client_for(pcso)
    for url in ["/api/meetings/abc/", "/api/meetings/99999999999999999999/", "/api/meetings/%C2%B2/"]:
        assert api.get(url).status_code == 404, url
    for query in ["neighbourhood=%C2%B2", "from=0001-01-01T00:00:00%2B22:00", "to=9999-12-31T23:59:59-23:00"]:
        assert api.get(f"/api/meetings/?{query}").status_code in (200, 400), query
    assert api.get("/api/meetings/?neighbourhood=99999999999999").json()["results"] == []
