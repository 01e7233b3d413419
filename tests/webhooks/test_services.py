"""Endpoints, the events the domain services write, who receives them, and one attempt at a delivery."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from api.serializers import ActionSerializer, ProblemSerializer
from jps import models as m
from jps import services
from jps.models.webhooks import Event
from jps.reminders.webhooks import action_due_events
from jps.rules import problem_scope_q
from jps.webhooks import services as webhooks
from jps.webhooks.rules import agency_ids_seeing
from jps.webhooks.signing import Answer

ALL = list(m.webhooks.SUBSCRIBABLE)
PUBLIC_URL = "https://hooks.council.example/jps"
#: Fields that must never travel in a payload: personal data and the internal record.
NEVER = {
    "originator",
    "location",
    "latitude",
    "longitude",
    "owner",
    "owner_name",
    "victim",
    "offender",
    "contacts",
    "contact",
    "name",
    "phone",
    "email",
    "text",
    "closure_reason",
    "reason",
}


@pytest.fixture(autouse=True)
def _public_dns(monkeypatch):  # type: ignore[no-untyped-def]
    """``*.example`` resolves to a public address (no DNS in the test); anything else resolves truly."""
    from jps.webhooks import addresses

    real = addresses.resolve
    monkeypatch.setattr(
        addresses, "resolve", lambda host, port: ["93.184.215.14"] if host.endswith(".example") else real(host, port)
    )


def keys(payload: dict) -> set[str]:
    out = set()
    for key, value in payload.items():
        out.add(key)
        if isinstance(value, dict):
            out |= keys(value)
    return out


# --- endpoints ------------------------------------------------------------------------------------


def test_an_agency_admin_registers_an_endpoint_with_a_secret_and_history(council_admin, council):
    endpoint = webhooks.endpoint_create(by=council_admin, url=PUBLIC_URL, events=["action.assigned", "action.due"])
    assert endpoint.agency == council and endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    (row,) = endpoint.history.all()
    assert row.history_user == council_admin and row.history_type == "+"
    assert not hasattr(row, "secret")  # the history never keeps the secret
    webhooks.endpoint_update(endpoint=endpoint, by=council_admin, active=False)
    webhooks.endpoint_delete(endpoint=m.WebhookEndpoint.objects.get(), by=council_admin)
    assert [h.history_type for h in m.WebhookEndpoint.history.order_by("history_id")] == ["+", "~", "-"]
    assert m.WebhookEndpoint.history.last().history_user == council_admin


@pytest.mark.parametrize(
    ("url", "events", "field", "says"),
    [
        ("http://hooks.council.example/jps", ALL, "url", "https://"),
        ("https://10.0.0.5/hook", ALL, "url", "private"),
        ("https://127.0.0.1:8443/hook", ALL, "url", "private"),
        ("https://169.254.169.254/latest/meta-data", ALL, "url", "private"),
        ("https://[::1]/hook", ALL, "url", "private"),
        ("https://localhost/hook", ALL, "url", "private"),
        ("https://user:pw@hooks.council.example/", ALL, "url", "passwords"),
        ("ftp://hooks.council.example/", ALL, "url", "https://"),
        (PUBLIC_URL, ["action.assigned", "problem.deleted"], "events", "problem.deleted"),
        (PUBLIC_URL, [], "events", "at least one"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(council_admin, settings, url, events, field, says):
    settings.DEBUG = False
    with pytest.raises(ValidationError) as refused:
        webhooks.endpoint_create(by=council_admin, url=url, events=events)
    assert says in " ".join(refused.value.message_dict[field])
    assert not m.WebhookEndpoint.objects.exists()


def test_private_addresses_and_http_only_where_the_settings_allow(council_admin, settings):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    assert webhooks.endpoint_create(by=council_admin, url="http://127.0.0.1:9000/hook", events=ALL).pk


def test_only_an_agencys_webhook_admins_register_and_only_for_their_agency(partner_user, council_admin, housing, pcso):
    with pytest.raises(PermissionDenied):
        webhooks.endpoint_create(by=council_admin, agency=housing, url=PUBLIC_URL, events=ALL)
    staff = m.User.objects.create(username="council2", role=m.User.Role.PARTNER, agency=council_admin.agency)
    with pytest.raises(PermissionDenied):
        webhooks.endpoint_create(by=staff, url=PUBLIC_URL, events=ALL)
    with pytest.raises(PermissionDenied):
        webhooks.endpoint_create(by=pcso, url=PUBLIC_URL, events=ALL)
    assert not m.WebhookEndpoint.objects.exists()


# --- events: who receives what --------------------------------------------------------------------


@pytest.fixture
def endpoints(council_admin, housing_admin, admin_user, police) -> dict[str, m.WebhookEndpoint]:  # type: ignore[no-untyped-def]
    return {
        "council": webhooks.endpoint_create(by=council_admin, url=PUBLIC_URL, events=ALL),
        "housing": webhooks.endpoint_create(by=housing_admin, url="https://hooks.housing.example/", events=ALL),
        "police": webhooks.endpoint_create(
            by=admin_user, agency=police, url="https://hooks.police.example/", events=["action.assigned"]
        ),
    }


def deliveries(endpoint: m.WebhookEndpoint, event: str | None = None) -> list[m.WebhookDelivery]:
    rows = m.WebhookDelivery.objects.filter(endpoint=endpoint).order_by("id")
    return list(rows.filter(event=event) if event else rows)


def test_an_action_assigned_reaches_its_agency_only_in_the_partner_shape(endpoints, problem, pcso, council, sent):
    action = services.action_add(
        problem=problem,
        by=pcso,
        action_type="prevention",
        description="Fix the lights",
        agency=council,
        due_on=datetime.date(2026, 12, 1),
    )
    (delivery,) = deliveries(endpoints["council"])
    assert delivery.event == Event.ACTION_ASSIGNED and sent == [str(delivery.event_id)]
    assert delivery.payload["id"] == action.pk and delivery.payload["agency"] == council.pk
    assert delivery.payload["due_on"] == "2026-12-01"
    assert set(delivery.payload) - {"api_url"} <= set(ActionSerializer.Meta.fields)
    assert deliveries(endpoints["housing"]) == [] and deliveries(endpoints["police"]) == []


def test_a_stage_change_reaches_only_the_agencies_taking_part(endpoints, problem, pcso, council, sent):
    services.action_add(problem=problem, by=pcso, action_type="prevention", description="Lights", agency=council)
    services.problem_transition(problem=problem, to=m.Stage.ANALYSIS, by=pcso)
    (change,) = deliveries(endpoints["council"], Event.PROBLEM_STAGE_CHANGED)
    assert change.payload["from_stage"] == "scanning" and change.payload["to_stage"] == "analysis"
    assert change.payload["problem"]["reference"] == problem.reference
    assert set(change.payload["problem"]) - {"api_url"} <= set(ProblemSerializer.Meta.fields)
    assert not keys(change.payload) & NEVER
    # Housing takes no part in the problem: nothing about it, though it asked for every event.
    assert deliveries(endpoints["housing"]) == []
    # The police agency leads it but did not ask for stage changes.
    assert deliveries(endpoints["police"], Event.PROBLEM_STAGE_CHANGED) == []


def test_a_transfer_reaches_both_agencies_and_an_approved_update_those_taking_part(
    endpoints, problem, pcso, council, housing, web_editor, sent
):
    action = services.action_add(
        problem=problem, by=pcso, action_type="prevention", description="Lights", agency=council
    )
    services.action_transfer(action=action, by=pcso, to_agency=housing, reason="Their estate")
    for name in ("council", "housing"):
        (moved,) = deliveries(endpoints[name], Event.ACTION_TRANSFERRED)
        assert moved.payload["to_agency"] == housing.pk and moved.payload["action"]["agency"] == housing.pk
        assert "reason" not in moved.payload
    problem.public_priority, problem.adopted_on = True, datetime.date(2026, 1, 1)
    problem.save()
    update = services.update_add(problem=problem, by=pcso, text="Met Mrs Smith at no. 4", propose_public=True)
    services.update_decide(update=update, by=web_editor, approve=True, public_text="Lights are being fixed.")
    for name in ("council", "housing"):
        (approved,) = deliveries(endpoints[name], Event.UPDATE_APPROVED)
        assert approved.payload["public_text"] == "Lights are being fixed." and "text" not in approved.payload


def test_a_change_that_rolls_back_leaves_no_delivery(endpoints, problem, pcso, council, sent):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.action_add(problem=problem, by=pcso, action_type="prevention", description="x", agency=council)
        raise RuntimeError("the request failed later")
    assert not m.WebhookDelivery.objects.exists()


def test_due_and_overdue_once_per_due_date(endpoints, problem, pcso, council, sent, settings):
    services.action_add(
        problem=problem,
        by=pcso,
        action_type="prevention",
        description="x",
        agency=council,
        due_on=datetime.date(2026, 6, 12),
    )
    m.WebhookDelivery.objects.all().delete()
    at = lambda day: datetime.datetime.fromisoformat(f"{day}T07:00+01:00")  # noqa: E731
    assert action_due_events(now=at("2026-06-01")) == 0  # not due for 3 days yet
    assert action_due_events(now=at("2026-06-10")) == 1
    assert action_due_events(now=at("2026-06-10")) == 0  # a re-run writes nothing
    assert action_due_events(now=at("2026-06-11")) == 0  # still the same due date
    assert action_due_events(now=at("2026-06-13")) == 1  # now overdue: once
    assert action_due_events(now=at("2026-06-14")) == 0
    events = [d.event for d in deliveries(endpoints["council"])]
    assert events == [Event.ACTION_DUE, Event.ACTION_OVERDUE] and deliveries(endpoints["housing"]) == []


def test_the_agencies_seeing_a_problem_are_those_whose_partners_see_it(problem, pcso, council, housing, police):
    services.action_add(problem=problem, by=pcso, action_type="prevention", description="x", agency=council)
    for agency in (council, housing, police):
        partner = m.User.objects.create(username=f"p{agency.pk}", role=m.User.Role.PARTNER, agency=agency)
        sees = m.Problem.objects.filter(problem_scope_q(partner), pk=problem.pk).exists()
        assert sees == (agency.pk in agency_ids_seeing(problem)), agency


# --- one attempt ----------------------------------------------------------------------------------


@pytest.fixture
def delivery(endpoints, problem, pcso, council, sent) -> m.WebhookDelivery:  # type: ignore[no-untyped-def]
    services.action_add(problem=problem, by=pcso, action_type="prevention", description="x", agency=council)
    return deliveries(endpoints["council"])[0]


def test_an_attempt_is_signed_and_a_delivered_one_is_never_sent_again(delivery, monkeypatch):
    posts = []
    monkeypatch.setattr(webhooks, "post", lambda url, **kw: posts.append(kw) or Answer(200))
    assert webhooks.delivery_attempt(event_id=str(delivery.event_id)).status == "delivered"
    assert webhooks.delivery_attempt(event_id=str(delivery.event_id)).status == "skipped"
    (sent,) = posts
    headers = sent["headers"]
    assert headers["X-JPS-Event"] == "action.assigned" and headers["X-JPS-Delivery"] == str(delivery.event_id)
    expected = webhooks.signature(delivery.endpoint.secret, int(headers["X-JPS-Timestamp"]), sent["body"])
    assert headers["X-JPS-Signature"] == expected and expected.startswith("sha256=")
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.delivered_at and delivery.last_status_code == 200


def test_failures_back_off_then_give_up(delivery, monkeypatch, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    monkeypatch.setattr(webhooks, "post", lambda url, **kw: Answer(503, "Service Unavailable"))
    event_id = str(delivery.event_id)
    first = webhooks.delivery_attempt(event_id=event_id)
    assert first.status == "pending" and first.retry_in == 60
    assert webhooks.delivery_attempt(event_id=event_id).status == "skipped"  # not due yet
    later = datetime.timedelta(hours=1)
    delivery.refresh_from_db()
    second = webhooks.delivery_attempt(event_id=event_id, now=delivery.next_attempt_at + later)
    assert second.retry_in == 120
    delivery.refresh_from_db()
    assert webhooks.delivery_attempt(event_id=event_id, now=delivery.next_attempt_at + later).status == "failed"
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 3 and delivery.last_status_code == 503


def test_a_private_address_is_refused_again_when_sending(delivery, monkeypatch):
    """An address that resolved outside when registered but inside now (DNS rebinding) is not sent to."""
    from jps.webhooks import addresses

    monkeypatch.setattr(addresses, "resolve", lambda host, port: ["10.1.2.3"])
    monkeypatch.setattr(webhooks, "post", lambda url, **kw: pytest.fail("sent"))
    assert webhooks.delivery_attempt(event_id=str(delivery.event_id)).status == "pending"
    delivery.refresh_from_db()
    assert "private" in delivery.last_error


def test_the_snippet_in_the_api_docs_verifies_a_delivery(delivery, monkeypatch):
    """docs/api.md's ``verified`` accepts what JPS sends, and refuses a changed body or another secret."""
    import re
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    (snippet,) = [block for block in re.findall(r"```python\n(.*?)```", docs, re.S) if "def verified" in block]
    namespace: dict = {}
    exec(snippet, namespace)
    posts = []
    monkeypatch.setattr(webhooks, "post", lambda url, **kw: posts.append(kw) or Answer(204))
    webhooks.delivery_attempt(event_id=str(delivery.event_id))
    (sent,) = posts
    verified, secret = namespace["verified"], delivery.endpoint.secret
    assert verified(secret, sent["headers"], sent["body"])
    assert not verified(secret, sent["headers"], sent["body"] + b" ")
    assert not verified("whsec_other", sent["headers"], sent["body"])
