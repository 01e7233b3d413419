"""Hole 7 (and the request-id part of hole 10): who is asking, and how often they may.

Throttles and limits key on the client's address as ``jps.net.client_ip`` decides: a
forged ``X-Forwarded-For`` is ignored unless proxies of ours are trusted, and then only
the address our outermost proxy wrote counts. Failed sign-ins are counted per address
across usernames (spraying), password resets and public emails per address and per
recipient, and every such email is sent by the worker.
"""

from __future__ import annotations

import io
import logging
import re

import pytest
from axes.helpers import get_client_ip_address
from django.core import mail
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.test import APIClient

from tasks.celery import app as celery_app

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # the factories' password
TOKEN = "/api/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_limits(settings, monkeypatch):  # type: ignore[no-untyped-def]
    """Counters start empty; queued emails run in this process even when REDIS_URL is set."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "10000/minute"}}
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    cache.clear()
    yield
    cache.clear()


def _auth_rate(settings, rate: str) -> None:  # type: ignore[no-untyped-def]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": rate}}


def _token(client: APIClient, username: str, password: str = "wrong", **extra: str):  # type: ignore[no-untyped-def]
    return client.post(TOKEN, {"username": username, "password": password}, format="json", **extra)


# --- the client's address -----------------------------------------------------------------------


def test_a_forged_forwarded_for_with_a_new_address_each_time_is_still_throttled(settings, partner_user):
    _auth_rate(settings, "3/minute")
    client = APIClient()
    codes = [_token(client, f"user{i}", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code for i in range(5)]
    assert codes == [400, 400, 400, 429, 429]


def test_with_one_trusted_proxy_the_right_most_address_is_the_client(settings, partner_user):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    from jps.net import client_ip

    assert client_ip(request) == "203.0.113.9"
    assert get_client_ip_address(request) == "203.0.113.9"  # django-axes asks the same function

    _auth_rate(settings, "3/minute")
    client = APIClient()
    forged = [_token(client, "council", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 203.0.113.9").status_code for i in range(4)]
    assert forged == [400, 400, 400, 429]  # whatever the client wrote on the left, it is one client
    assert _token(client, "council", HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.77").status_code == 400


@pytest.mark.parametrize(
    ("proxies", "forwarded", "client"),
    [
        (0, "6.6.6.6", "10.0.0.5"),  # no trusted proxy: the header is the client's own words
        (1, "", "10.0.0.5"),  # a request that did not come through the proxy
        (1, "6.6.6.6, not-an-address", "10.0.0.5"),
        (1, "6.6.6.6, 203.0.113.9:51234", "203.0.113.9"),  # some balancers add the port
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),  # balancer, then nginx
        (2, "[2001:db8::7]:443, 10.0.0.2", "2001:db8::7"),
        (2, "10.0.0.2", "10.0.0.5"),  # fewer hops than proxies
    ],
)
def test_the_client_address_is_the_one_our_outermost_proxy_wrote(settings, proxies, forwarded, client):
    from jps.net import client_ip

    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == client


def test_log_lines_carry_the_client_address_the_throttles_use(settings):
    from django.http import HttpResponse

    from jps.observability import RequestIdFilter, RequestIdMiddleware

    settings.TRUSTED_PROXY_COUNT = 1
    seen: dict[str, str] = {}

    def view(request):  # type: ignore[no-untyped-def]
        record = logging.LogRecord("jps.security", logging.WARNING, __file__, 1, "refused", (), None)
        RequestIdFilter().filter(record)
        seen["client_ip"] = record.client_ip
        return HttpResponse()

    forged = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    RequestIdMiddleware(view)(forged)
    assert seen == {"client_ip": "203.0.113.9"}


# --- password spraying: failures per address across usernames ---------------------------------


def test_spraying_one_password_over_many_usernames_at_the_token_endpoint_is_stopped(settings, partner_user):
    settings.JPS_SIGN_IN_FAILURES_PER_ADDRESS = "5/hour"
    client = APIClient()
    assert all(_token(client, f"user{i}").status_code == 400 for i in range(5))
    refused = _token(client, partner_user.username, PASSWORD)
    assert refused.status_code == 429 and "token" not in refused.json()
    assert int(refused["Retry-After"]) > 0
    # Another address is not held up by this one.
    assert _token(client, partner_user.username, PASSWORD, REMOTE_ADDR="192.0.2.44").status_code == 200


def test_spraying_the_web_sign_in_is_stopped_per_address_and_shares_the_count_with_the_api(client, settings, pcso):
    settings.JPS_SIGN_IN_FAILURES_PER_ADDRESS = "5/hour"
    for i in range(3):
        assert client.post("/accounts/login/", {"username": f"user{i}", "password": "Spring2026!"}).status_code == 200
    assert all(_token(APIClient(), f"api{i}").status_code == 400 for i in range(2))
    refused = client.post("/accounts/login/", {"username": pcso.username, "password": PASSWORD})
    assert refused.status_code == 429 and "Too many attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # The admin's sign-in form is refused too (the authentication backend), without checking the password.
    client.post("/admin/login/", {"username": pcso.username, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    elsewhere = client.post(
        "/accounts/login/", {"username": pcso.username, "password": PASSWORD}, REMOTE_ADDR="192.0.2.45"
    )
    assert elsewhere.status_code == 302


# --- password reset -----------------------------------------------------------------------------


def test_password_reset_is_limited_per_address(client, settings):
    settings.JPS_PASSWORD_RESETS_PER_ADDRESS = "3/hour"
    codes = [client.post("/accounts/password-reset/", {"email": f"p{i}@example.org"}).status_code for i in range(4)]
    assert codes == [302, 302, 302, 429]


def test_password_reset_sends_one_email_per_address_per_window_whoever_asks(client, settings, pcso):
    settings.JPS_PASSWORD_RESETS_PER_EMAIL = "1/10minutes"
    for i in range(5):
        response = client.post("/accounts/password-reset/", {"email": pcso.email}, REMOTE_ADDR=f"192.0.2.{i}")
        assert response.status_code == 302
    assert len(mail.outbox) == 1


def test_the_reset_view_queues_the_email_and_answers_alike_for_known_and_unknown_accounts(
    client, settings, pcso, monkeypatch
):
    settings.SITE_URL = "https://jps.example.test"
    from frontend import sign_in

    queued: list[tuple[str, dict]] = []
    monkeypatch.setattr(sign_in, "enqueue", lambda task, **kwargs: queued.append((task.name, kwargs)))
    known = client.post("/accounts/password-reset/", {"email": pcso.email})
    unknown = client.post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known.content == unknown.content
    assert queued == [
        ("accounts.password_reset_email", {"email": pcso.email}),
        ("accounts.password_reset_email", {"email": "nobody@example.org"}),
    ]
    assert mail.outbox == []  # nothing was sent inside the request

    from tasks.emails import password_reset_email

    assert password_reset_email(email="nobody@example.org") == 0
    assert password_reset_email(email=pcso.email) == 1
    assert re.search(r"https://jps\.example\.test/accounts/reset/\S+/\S+/", mail.outbox[0].body)


def test_imported_staff_get_their_choose_a_password_link_from_the_worker(
    client, settings, council, neighbourhood, django_capture_on_commit_callbacks
):
    from jps.user_import import users_import_csv

    settings.SITE_URL = "http://testserver"
    csv = (
        "username,email,name,role,agency,district,neighbourhood\n"
        f"tom.hale,tom@council.example,Tom Hale,partner,{council.name},,{neighbourhood.name}\n"
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert users_import_csv(stream=io.StringIO(csv)).ok
        assert mail.outbox == []  # queued for after the commit, not sent inside the import
    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [["tom@council.example"]]
    link = re.search(r"http://testserver(/accounts/reset/\S+/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    page = client.get(link[1], follow=True)
    assert b"Choose a new password" in page.content


# --- public forms that send email ---------------------------------------------------------------


def _subscribe(client, email: str, neighbourhood, address: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/alerts/subscribe/", {"email": email, "neighbourhoods": [neighbourhood.pk]}, REMOTE_ADDR=address
    )


def test_twenty_five_subscriptions_for_one_stranger_send_one_confirmation(client, neighbourhood):
    answers = [_subscribe(client, "stranger@example.org", neighbourhood, f"192.0.2.{i}") for i in range(25)]
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1  # the same page, sent or not: nothing leaks
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["stranger@example.org"]


def test_one_address_cannot_make_the_alert_form_mail_many_people(client, settings, neighbourhood):
    settings.JPS_PUBLIC_EMAILS_PER_ADDRESS = "5/hour"
    codes = [_subscribe(client, f"r{i}@example.org", neighbourhood, "192.0.2.9").status_code for i in range(7)]
    assert codes == [200] * 5 + [429] * 2
    assert len(mail.outbox) == 5
    assert _subscribe(client, "r9@example.org", neighbourhood, "192.0.2.10").status_code == 200


def test_the_alert_confirmation_is_sent_by_the_worker(client, neighbourhood, monkeypatch):
    from frontend import alerts

    queued: list[tuple[str, dict]] = []
    monkeypatch.setattr(alerts, "enqueue", lambda task, **kwargs: queued.append((task.name, kwargs)))
    assert _subscribe(client, "resident@example.org", neighbourhood, "192.0.2.1").status_code == 200
    assert mail.outbox == []
    assert queued == [
        ("alerts.confirmation_email", {"email": "resident@example.org", "neighbourhood_ids": [neighbourhood.pk]})
    ]


# --- the request id (hole 10) -------------------------------------------------------------------


def test_a_clients_request_id_is_ignored_without_a_trusted_proxy(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-abc12345"})
    assert response["X-Request-ID"] != "lb-abc12345"
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_a_malformed_request_id_is_ignored_even_from_a_trusted_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client.get("/healthz", headers={"X-Request-ID": "lb-abc12345"})["X-Request-ID"] == "lb-abc12345"
    for bad in ["-" * 20, "........", "a" * 65, "abc def 12345", "short"]:
        assert client.get("/healthz", headers={"X-Request-ID": bad})["X-Request-ID"] != bad
