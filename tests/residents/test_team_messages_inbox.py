"""The team's inbox: only the neighbourhood's team sees a message (pages, API); assign, reply and close,
each audited, each email sent once; every read of a sender in the access log."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from jps import models as m
from jps import services
from tests import factories as f
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db

OUTSIDERS = ["other_officer", "other_supervisor", "partner_user", "call_handler", "analyst", "web_editor",
             "training_manager", "other_force_officer"]  # fmt: skip
SECRET = "ZZSENDER Philomena Gribble"


@pytest.fixture
def other_force_officer(db) -> m.User:  # type: ignore[no-untyped-def]
    force = f.ForceFactory(name="Sussex Police", slug="sussex")
    area = f.NeighbourhoodFactory(district=f.DistrictFactory(force=force, name="Brighton"), name="Kemptown")
    police = f.PoliceAgencyFactory(force=force, name="Sussex Police")
    return f.UserFactory(username="sussex_pcso", role=m.User.Role.OFFICER, agency=police, neighbourhoods=[area])


@pytest.fixture
def message(neighbourhood) -> m.TeamMessage:  # type: ignore[no-untyped-def]
    return services.team_message_create(
        neighbourhood=neighbourhood,
        sender_name=SECRET,
        sender_email="philomena@example.org",
        subject="Noise on the parade",
        body="ZZBODY shouting outside 4 Orchard Street every night",
    )


def _api(user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def _views(message: m.TeamMessage) -> list[tuple[int, str]]:
    return list(m.ProblemView.objects.filter(team_message=message).values_list("user_id", "channel"))


@pytest.mark.parametrize("who", OUTSIDERS)
def test_no_one_outside_the_team_sees_a_message(request, who, message, client):
    user = request.getfixturevalue(who)
    verified_login(client, user)
    assert client.get(reverse("team_message", args=[message.pk])).status_code == 404
    assert message.reference not in client.get(reverse("team_messages")).content.decode()
    assert client.post(reverse("team_message_decide", args=[message.pk, "reply"]), {"body": "x"}).status_code == 404
    api = _api(user)
    assert api.get("/api/team-messages/").json()["results"] == []
    assert api.get(f"/api/team-messages/{message.pk}/").status_code == 404
    assert api.post(f"/api/team-messages/{message.pk}/reply/", {"body": "x"}, format="json").status_code == 404
    assert not user.has_perm("jps.see_team_message", message)
    with pytest.raises(PermissionDenied):
        services.team_message_reply(message=message, by=user, body="x")
    assert _views(message) == [] and not message.replies.filter(kind="reply").exists()


@pytest.mark.parametrize("who", ["pcso", "supervisor", "admin_user"])
def test_the_team_sees_it_on_my_work_the_inbox_the_page_and_the_api_each_read_logged(request, who, message, client):
    user = request.getfixturevalue(who)
    verified_login(client, user)
    home = client.get(reverse("home")).content.decode()
    assert "1 message from residents waiting for a reply" in home
    inbox = client.get(reverse("team_messages")).content.decode()
    assert message.reference in inbox and "left" in inbox and SECRET not in inbox  # the list shows no sender
    assert _views(message) == []
    page = client.get(reverse("team_message", args=[message.pk])).content.decode()
    assert SECRET in page and "philomena@example.org" in page
    assert _views(message) == [(user.pk, "web")]
    listed = _api(user).get("/api/team-messages/?state=new").json()["results"]
    assert [r["sender_name"] for r in listed] == [SECRET]
    assert _api(user).get(f"/api/team-messages/{message.pk}/").status_code == 200
    assert sorted(_views(message)) == [(user.pk, "api"), (user.pk, "api"), (user.pk, "web")]


def test_assign_reply_close_are_audited_and_each_email_goes_once(message, pcso, supervisor, client):
    services.team_message_emails_send()  # the acknowledgement
    mail.outbox.clear()
    with pytest.raises(ValidationError):
        services.team_message_assign(message=message, by=supervisor, to=f.UserFactory(role=m.User.Role.OFFICER))
    services.team_message_assign(message=message, by=supervisor, to=pcso)
    message.refresh_from_db()
    assert message.state == "assigned" and message.assigned_to == pcso
    verified_login(client, pcso)
    mine = client.get(reverse("team_messages") + "?view=mine").content.decode()
    assert message.reference in mine
    response = client.post(reverse("team_message_decide", args=[message.pk, "reply"]), {"body": "ZZREPLY we will"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.state == "answered" and message.answered_by == pcso and message.first_response_at
    assert services.team_message_emails_send() == 1
    assert services.team_message_emails_send() == 0
    (reply,) = mail.outbox
    assert reply.to == ["philomena@example.org"] and "ZZREPLY we will" in reply.body
    assert message.reference in reply.subject
    # A follow-up keeps the first reply's time and author.
    first = message.first_response_at
    services.team_message_reply(message=message, by=supervisor, body="And another thing")
    message.refresh_from_db()
    assert message.first_response_at == first and message.answered_by == pcso
    services.team_message_close(message=message, by=pcso)
    message.refresh_from_db()
    assert message.state == "closed" and message.close_reason == "answered"
    with pytest.raises(ValidationError):
        services.team_message_reply(message=message, by=pcso, body="too late")
    history = list(message.history.order_by("history_id").values_list("state", "history_user_id"))
    assert history == [
        ("new", None),
        ("assigned", supervisor.pk),
        ("answered", pcso.pk),
        ("answered", supervisor.pk),
        ("closed", pcso.pk),
    ]
    replies = m.TeamMessageReply.history.filter(message_id=message.pk, kind="reply")
    assert sorted(replies.values_list("history_user_id", flat=True)) == sorted([pcso.pk, supervisor.pk])


def test_closing_without_a_reply_needs_a_reason_and_two_closes_cannot_both_win(message, pcso, client):
    verified_login(client, pcso)
    response = client.post(reverse("team_message_decide", args=[message.pk, "close"]), {})
    assert response.status_code == 400
    assert "Select why you are closing it without a reply" in response.content.decode()
    with pytest.raises(ValidationError):
        services.team_message_close(message=message, by=pcso, reason="answered")
    response = client.post(reverse("team_message_decide", args=[message.pk, "close"]), {"reason": "spam"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.state == "closed" and message.close_reason == "spam" and message.closed_by == pcso
    with pytest.raises(ValidationError):
        services.team_message_close(message=message, by=pcso, reason="spam")


def test_the_api_assigns_replies_and_closes(message, pcso, other_officer):
    api = _api(pcso)
    refused = api.post(f"/api/team-messages/{message.pk}/assign/", {"assigned_to": other_officer.pk}, format="json")
    assert refused.status_code == 400
    assigned = api.post(f"/api/team-messages/{message.pk}/assign/", {"assigned_to": pcso.pk}, format="json")
    assert assigned.status_code == 200 and assigned.json()["state"] == "assigned"
    assert [r["reference"] for r in api.get("/api/team-messages/?mine=1").json()["results"]] == [message.reference]
    replied = api.post(f"/api/team-messages/{message.pk}/reply/", {"body": "Thank you"}, format="json")
    assert replied.status_code == 201 and replied.json()["state"] == "answered"
    closed = api.post(f"/api/team-messages/{message.pk}/close/", {}, format="json")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    again = api.post(f"/api/team-messages/{message.pk}/reply/", {"body": "x"}, format="json")
    assert again.status_code == 400
