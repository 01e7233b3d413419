"""The contact pages: the problem page's agreements, agree / change / record forms, closure's GOV.UK error."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from jps import models as m
from jps import services
from tests.frontend import helpers as h

pytestmark = pytest.mark.django_db


def page(client, user, url, data=None):  # type: ignore[no-untyped-def]
    client.force_login(user)
    response = client.post(url, data) if data is not None else client.get(url)
    return response, response.content.decode()


@pytest.fixture
def sharon(problem, pcso) -> m.ProblemPerson:  # type: ignore[no-untyped-def]
    person = services.person_create(by=pcso, name="Sharon Doyle")
    return services.problem_person_link(problem=problem, person=person, role="victim", by=pcso)


@pytest.fixture
def contact(sharon, pcso) -> m.Contact:  # type: ignore[no-untyped-def]
    return services.contact_agree(
        link=sharon, by=pcso, preferred_method="phone", contact_every_days=7, times_to_avoid="not after 8pm"
    )


def test_the_problem_page_shows_each_agreement_its_next_date_and_latest_contacts(client, problem, contact, pcso):
    for n in range(4):
        services.contact_log(contact=contact, by=pcso, method="phone", summary=f"Call number {n}", reached=True)
    m.Contact.objects.filter(pk=contact.pk).update(next_contact_due=timezone.localdate() - datetime.timedelta(days=3))
    _, body = page(client, pcso, reverse("problem", args=[problem.pk]))
    assert (
        "Sharon Doyle" in body
        and "By phone every 7 days" in body
        and "Times to avoid" in body
        and "not after 8pm" in body
    )
    assert "Overdue 3 days" in body
    assert "Call number 3" in body and "Call number 1" in body and "Call number 0" not in body  # the latest three
    assert "All 4 contacts" in body
    assert reverse("contact_agree", args=[problem.pk]) in body
    assert reverse("contact_record", args=[problem.pk, contact.pk]) in body
    assert reverse("contact_change", args=[problem.pk, contact.pk]) in body
    assert "Not yet: needed before the problem closes" in body


def test_agree_contact_on_its_page(client, problem, sharon, pcso):
    url = reverse("contact_agree", args=[problem.pk])
    response, body = page(client, pcso, url)
    assert response.status_code == 200 and "Sharon Doyle (victim)" in body
    response, body = page(client, pcso, url, {"sent": "1"})
    assert response.status_code == 200 and "There is a problem" in body
    for message in ("Select who the agreement is with", "Select how they want to be contacted"):
        assert message in body
    assert "Enter how often to contact them, in days" in body
    data = {"person": sharon.pk, "preferred_method": "visit", "contact_every_days": "0", "times_to_avoid": "Sundays"}
    response, body = page(client, pcso, url, data)
    assert "How often, in days must be between 1 and 365" in body and 'value="Sundays"' in body
    assert not m.Contact.objects.exists()
    response, _ = page(client, pcso, url, {**data, "contact_every_days": "14"})
    assert response.status_code == 302 and response["Location"].endswith("#contacts")
    agreed = m.Contact.objects.get()
    assert (agreed.link, agreed.preferred_method, agreed.contact_every_days) == (sharon, "visit", 14)
    _, body = page(client, pcso, url)
    assert "already has a contact agreement, or nobody is linked yet" in body


def test_record_a_contact_on_its_page(client, problem, contact, pcso):
    url = reverse("contact_record", args=[problem.pk, contact.pk])
    response, body = page(client, pcso, url)
    assert response.status_code == 200 and "Record a contact with Sharon Doyle" in body
    _, body = page(client, pcso, url, {"sent": "1", "contacted_on_day": "", "method": ""})
    for message in (
        "Enter the date of the contact",
        "Select how the contact was made",
        "Select yes if you reached them",
        "Enter what was said, or what happened",
    ):
        assert message in body
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = {
        "contacted_on_day": tomorrow.day,
        "contacted_on_month": tomorrow.month,
        "contacted_on_year": tomorrow.year,
        "method": "phone",
        "reached": "yes",
        "summary": "Told her about the patrols",
    }
    _, body = page(client, pcso, url, data)
    assert "The contact must be today or in the past, not later" in body
    assert not m.ContactLog.objects.exists()
    today = timezone.localdate()
    data |= {"contacted_on_day": today.day, "contacted_on_month": today.month, "contacted_on_year": today.year}
    response, _ = page(client, pcso, url, {**data, "final": "on"})
    assert response.status_code == 302
    entry = m.ContactLog.objects.get()
    assert (entry.reached, entry.final, entry.by, entry.summary) == (True, True, pcso, "Told her about the patrols")
    contact.refresh_from_db()
    assert contact.next_contact_due is None
    _, body = page(client, pcso, reverse("problem", args=[problem.pk]))
    assert "None: the final contact is made" in body and "Made" in body


def test_change_an_agreement_and_record_the_reason_for_no_final_contact(client, problem, contact, pcso):
    url = reverse("contact_change", args=[problem.pk, contact.pk])
    response, body = page(client, pcso, url)
    assert response.status_code == 200 and 'value="7"' in body and "Reason there can be no final contact" in body
    data = {
        "preferred_method": "phone",
        "contact_every_days": "7",
        "times_to_avoid": "not after 8pm",
        "no_final_contact_reason": "Moved away, no forwarding details",
    }
    due = contact.next_contact_due
    response, _ = page(client, pcso, url, data)
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.no_final_contact_reason == "Moved away, no forwarding details"
    assert contact.next_contact_due == due  # a date left blank is kept, not cleared


def test_partners_and_other_districts_never_reach_the_contact_pages(
    client, problem, contact, pcso, partner_user, other_officer, council
):
    h.add_action(problem, pcso, council)  # the council sees the problem
    urls = [
        reverse("contact_agree", args=[problem.pk]),
        reverse("contact_change", args=[problem.pk, contact.pk]),
        reverse("contact_record", args=[problem.pk, contact.pk]),
    ]
    for user, status in ((partner_user, 403), (other_officer, 404)):
        for url in urls:
            assert page(client, user, url)[0].status_code == status, (user, url)
            response, body = page(client, user, url, {"summary": "x", "method": "phone", "reached": "yes"})
            assert response.status_code == status and "Sharon" not in body
    _, body = page(client, partner_user, reverse("problem", args=[problem.pk]))
    assert "Sharon Doyle" not in body and "Agree contact" not in body
    assert not m.ContactLog.objects.exists() and m.Contact.objects.count() == 1


def test_another_problems_agreement_is_not_found_here(client, problem, contact, pcso, neighbourhood, category):
    from tests import factories as f

    elsewhere = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category)
    assert page(client, pcso, reverse("contact_record", args=[elsewhere.pk, contact.pk]))[0].status_code == 404


def test_the_casework_form_agrees_contact_with_a_linked_person(client, problem, sharon, pcso):
    url = reverse("casework", args=[problem.pk])
    _, body = page(client, pcso, url)
    assert "Agree contact with a victim or complainant" in body and "Sharon Doyle (victim)" in body
    data = {"contact-person": sharon.pk, "contact-preferred_method": "phone", "contact-contact_every_days": "28"}
    response, _ = page(client, pcso, reverse("casework_contact", args=[problem.pk]), data)
    assert response.status_code == 302 and m.Contact.objects.get().link == sharon
    _, body = page(client, pcso, url)
    assert "Nobody on this problem is waiting for a contact agreement" in body


# --- closure asks for the final contact -----------------------------------------------------------


@pytest.fixture
def assessed(problem, pcso, police, council) -> m.Problem:  # type: ignore[no-untyped-def]
    h.to_assessment(problem, pcso, police)
    h.assess(problem, pcso)
    h.add_action(problem, pcso, council)  # still open: closing asks once more, unless it will be refused
    return problem


def test_closing_without_a_final_contact_is_a_govuk_error_naming_the_victim(client, assessed, sharon, pcso, supervisor):
    transition = reverse("problem_transition", args=[assessed.pk])
    for data in ({"to": "closed", "reason": "Done"}, {"to": "closed", "reason": "Done", "confirm_open_actions": "1"}):
        response, body = page(client, supervisor, transition, data)
        assert response.status_code == 200
        assert "govuk-error-summary" in body and "The stage was not changed" in body
        assert "a final contact with the victim Sharon Doyle (or the reason there can be none)" in body
    response, body = page(client, pcso, reverse("closure_request", args=[assessed.pk]), {})
    assert response.status_code == 200 and "Closure cannot be requested yet" in body and "Sharon Doyle" in body
    assessed.refresh_from_db()
    assert assessed.stage == m.Stage.ASSESSMENT

    contact = services.contact_agree(link=sharon, by=pcso, preferred_method="phone", contact_every_days=7)
    services.contact_update(contact=contact, by=pcso, no_final_contact_reason="Moved away, no forwarding details")
    response, body = page(client, supervisor, transition, {"to": "closed", "reason": "Done"})
    assert response.status_code == 200 and "Close this problem with 1 action still open?" in body  # confirm page
    response, _ = page(client, supervisor, transition, {"to": "closed", "reason": "Done", "confirm_open_actions": "1"})
    assert response.status_code == 302
    assessed.refresh_from_db()
    assert assessed.stage == m.Stage.CLOSED


def test_the_contact_pages_carry_no_inline_code(client, problem, contact, pcso):
    """The Content Security Policy allows scripts and styles only from our own files (tests/frontend/test_csp.py)."""
    from tests.csp import inline_code

    services.contact_log(contact=contact, by=pcso, method="phone", summary="Spoke", reached=True)
    for url in (
        reverse("problem", args=[problem.pk]),
        reverse("contact_agree", args=[problem.pk]),
        reverse("contact_change", args=[problem.pk, contact.pk]),
        reverse("contact_record", args=[problem.pk, contact.pk]),
    ):
        response, body = page(client, pcso, url)
        assert response.status_code == 200 and inline_code(body) == [], url
