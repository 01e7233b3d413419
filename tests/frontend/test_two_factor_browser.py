"""An administrator sets up two-factor authentication in a real browser and reaches the admin."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from .browser import check
from .conftest import DESK, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_an_administrator_sets_up_an_authenticator_and_reaches_the_admin(new_page, admin_user, viewport):
    page = new_page(viewport)
    page.goto("/admin/")  # the admin's own sign-in form: the password alone is not enough
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="Set up two-factor authentication")).to_be_visible()
    expect(page.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
    check(page, "two-factor-set-up" if viewport == DESK else "two-factor-set-up-phone")
    expect(page.get_by_role("link", name="Problems")).to_have_count(0)  # no menu until the code is in

    secret = page.locator("#secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    code = f"{totp(b32decode(secret)):06d}"  # what the authenticator app would show
    wrong = "000000" if code != "000000" else "111111"
    page.get_by_label("Code", exact=True).fill(wrong)
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.get_by_role("alert").filter(has_text="That code is wrong or has expired")).to_be_visible()
    check(page)

    page.wait_for_timeout(1100)  # the one-second back-off after a wrong code
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.get_by_role("heading", name="Two-factor authentication is set up")).to_be_visible()
    expect(page.locator(".jps-recovery-codes li")).to_have_count(8)
    check(page)
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
