"""Contact the neighbourhood team: the resident's form, its messages, the limits, the honeypot, the acknowledgement."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from jps import models as m
from jps import services
from tests.csp import inline_code

pytestmark = pytest.mark.django_db

MESSAGE = {"name": "Gwen Resident", "email": "Gwen@Example.com", "topic": "question", "subject": "Parking",
           "body": "Vans on the pavement outside the school every morning."}  # fmt: skip


def _url(area: m.Neighbourhood) -> str:
    return reverse("team_message_form", args=[area.district.force.slug, area.district.slug, area.slug])


def _post(client, area, **extra):  # type: ignore[no-untyped-def]
    return client.post(_url(area), {**MESSAGE, **extra})


def test_the_form_is_csp_clean_names_the_team_and_needs_no_sign_in(client, neighbourhood):
    response = client.get(_url(neighbourhood))
    assert response.status_code == 200
    page = response.content.decode()
    assert neighbourhood.display_name in page and "within 24 hours" in page
    assert inline_code(page) == []
    assert client.get(reverse("team_message_form", args=["no", "such", "place"])).status_code == 404


def test_a_message_is_stored_acknowledged_once_with_its_reference(client, neighbourhood, settings):
    neighbourhood.team_email = "northgate.team@police.example"
    neighbourhood.save()
    response = _post(client, neighbourhood)
    assert response.status_code == 302
    message = m.TeamMessage.objects.get()
    assert message.neighbourhood == neighbourhood and message.state == "new"
    assert message.sender_email == "gwen@example.com" and message.reference.startswith("M-")
    assert message.reference in client.get(response["Location"]).content.decode()
    assert message.history.count() == 1
    assert services.team_message_emails_send() == 1
    assert services.team_message_emails_send() == 0  # once
    (ack,) = mail.outbox
    assert ack.to == ["gwen@example.com"] and message.reference in ack.subject
    assert "within 24 hours" in ack.body and ack.reply_to == ["northgate.team@police.example"]
    assert ack.from_email == settings.DEFAULT_FROM_EMAIL


def test_govuk_messages(client, neighbourhood):
    response = client.post(_url(neighbourhood), {"email": "nope"})
    assert response.status_code == 400
    page = response.content.decode()
    for text in [
        "There is a problem",
        "Enter your name",
        "Enter an email address in the correct format, like name@example.com",
        "Select what your message is about",
        "Enter a subject",
        "Enter your message",
    ]:
        assert text in page, text
    assert "Enter your email address, so the team can reply" in _post(client, neighbourhood, email="").content.decode()
    assert not m.TeamMessage.objects.exists()


def test_the_per_address_limit(client, neighbourhood, settings):
    settings.JPS_TEAM_MESSAGES_PER_ADDRESS = "2/hour"
    assert [_post(client, neighbourhood).status_code for _ in range(2)] == [302, 302]
    refused = _post(client, neighbourhood)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Too many messages from your connection" in refused.content.decode()
    assert m.TeamMessage.objects.count() == 2
    assert client.post(_url(neighbourhood), MESSAGE, REMOTE_ADDR="203.0.113.9").status_code == 302


def test_the_recipient_limit_keeps_the_message_but_sends_no_more_acknowledgements(client, neighbourhood, settings):
    settings.JPS_PUBLIC_EMAILS_PER_RECIPIENT = "1/hour"
    for _ in range(2):
        assert _post(client, neighbourhood).status_code == 302
    assert m.TeamMessage.objects.count() == 2
    assert m.TeamMessageReply.objects.filter(kind="ack").count() == 1


def test_the_honeypot_answers_as_usual_and_keeps_nothing(client, neighbourhood):
    response = _post(client, neighbourhood, website="http://spam.example")
    assert response.status_code == 302
    assert "Message sent" in client.get(response["Location"]).content.decode()
    assert not m.TeamMessage.objects.exists() and mail.outbox == []
