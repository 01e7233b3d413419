"""``/api/webhooks/``: the role matrix, an agency never seeing another's endpoints, the secret once, 400s."""

from __future__ import annotations

import pytest

from jps import models as m
from jps.webhooks import services as webhooks
from tests.api.conftest import client_for

URL = "https://hooks.council.example/jps"


@pytest.fixture(autouse=True)
def _public_dns(monkeypatch, sent):  # type: ignore[no-untyped-def]
    from jps.webhooks import addresses

    real = addresses.resolve
    monkeypatch.setattr(
        addresses, "resolve", lambda host, port: ["93.184.215.14"] if host.endswith(".example") else real(host, port)
    )


@pytest.fixture
def council_endpoint(council_admin) -> m.WebhookEndpoint:  # type: ignore[no-untyped-def]
    endpoint = webhooks.endpoint_create(by=council_admin, url=URL, events=["action.assigned"])
    webhooks.ping_send(endpoint=endpoint, by=council_admin)
    return endpoint


@pytest.mark.parametrize(
    ("who", "list_code", "sees_council"),
    [
        ("council_admin", 200, True),
        ("housing_admin", 200, False),
        ("admin_user", 200, True),
        ("council_staff", 403, False),
        ("pcso", 403, False),
        ("supervisor", 403, False),
        ("analyst", 403, False),
        ("web_editor", 403, False),
        ("anonymous", 401, False),
    ],
)
def test_the_role_matrix(request, who, list_code, sees_council, council_endpoint, council_admin, housing_admin):
    if who == "council_staff":
        user = m.User.objects.create(username="council2", role=m.User.Role.PARTNER, agency=council_admin.agency)
    else:
        user = None if who == "anonymous" else request.getfixturevalue(who)
    api = client_for(user)
    listed = api.get("/api/webhooks/")
    assert listed.status_code == list_code
    if list_code == 200:
        assert [e["id"] for e in listed.json()["results"]] == ([council_endpoint.pk] if sees_council else [])
    one = f"/api/webhooks/{council_endpoint.pk}/"
    expected = 200 if sees_council else (401 if user is None else 404)
    assert api.get(one).status_code == expected
    assert api.get(f"{one}deliveries/").status_code == expected
    if not sees_council:
        assert api.post(f"{one}test/").status_code == expected
        assert api.patch(one, {"active": False}, format="json").status_code == expected
        assert api.delete(one).status_code == expected
        assert m.WebhookEndpoint.objects.get().active and m.WebhookDelivery.objects.count() == 1


def test_create_shows_the_secret_once_and_then_never(council_admin, council):
    api = client_for(council_admin)
    created = api.post("/api/webhooks/", {"url": URL, "events": ["action.assigned", "action.overdue"]}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["secret"] == m.WebhookEndpoint.objects.get().secret and body["agency"] == council.pk
    assert body["events"] == ["action.assigned", "action.overdue"]
    assert "secret" not in api.get(f"/api/webhooks/{body['id']}/").json()
    assert "secret" not in api.get("/api/webhooks/").json()["results"][0]
    changed = api.patch(f"/api/webhooks/{body['id']}/", {"events": ["update.approved"]}, format="json")
    assert changed.status_code == 200 and changed.json()["events"] == ["update.approved"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://hooks.council.example/jps", "events": ["action.assigned"]}, "url"),
        ({"url": "https://192.168.1.10/jps", "events": ["action.assigned"]}, "url"),
        ({"url": "https://localhost/jps", "events": ["action.assigned"]}, "url"),
        ({"url": URL, "events": ["action.exploded"]}, "events"),
        ({"url": URL, "events": []}, "events"),
        ({"url": URL, "events": ["action.assigned"], "secret": "mine"}, "secret"),
    ],
)
def test_bad_input_is_a_clear_400_and_nothing_is_saved(council_admin, settings, body, field):
    settings.DEBUG = False
    answer = client_for(council_admin).post("/api/webhooks/", body, format="json")
    assert answer.status_code == 400 and field in answer.json(), answer.json()
    if field == "events":
        assert answer.json()["events"] in (
            ["Choose at least one event."],
            [f"Unknown event type: action.exploded. Choose from: {', '.join(m.webhooks.SUBSCRIBABLE)}."],
        )
    assert not m.WebhookEndpoint.objects.exists()


def test_an_agency_admin_cannot_register_for_another_agency(council_admin, housing):
    answer = client_for(council_admin).post(
        "/api/webhooks/", {"url": URL, "events": ["action.assigned"], "agency": housing.pk}, format="json"
    )
    assert answer.status_code == 403 and not m.WebhookEndpoint.objects.exists()


def test_the_test_ping_and_the_log(council_endpoint, council_admin, sent):
    api = client_for(council_admin)
    ping = api.post(f"/api/webhooks/{council_endpoint.pk}/test/")
    assert ping.status_code == 202 and ping.json()["event"] == "ping" and ping.json()["status"] == "pending"
    assert ping.json()["event_id"] in sent
    log = api.get(f"/api/webhooks/{council_endpoint.pk}/deliveries/").json()
    assert log["count"] == 2 and log["results"][0]["event_id"] == ping.json()["event_id"]


def test_delete_removes_the_endpoint_and_writes_history(council_endpoint, council_admin):
    assert client_for(council_admin).delete(f"/api/webhooks/{council_endpoint.pk}/").status_code == 204
    assert not m.WebhookEndpoint.objects.exists()
    assert m.WebhookEndpoint.history.filter(history_type="-", history_user=council_admin).exists()


def test_in_the_openapi_document():
    paths = client_for(None).get("/api/schema/?format=json").json()["paths"]
    assert {
        "/api/webhooks/",
        "/api/webhooks/{id}/",
        "/api/webhooks/{id}/test/",
        "/api/webhooks/{id}/deliveries/",
    } <= set(paths)
