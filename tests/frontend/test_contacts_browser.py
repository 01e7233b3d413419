"""A PCSO on a phone agrees contact with a victim and records the first contact (Chromium, Playwright)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jps import services
from jps.models import Contact, ContactLog

from .browser import check, sign_in
from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_pcso_on_a_phone_agrees_contact_and_records_one(new_page, problem, pcso):
    sharon = services.person_create(by=pcso, name="Sharon Doyle")
    services.problem_person_link(problem=problem, person=sharon, role="victim", by=pcso)
    page = new_page(PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "pcso")
    page.goto(f"/problems/{problem.pk}/#contacts")
    page.get_by_role("link", name="Agree contact with a victim or complainant").click()
    expect(page.get_by_role("heading", level=1, name="Agree contact")).to_be_visible()
    page.get_by_role("button", name="Agree contact").click()  # nothing chosen: GOV.UK errors, field by field
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select who the agreement is with")
    check(page, "contacts-agree-errors-phone")
    page.get_by_label("Sharon Doyle (victim)").check()
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("How often, in days").fill("7")
    page.get_by_label("Times to avoid").fill("Not after 8pm")
    page.get_by_role("button", name="Agree contact").click()
    expect(page.locator("#contacts")).to_be_visible()
    card = page.locator(f"#contact-{Contact.objects.get().pk}")
    expect(card).to_contain_text("By phone every 7 days")
    expect(card.locator("dd", has_text="Not after 8pm")).to_be_visible()
    check(page, "contacts-on-the-problem-phone")

    card.get_by_role("link", name="Record a contact").click()
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("Yes").check()
    page.get_by_label("What was said").fill("Told her about the extra patrols this weekend.")
    check(page, "contacts-record-phone")
    page.get_by_role("button", name="Record contact").click()
    expect(page.locator(f"#contact-{Contact.objects.get().pk}")).to_contain_text("Told her about the extra patrols")
    entry = ContactLog.objects.get()
    assert entry.reached and entry.by == pcso
