"""Resident email alerts: double opt-in, one-click unsubscribe, and each digest sent once."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from jps import services
from jps.models import AlertSubscription
from tasks.publishing import send_alert_digests

from .conftest import PUBLIC, SECRETS
from .site import priority_page

#: The planted internal strings ("ZZDESC ...", "ZZPENDING ..."); random tokens never hold a space.
PLANTED = re.compile(r"ZZ[A-Z]+ ")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _confirmations_sent_here(settings, monkeypatch):  # type: ignore[no-untyped-def]
    """The worker's confirmation email runs in this process; the limits stay out of the way.

    The limits themselves are tested in tests/security/test_throttles.py.
    """
    from tasks.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    settings.JPS_PUBLIC_EMAILS_PER_ADDRESS = settings.JPS_PUBLIC_EMAILS_PER_RECIPIENT = "1000/minute"


def _link(body: str, kind: str) -> str:
    match = re.search(rf"https://jps\.example\.test(/alerts/{kind}/[^\s]+/)", body)
    assert match, body
    return match[1]


def subscribe(client, email, *neighbourhoods):  # type: ignore[no-untyped-def]
    mail.outbox.clear()
    response = client.post("/alerts/subscribe/", {"email": email, "neighbourhoods": [n.pk for n in neighbourhoods]})
    assert response.status_code == 200
    assert len(mail.outbox) == 1
    return _link(mail.outbox[0].body, "confirm")


def test_double_opt_in_stores_nothing_until_the_link_is_followed(client, area, other_neighbourhood):
    page = client.get(f"/alerts/subscribe/?neighbourhood={area.pk}")
    assert page.status_code == 200 and b"Get email alerts" in page.content
    assert f'value="{area.pk}"'.encode() in page.content and b"checked" in page.content

    confirm = subscribe(client, "Resident@Example.org", area)
    assert AlertSubscription.objects.count() == 0
    assert client.get(confirm).status_code == 200
    sub = AlertSubscription.objects.get()
    assert sub.email == "resident@example.org" and sub.confirmed
    assert list(sub.neighbourhoods.all()) == [area]

    # subscribing to another neighbourhood adds to it; nothing else is stored about the resident
    client.get(subscribe(client, "resident@example.org", other_neighbourhood))
    assert sorted(n.pk for n in AlertSubscription.objects.get().neighbourhoods.all()) == sorted(
        [area.pk, other_neighbourhood.pk]
    )
    fields = {f.name for f in AlertSubscription._meta.get_fields() if f.concrete}
    assert fields == {"id", "email", "neighbourhoods", "confirmed", "created_at", "confirmed_at", "last_sent_at"}


def test_bad_input_and_tampered_links_get_clear_answers(client, area):
    response = client.post("/alerts/subscribe/", {"email": "not-an-email"})
    assert response.status_code == 200
    assert b"Enter a valid email address" in response.content
    assert b"Choose at least one neighbourhood" in response.content
    assert mail.outbox == []
    confirm = subscribe(client, "a@example.org", area)
    assert client.get(confirm[:-3] + "xx/").status_code == 400
    assert client.get("/alerts/unsubscribe/nonsense/").status_code == 400
    assert AlertSubscription.objects.count() == 0


def test_digest_sends_new_approved_updates_and_outcomes_once_with_one_click_unsubscribe(
    client, priorities, people, area
):
    client.get(subscribe(client, "resident@example.org", area))
    mail.outbox.clear()
    assert send_alert_digests() == 0  # nothing new since confirming

    current = priorities["current"]
    update = services.update_add(
        problem=current, by=people["pcso"], text=SECRETS["internal_update"], propose_public=True
    )
    services.update_decide(update=update, by=people["web_editor"], approve=True, public_text="New speed signs are up.")
    services.update_add(problem=current, by=people["pcso"], text=SECRETS["pending_update"], propose_public=True)

    assert send_alert_digests() == 1
    assert send_alert_digests() == 0  # never twice
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["resident@example.org"]
    assert "New speed signs are up." in message.body and "Speeding on Military Road" in message.body
    assert not PLANTED.search(message.body) and PUBLIC["update"] not in message.body  # old news is not repeated
    # the link is the priority's page on the public site, under its force's code
    assert f"https://priorities.example.test/{priority_page(current).removesuffix('index.html')}\n" in message.body
    unsubscribe = _link(message.body, "unsubscribe")
    assert message.extra_headers["List-Unsubscribe"] == f"<https://jps.example.test{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # a GET (a link scanner) does not unsubscribe; the one-click POST (no CSRF token) does
    assert client.get(unsubscribe).status_code == 200
    assert AlertSubscription.objects.count() == 1
    csrf_client = client.__class__(enforce_csrf_checks=True)
    assert csrf_client.post(unsubscribe, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert AlertSubscription.objects.count() == 0


def test_digest_includes_outcomes_of_priorities_closed_since_the_last_one(client, people, area, category):
    from .conftest import work_priority

    client.get(subscribe(client, "resident@example.org", area))
    mail.outbox.clear()
    work_priority(**people, neighbourhood=area, category=category, close=True)
    assert send_alert_digests() == 1
    body = mail.outbox[0].body
    assert PUBLIC["outcome"] in body and "Outcome" in body
    assert not PLANTED.search(body)


def test_two_claims_of_the_same_digest_only_one_wins(area):
    from django.utils import timezone

    sub = services.alert_subscription_confirm(email="x@example.org", neighbourhood_ids=[area.pk])
    stale = AlertSubscription.objects.get(pk=sub.pk)
    now = timezone.now()
    assert services.alert_digest_claim(subscription=sub, until=now)
    assert not services.alert_digest_claim(subscription=stale, until=now)
