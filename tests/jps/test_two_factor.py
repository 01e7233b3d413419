"""Two-factor authentication (issue 9): who needs it, enrolment, the code after sign-in, the API
token, throttling of wrong codes, resets and their audit."""

from __future__ import annotations

import datetime
import logging
import re

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from jps import two_factor
from tests import factories as f
from tests.conftest import verified_login
from tests.otp import code_for

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # the factories' password
ENROL = "/accounts/two-factor/set-up/"
VERIFY = "/accounts/two-factor/"


@pytest.fixture(autouse=True)
def _fresh_api_throttle():  # type: ignore[no-untyped-def]
    """The token endpoint's per-address throttle (10 a minute) must not mistake these tests for an attack."""
    cache.clear()
    yield
    cache.clear()


def security_records(caplog, message: str) -> list[logging.LogRecord]:  # type: ignore[no-untyped-def]
    return [r for r in caplog.records if r.name == "jps.security" and r.getMessage() == message]


def wrong_code(device: TOTPDevice) -> str:
    """Six digits this device does not accept now (nor one step either side)."""
    right = {code_for(device, steps=s) for s in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def enrolled(user) -> TOTPDevice:  # type: ignore[no-untyped-def]
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


# --- who needs it ------------------------------------------------------------------------------


def test_administrators_and_people_of_agencies_that_require_it_need_two_factor(
    admin_user, pcso, partner_user, other_partner, council, police
):
    staff_only = f.UserFactory(username="helpdesk", role="officer", agency=police, is_staff=True)
    admin_role = f.UserFactory(username="sysadmin", role="admin", agency=police)
    assert admin_user.two_factor_required and staff_only.two_factor_required and admin_role.two_factor_required
    assert not pcso.two_factor_required and not partner_user.two_factor_required
    council.requires_two_factor = True
    council.save()
    partner_user.refresh_from_db()
    other_partner.refresh_from_db()
    assert partner_user.two_factor_required
    assert not other_partner.two_factor_required  # another agency


def test_the_agency_flag_is_in_the_admin_with_its_history(admin_client, council):
    page = admin_client.get(f"/admin/jps/agency/{council.pk}/change/")
    assert page.status_code == 200 and 'name="requires_two_factor"' in page.content.decode()
    data = {"name": council.name, "kind": council.kind, "force": council.force_id, "contact_email": "",
            "requires_two_factor": "on"}  # fmt: skip
    assert admin_client.post(f"/admin/jps/agency/{council.pk}/change/", data).status_code == 302
    council.refresh_from_db()
    assert council.requires_two_factor
    assert council.history.first().requires_two_factor and council.history.first().history_user.username == "admin"


# --- held at enrolment or verification until a code is entered --------------------------------


def test_an_administrator_without_a_device_is_sent_to_set_one_up_and_reaches_nothing_else(client, admin_user, problem):
    client.force_login(admin_user)  # password only
    for url in ["/", "/admin/", "/admin/jps/user/", "/problems/", f"/problems/{problem.pk}/", "/dashboard/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(ENROL + "?next=")
    assert client.post(f"/problems/{problem.pk}/updates/", {"text": "x"})["Location"] == ENROL
    api = client.get("/api/problems/")
    assert api.status_code == 403 and "Two-factor authentication is required" in api.json()["detail"]
    htmx = client.get("/problems/", headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"].startswith(ENROL)
    # Still open: the set-up page itself, the health check, static files, signing out.
    assert client.get(ENROL).status_code == 200
    assert client.get("/healthz").status_code in (200, 503)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/problems/")["Location"].startswith("/accounts/login/")


def test_the_set_up_page_shows_the_secret_and_a_qr_code_without_inline_script_or_style(client, admin_user):
    client.force_login(admin_user)
    page = client.get(ENROL).content.decode()
    device = TOTPDevice.objects.get(user=admin_user)
    assert not device.confirmed
    assert two_factor.secret_for_display(device) in page
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", two_factor.secret_for_display(device))
    assert '<svg role="img" aria-label="QR code' in page
    main = page.split('<main class="govuk-main-wrapper" id="main-content">')[1].split("</main>")[0]
    assert "<script" not in main and "style=" not in main  # nothing a strict CSP would block
    assert "no-store" in client.get(ENROL)["Cache-Control"]
    client.get(ENROL)
    assert TOTPDevice.objects.filter(user=admin_user).count() == 1  # a reload keeps the same secret


def test_enrolment_with_the_right_code_verifies_the_session_and_gives_single_use_recovery_codes(
    client, admin_user, caplog
):
    client.force_login(admin_user)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=admin_user)
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC), tick=False) as traveller:
        wrong = client.post(ENROL, {"code": wrong_code(device), "next": "/admin/"})
        assert wrong.status_code == 400
        assert "That code is wrong or has expired" in wrong.content.decode()
        device.refresh_from_db()
        assert not device.confirmed
        assert client.get("/admin/").status_code == 302
        traveller.shift(datetime.timedelta(seconds=2))  # past the one-second back-off of a first wrong code
        with caplog.at_level(logging.INFO, logger="jps.security"):
            done = client.post(ENROL, {"code": code_for(device), "next": "/admin/"})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == two_factor.RECOVERY_CODES
    assert set(StaticToken.objects.filter(device__user=admin_user).values_list("token", flat=True)) == set(codes)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200
    assert security_records(caplog, "two-factor enrolled")[0].user == "admin"
    history = device.history.first()
    assert history.history_user == admin_user and history.history_change_reason == "enrolled"
    assert not hasattr(history, "key")  # the audit never holds the secret


def test_after_a_password_sign_in_someone_enrolled_must_enter_a_code(client, admin_user):
    device = enrolled(admin_user)
    signed_in = client.post("/accounts/login/", {"username": "admin", "password": PASSWORD, "next": "/admin/"})
    assert signed_in["Location"] == "/admin/"
    assert client.get("/admin/")["Location"] == VERIFY + "?next=%2Fadmin%2F"
    assert client.get(ENROL)["Location"].startswith(VERIFY)  # a second device needs a reset first
    before = client.session.session_key
    refused = client.post(VERIFY, {"code": wrong_code(device), "next": "/admin/"})
    assert refused.status_code == 400 and "wrong or has expired" in refused.content.decode()
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=3)):
        accepted = client.post(VERIFY, {"code": code_for(device), "next": "/admin/"})
    assert accepted["Location"] == "/admin/"
    assert client.session.session_key != before  # a new session key once verified
    assert client.get("/admin/").status_code == 200
    assert client.get(VERIFY + "?next=https://evil.example/")["Location"] == "/"  # never off-site


def test_a_recovery_code_works_once(client, admin_user, caplog):
    client.force_login(admin_user)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=admin_user)
    codes = two_factor.two_factor_enrolment_confirm(user=admin_user, device=device, code=code_for(device))
    with caplog.at_level(logging.WARNING, logger="jps.security"):
        assert client.post(VERIFY, {"code": codes[0].upper()})["Location"] == "/"
    assert security_records(caplog, "two-factor recovery code used")[0].codes_left == len(codes) - 1
    client.post("/accounts/logout/")
    client.force_login(admin_user)
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=3)):
        assert client.post(VERIFY, {"code": codes[0]}).status_code == 400  # used up
    assert StaticDevice.objects.get(user=admin_user).token_set.count() == len(codes) - 1


def test_an_agency_that_requires_it_holds_its_people_and_no_one_elses(client, council, partner_user, other_partner):
    council.requires_two_factor = True
    council.save()
    client.force_login(partner_user)
    assert client.get("/")["Location"].startswith(ENROL)
    client.force_login(other_partner)  # Orbit Housing: not required
    assert client.get("/").status_code == 200
    verified_login(client, partner_user)
    assert client.get("/").status_code == 200


def test_people_who_do_not_need_it_are_not_asked(client, pcso):
    client.force_login(pcso)
    assert client.get("/").status_code == 200
    assert client.get("/api/problems/").status_code == 200


# --- wrong codes ----------------------------------------------------------------------------------


def test_wrong_codes_back_off_exponentially_even_for_the_right_code_and_are_logged(client, admin_user, caplog):
    device = enrolled(admin_user)
    client.force_login(admin_user)
    start = datetime.datetime.now(tz=datetime.UTC)
    wrong = wrong_code(device)
    with caplog.at_level(logging.WARNING, logger="jps.security"), time_machine.travel(start, tick=False) as t:
        for failures in range(1, 5):
            assert client.post(VERIFY, {"code": wrong}).status_code == 400
            device.refresh_from_db()
            assert device.throttling_failure_count == failures
            t.shift(datetime.timedelta(seconds=2 ** (failures - 1)))  # wait exactly the back-off
        # After four wrong codes the wait is eight seconds: the right code, too soon, is refused.
        t.shift(datetime.timedelta(seconds=-7))
        too_soon = client.post(VERIFY, {"code": code_for(device)})
        assert too_soon.status_code == 400
        assert re.search(r"Too many wrong codes\. Wait \d+ seconds", too_soon.content.decode())
        assert client.get("/admin/").status_code == 302
        t.shift(datetime.timedelta(seconds=8))
        assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302
    refusals = security_records(caplog, "two-factor code refused")
    assert [r.reason for r in refusals] == ["wrong code"] * 4 + ["too many wrong codes"]
    assert refusals[0].user == "admin" and refusals[3].failures == 4
    device.refresh_from_db()
    assert device.throttling_failure_count == 0  # a right code resets the count


# --- the API token ----------------------------------------------------------------------------------


def test_the_token_endpoint_asks_a_code_of_those_who_need_two_factor(client, admin_user, pcso, caplog):
    device = enrolled(admin_user)
    login = {"username": "admin", "password": PASSWORD}
    with caplog.at_level(logging.WARNING, logger="jps.security"):
        missing = client.post("/api/auth/token/", login)
        assert missing.status_code == 400 and "authenticator app" in missing.json()["otp"][0]
        wrong = client.post("/api/auth/token/", {**login, "otp": wrong_code(device)})
        assert wrong.status_code == 400 and "wrong or has expired" in wrong.json()["otp"][0]
    assert [r.reason for r in security_records(caplog, "two-factor code refused")] == ["no code", "wrong code"]
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=3)):
        right = client.post("/api/auth/token/", {**login, "otp": code_for(device)})
    assert right.status_code == 200
    # The token then works on its own, with no session and no code.
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {right.json()['token']}")
    assert api.get("/api/problems/").status_code == 200
    # Others need no code.
    assert client.post("/api/auth/token/", {"username": "pcso", "password": PASSWORD}).status_code == 200


def test_no_token_for_someone_who_must_but_has_not_set_up_two_factor(client, admin_user):
    refused = client.post("/api/auth/token/", {"username": "admin", "password": PASSWORD, "otp": "123456"})
    assert refused.status_code == 400 and "sign in on the web first" in refused.json()["otp"][0]


def test_throttled_codes_on_the_token_endpoint_are_429_with_retry_after(client, admin_user):
    device = enrolled(admin_user)
    login = {"username": "admin", "password": PASSWORD}
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC), tick=False):
        client.post("/api/auth/token/", {**login, "otp": wrong_code(device)})
        throttled = client.post("/api/auth/token/", {**login, "otp": code_for(device)})
    assert throttled.status_code == 429 and "Too many wrong codes" in throttled.json()["detail"]
    assert int(throttled["Retry-After"]) >= 1


# --- reset and the admin ------------------------------------------------------------------------------


def test_a_superuser_resets_someones_devices_in_the_admin_and_it_is_audited(admin_client, admin_user, pcso, caplog):
    device = enrolled(pcso)
    two_factor._recovery_codes_replace(pcso)
    with caplog.at_level(logging.WARNING, logger="jps.security"):
        response = admin_client.post(
            "/admin/jps/user/", {"action": "reset_two_factor", "_selected_action": [pcso.pk]}, follow=True
        )
    assert "Two-factor authentication reset for 1 people (1 devices)" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=pcso).exists() and not StaticDevice.objects.filter(user=pcso).exists()
    record = security_records(caplog, "two-factor reset")[0]
    assert (record.user, record.by, record.devices) == ("pcso", "admin", 1)
    deleted = TOTPDevice.history.filter(id=device.pk, history_type="-").get()
    assert deleted.history_user == admin_user and deleted.history_change_reason == "reset by an administrator"


def test_only_superusers_may_reset_or_see_devices(police, pcso, admin_client, caplog):
    enrolled(pcso)
    staff_admin = f.UserFactory(username="sysadmin", role="admin", agency=police, is_staff=True)
    from django.contrib.auth.models import Permission

    staff_admin.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["otp_totp", "jps"]))
    with caplog.at_level(logging.WARNING, logger="jps.security"), pytest.raises(PermissionDenied):
        two_factor.two_factor_reset(user=pcso, by=staff_admin)
    assert security_records(caplog, "permission refused")[0].permission == "two_factor_reset"
    client = verified_login(Client(), staff_admin)
    assert client.get("/admin/").status_code == 200  # they do reach the admin
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 403
    assert client.get("/admin/otp_static/staticdevice/").status_code == 403
    assert TOTPDevice.objects.filter(user=pcso).exists()
    # A superuser sees the devices, never their secrets.
    device = TOTPDevice.objects.get(user=pcso)
    assert admin_client.get("/admin/otp_totp/totpdevice/").status_code == 200
    change = admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in change and 'name="key"' not in change
    assert admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 403
    history = admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/history/")
    assert history.status_code == 200 and device.key not in history.content.decode()


def test_a_reset_person_is_asked_to_set_up_again_even_mid_session(client, admin_user, pcso, police):
    superuser = f.UserFactory(username="root", role="admin", agency=police, is_staff=True, is_superuser=True)
    verified_login(client, admin_user)
    assert client.get("/admin/").status_code == 200
    two_factor.two_factor_reset(user=admin_user, by=superuser)
    assert client.get("/admin/")["Location"].startswith(ENROL)


def test_a_code_is_accepted_once(admin_user):
    device = enrolled(admin_user)
    code = code_for(device)
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC), tick=False) as t:
        assert two_factor.two_factor_verify(user=admin_user, code=code) == device
        t.shift(datetime.timedelta(seconds=2))
        with pytest.raises(two_factor.CodeRefused, match="wrong or has expired"):
            two_factor.two_factor_verify(user=admin_user, code=code)  # replayed within its 30 seconds
