"""The web editor's card for a PACT priority, its confirmation page, the duplicate step at the meeting, and
the same through the API (issue 22, point 6)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from jps import meetings, publishing
from jps.models import MeetingItem, Problem

from .. import factories as f
from ..frontend.test_error_messages import _django_words

pytestmark = pytest.mark.django_db

Publication = MeetingItem.Publication


@pytest.fixture
def pending(pcso, held_meeting, neighbourhood, category):  # type: ignore[no-untyped-def]
    return meetings.meeting_agree_new_priority(
        meeting=held_meeting,
        by=pcso,
        neighbourhood=neighbourhood,
        category=category,
        title="Speeding on St Stephen's Road",
        description="Cars speeding past the primary school at pick-up time.",
        public_title="Speeding by the primary school",
        summary="Speeding by the primary school at pick-up time",
    )


@pytest.fixture
def lookalike(pcso, neighbourhood, category):  # type: ignore[no-untyped-def]
    return f.ProblemFactory(
        owner=pcso,
        neighbourhood=neighbourhood,
        category=category,
        title="Speeding cars on St Stephen's Road",
        description="Cars speed past the school.",
    )


def card_field(item: MeetingItem, name: str) -> str:
    return f"priority-{item.pk}-{name}"


# --- the web editor's card ------------------------------------------------------------------------


def test_the_web_editors_card_shows_the_priority_and_the_words_to_publish(client, web_editor, pending):
    client.force_login(web_editor)
    page = client.get("/").content.decode()
    assert "Priorities from PACT meetings waiting for approval" in page
    card = page.split(f'id="priority-{pending.pk}"')[1].split("</form>")[0]
    assert "Speeding by the primary school" in card  # the title residents will read, as the card's title
    assert "Speeding on St Stephen&#x27;s Road" in card  # the priority's own title
    assert pending.problem.reference in card and pending.meeting.title in card
    assert 'value="Speeding by the primary school"' in card
    assert "Speeding by the primary school at pick-up time</textarea>" in card
    assert "Approve and publish" in card and "Do not publish" in card


def test_approving_from_the_card_publishes_the_edited_words(client, web_editor, pending):
    client.force_login(web_editor)
    response = client.post(
        f"/meetings/priorities/{pending.pk}/decide/",
        {
            card_field(pending, "public_title"): "Speeding near the school",
            card_field(pending, "summary"): "Speeding near the school at the start and end of the day",
            card_field(pending, "decision"): "approve",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert f"Priority {pending.problem.reference} approved and published." in client.get("/").content.decode()
    pending.refresh_from_db()
    assert pending.publication == Publication.APPROVED
    assert pending.summary == "Speeding near the school at the start and end of the day"
    assert Problem.objects.get(pk=pending.problem_id).public_title == "Speeding near the school"
    assert publishing.public_problems().filter(pk=pending.problem_id).exists()


def test_approving_with_the_title_removed_says_what_to_do(client, web_editor, pending):
    client.force_login(web_editor)
    response = client.post(
        f"/meetings/priorities/{pending.pk}/decide/",
        {card_field(pending, "public_title"): "", card_field(pending, "decision"): "approve"},
    )
    body = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in body
    assert "Enter the title for the public page" in body and "Enter what was agreed" in body
    assert not _django_words(body)
    response = client.post(f"/meetings/priorities/{pending.pk}/decide/", {})
    assert response.status_code == 400 and "Select whether to publish the priority" in response.content.decode()


def test_not_publishing_asks_why_and_the_officer_reads_it(client, web_editor, pcso, pending):
    client.force_login(web_editor)
    url = f"/meetings/priorities/{pending.pk}/decide/"
    confirm = client.post(url, {card_field(pending, "decision"): "reject"})
    body = confirm.content.decode()
    assert confirm.status_code == 200 and "Do not publish this priority?" in body
    assert "Why is this priority not being published?" in body
    pending.refresh_from_db()
    assert pending.publication == Publication.PENDING  # nothing decided until confirmed
    empty = client.post(url, {card_field(pending, "decision"): "reject", "confirm_reject": "1", "reason": ""})
    assert empty.status_code == 400 and "Enter why the priority is not being published" in empty.content.decode()
    reason = "The title names a pupil's family; agree a new one at the next meeting."
    done = client.post(url, {card_field(pending, "decision"): "reject", "confirm_reject": "1", "reason": reason})
    assert done.status_code == 302
    pending.refresh_from_db()
    assert pending.publication == Publication.REJECTED and pending.reason == reason
    client.force_login(pcso)
    record = client.get(f"/meetings/{pending.meeting_id}/").content.decode()
    assert "Not published" in record and "a pupil&#x27;s family" in record


def test_only_the_web_editor_decides(client, pcso, partner_user, pending):
    url = f"/meetings/priorities/{pending.pk}/decide/"
    body = {card_field(pending, "decision"): "approve", card_field(pending, "public_title"): "x"}
    client.force_login(pcso)
    assert client.post(url, body).status_code == 403
    client.force_login(partner_user)
    assert client.post(url, body).status_code == 404
    assert "waiting for approval" not in client.get("/").content.decode()
    pending.refresh_from_db()
    assert pending.publication == Publication.PENDING


def test_staff_see_that_the_priority_awaits_the_web_editor(client, pcso, web_editor, pending):
    client.force_login(pcso)
    page = client.get(f"/problems/{pending.problem_id}/").content.decode()
    assert "Public priority" in page and "Awaiting the web editor" in page
    record = client.get(f"/meetings/{pending.meeting_id}/").content.decode()
    assert "Awaiting the web editor" in record
    meetings.meeting_priority_decide(
        item=pending, by=web_editor, approve=True, public_title="Speeding", summary=pending.summary
    )
    assert "Awaiting the web editor" not in client.get(f"/problems/{pending.problem_id}/").content.decode()
    assert "Published" in client.get(f"/meetings/{pending.meeting_id}/").content.decode()


# --- the duplicate step at the meeting -------------------------------------------------------------


AGREE = {
    "agree-category": None,
    "agree-neighbourhood": None,
    "agree-title": "Speeding on St Stephen's Road",
    "agree-public_title": "Speeding by the school",
    "agree-description": "Cars speeding past the primary school at pick-up time.",
}


def agree_body(neighbourhood, category, **extra):  # type: ignore[no-untyped-def]
    return AGREE | {"agree-category": category.pk, "agree-neighbourhood": neighbourhood.pk} | extra


def test_agreeing_a_priority_like_an_open_problem_asks_first(
    client, pcso, held_meeting, neighbourhood, category, lookalike
):
    client.force_login(pcso)
    url = f"/meetings/{held_meeting.pk}/agree/"
    before = Problem.objects.count()
    response = client.post(url, agree_body(neighbourhood, category))
    body = response.content.decode()
    assert response.status_code == 200 and "Is it one of these problems?" in body
    assert f"Adopt {lookalike.reference} as the priority" in body
    assert f'formaction="/meetings/{held_meeting.pk}/adopt/"' in body
    assert Problem.objects.count() == before and not MeetingItem.objects.exists()

    # "Change the priority": back to the form on the meeting record, as typed.
    back = client.post(url, agree_body(neighbourhood, category, edit="1")).content.decode()
    assert "Record a decision" in back and 'value="Speeding by the school"' in back and "There is a problem" not in back

    # Adopt the open problem instead: it waits for the web editor, with the words the meeting agreed.
    adopt = client.post(
        f"/meetings/{held_meeting.pk}/adopt/",
        agree_body(neighbourhood, category)
        | {"adopt-problem": lookalike.pk, "adopt-summary": "Speeding by the school"},
    )
    assert adopt.status_code == 302
    item = MeetingItem.objects.get()
    assert item.problem == lookalike and item.summary == "Speeding by the school"
    assert item.publication == Publication.PENDING


def test_its_new_logs_the_priority_after_the_check(client, pcso, held_meeting, neighbourhood, category, lookalike):
    client.force_login(pcso)
    response = client.post(f"/meetings/{held_meeting.pk}/agree/", agree_body(neighbourhood, category, confirm_new="1"))
    assert response.status_code == 302
    item = MeetingItem.objects.get()
    assert item.problem != lookalike and item.problem.public_title == "Speeding by the school"


# --- the API ---------------------------------------------------------------------------------------


def api(user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_agrees_after_the_duplicate_check_and_the_web_editor_publishes(
    pcso, web_editor, held_meeting, neighbourhood, category, lookalike
):
    body = {
        "neighbourhood": neighbourhood.pk,
        "category": category.pk,
        "title": "Speeding on St Stephen's Road",
        "description": "Cars speeding past the primary school.",
        "public_title": "Speeding by the school",
    }
    refused = api(pcso).post(f"/api/meetings/{held_meeting.pk}/agree/", body, format="json")
    assert refused.status_code == 400 and lookalike.reference in refused.json()["confirm_new"][0]
    created = api(pcso).post(f"/api/meetings/{held_meeting.pk}/agree/", body | {"confirm_new": True}, format="json")
    assert created.status_code == 201
    item = created.json()
    assert item["publication"] == "pending" and item["publication_label"] == "Awaiting the web editor"

    [waiting] = api(web_editor).get("/api/meetings/awaiting-approval/").json()
    assert waiting["id"] == item["id"] and waiting["public_title"] == "Speeding by the school"
    assert waiting["adopted_on"] == held_meeting.date.isoformat()
    url = f"/api/meetings/{held_meeting.pk}/items/{item['id']}/publication/"
    assert api(pcso).post(url, {"approve": True, "public_title": "x", "summary": "y"}, format="json").status_code == 403
    no_reason = api(web_editor).post(url, {"approve": False}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    approved = api(web_editor).post(
        url, {"approve": True, "public_title": "Speeding near the school", "summary": "Speeding"}, format="json"
    )
    assert approved.status_code == 200 and approved.json()["publication"] == "approved"
    assert api(web_editor).get("/api/meetings/awaiting-approval/").json() == []
    again = api(web_editor).post(url, {"approve": False, "reason": "No"}, format="json")
    assert again.status_code == 400 and "not awaiting approval" in str(again.json())
    assert (
        api(web_editor)
        .post(f"/api/meetings/{held_meeting.pk}/items/999999/publication/", {"approve": True}, format="json")
        .status_code
        == 404
    )
