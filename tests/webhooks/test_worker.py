"""Deliveries on the real Celery worker (Redis) to a real receiver: signatures, retries, no duplicates."""

from __future__ import annotations

import time

import pytest

from jps import models as m
from jps import services
from jps.webhooks import services as webhooks
from tasks import webhooks as tasks
from tests.webhooks.conftest import endpoint_for

pytestmark = pytest.mark.celery
TIMEOUT = 60


def wait_until(check, timeout: float = TIMEOUT) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert check()


def test_events_are_signed_retried_after_500s_and_never_accepted_twice(
    celery_worker, receiver, council_admin, housing_admin, council, housing, problem, pcso
):
    council_hook = endpoint_for(receiver, council, council_admin, ["action.assigned", "problem.stage_changed"], "/c")
    endpoint_for(receiver, housing, housing_admin, ["action.assigned", "problem.stage_changed"], "/h")
    receiver.fail_first(2)
    # Committed writes (transactional test): the deliveries are queued when each commits.
    action = services.action_add(
        problem=problem, by=pcso, action_type="prevention", description="Fix the lights", agency=council
    )
    receiver.wait_for(accepted=1)
    wait_until(lambda: m.WebhookDelivery.objects.filter(status="delivered").count() == 1)
    delivery = m.WebhookDelivery.objects.get()
    assert delivery.endpoint == council_hook and delivery.attempts == 3 and delivery.last_status_code == 204
    assert [r.status for r in receiver.received] == [500, 500, 204]
    assert all(r.signed for r in receiver.received)  # every attempt signed with the council's secret
    assert {r.event_id for r in receiver.received} == {str(delivery.event_id)}
    accepted = receiver.accepted()[0]
    assert accepted.headers["x-jps-event"] == "action.assigned"
    assert accepted.json["id"] == str(delivery.event_id) and accepted.json["data"]["id"] == action.pk
    assert accepted.json["data"]["agency_name"] == council.name

    # A replayed task, and the sweep, send nothing more.
    assert tasks.deliver.delay(event_id=str(delivery.event_id)).get(timeout=TIMEOUT) == "skipped"
    assert tasks.deliver_due.delay().get(timeout=TIMEOUT) == 0
    assert len(receiver.received) == 3 and receiver.duplicates_accepted() == 0

    # The stage change reaches the council (taking part), never housing, which takes no part.
    services.problem_transition(problem=problem, to=m.Stage.ANALYSIS, by=pcso)
    receiver.wait_for(accepted=2)
    changed = receiver.accepted()[1]
    assert changed.headers["x-jps-event"] == "problem.stage_changed" and changed.signed
    assert changed.json["data"]["problem"]["reference"] == problem.reference
    time.sleep(0.5)
    assert m.WebhookDelivery.objects.filter(endpoint__agency=housing).count() == 0
    assert receiver.duplicates_accepted() == 0


def test_a_receiver_down_for_good_is_given_up_on(celery_worker, receiver, council_admin, council, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    hook = endpoint_for(receiver, council, council_admin, ["action.assigned"], "/c")
    receiver.fail_first(100)
    event_id = str(webhooks.ping_send(endpoint=hook, by=council_admin).event_id)
    wait_until(lambda: m.WebhookDelivery.objects.get(event_id=event_id).status == "failed")
    delivery = m.WebhookDelivery.objects.get(event_id=event_id)
    assert delivery.attempts == 3 and delivery.last_status_code == 500 and delivery.next_attempt_at is None
    assert len(receiver.received) == 3 and receiver.accepted() == []


def test_a_wrong_secret_is_refused_by_the_receiver(celery_worker, receiver, council_admin, council, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    hook = endpoint_for(receiver, council, council_admin, ["action.assigned"], "/c")
    receiver.secrets["/c"] = "whsec_not-the-one"
    event_id = str(webhooks.ping_send(endpoint=hook, by=council_admin).event_id)
    wait_until(lambda: m.WebhookDelivery.objects.get(event_id=event_id).status == "failed")
    assert [r.status for r in receiver.received] == [401]
