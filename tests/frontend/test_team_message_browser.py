"""A message to the neighbourhood team from end to end (issue 20), in Chromium: the resident writes on a phone
and is acknowledged with a reference; the PCSO finds it from "My work", takes it and replies; the resident
receives the reply by email. Each page is checked (axe, fit on the screen, CSP) on the way.
"""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import expect

from jps import models as m
from tasks import residents as resident_tasks

from .browser import check, sign_in
from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _send() -> int:
    """What the worker does on its schedule (and when a service queues it), run here in the test's process."""
    return int(resident_tasks.send_team_message_emails.apply().get()["sent"])


def test_a_resident_writes_to_the_team_the_pcso_takes_it_and_replies(new_page, pcso, neighbourhood):
    area = neighbourhood
    resident = new_page(PHONE, is_mobile=True, has_touch=True)
    resident.goto(f"/contact/{area.district.force.slug}/{area.district.slug}/{area.slug}/")
    expect(resident.get_by_role("heading", level=1)).to_contain_text("Send a message to the")
    resident.get_by_label("Your name").fill("Gwen Resident")
    resident.get_by_label("Your email address").fill("gwen@example.com")
    resident.get_by_label("A question for the team").check()
    resident.get_by_label("Subject").fill("Next PACT meeting")
    resident.get_by_label("Your message").fill("When and where is the next meeting? I want to raise the parking.")
    check(resident)
    resident.get_by_role("button", name="Send message").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("Message sent")
    message = m.TeamMessage.objects.get()
    expect(resident.locator(".reference")).to_have_text(message.reference)
    check(resident, "team-message-sent-phone")
    assert _send() == 1 and message.reference in mail.outbox[-1].subject

    officer = new_page(PHONE, is_mobile=True, has_touch=True)
    sign_in(officer, "pcso")
    officer.get_by_role("link", name="1 message from residents waiting for a reply").click()
    expect(officer.locator("#team-messages")).to_contain_text(message.reference)
    check(officer, "team-messages-inbox-phone")
    officer.get_by_role("link", name=message.reference).click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Next PACT meeting")
    check(officer)
    officer.get_by_role("button", name="Assign").click()
    expect(officer.get_by_text(f"Message {message.reference} assigned to")).to_be_visible()
    officer.get_by_label("Your reply").fill("Thursday 7pm at the community centre. See you there.")
    officer.get_by_role("button", name="Send reply").click()
    expect(officer.get_by_text(f"Your reply to {message.reference} is on its way")).to_be_visible()
    check(officer, "team-message-answered-phone")
    message.refresh_from_db()
    assert message.state == "answered" and message.answered_by == pcso

    assert _send() == 1
    reply = mail.outbox[-1]
    assert reply.to == ["gwen@example.com"] and "Thursday 7pm" in reply.body and len(mail.outbox) == 2
