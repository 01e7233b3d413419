"""Review tiers and escalations through a real Celery worker on the real Redis (as ``test_worker.py``)."""

from __future__ import annotations

import datetime
import time

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from jps import models as m
from jps import services
from tasks import jobs
from tests import factories as f
from tests.tasks.conftest import at
from tests.tasks.test_review_tiers import tiers  # noqa: F401  (the fixture)

pytestmark = pytest.mark.celery
TIMEOUT = 60


def test_the_daily_digest_on_the_worker_reaches_inspector_chief_inspector_and_manager(
    celery_worker,
    tiers,  # noqa: F811
    housing,
):
    manager = f.UserFactory(username="orbit_manager", role=m.User.Role.PARTNER, agency=housing)
    housing.manager = manager
    housing.save()
    m.Action.objects.create(
        problem=tiers.high,
        action_type=m.Action.Type.PREVENTION,
        description="Fit a door camera for the victim",
        agency=housing,
        due_on=datetime.date(2026, 4, 1),
        created_by=tiers.world.pcso,
    )
    with time_machine.travel(at("2026-04-26"), tick=True):
        first = jobs.daily_digest.delay().get(timeout=TIMEOUT)
        again = jobs.daily_digest.delay().get(timeout=TIMEOUT)
    assert first["by_kind"]["review_tier_inspector"] == 2  # the high- and the medium-risk problem
    assert first["by_kind"]["review_tier_chief"] == 1  # the high-risk problem only
    assert first["by_kind"]["action_escalation"] == 1
    assert again["digests"] == 0 and again["reminders"] == 0  # once per period, whatever the reruns

    (inspector,) = [message for message in mail.outbox if message.to == [tiers.inspector.email]]
    assert inspector.subject == "JPS reminders: 2 items need your attention"
    (chief,) = [message for message in mail.outbox if message.to == [tiers.chief.email]]
    assert chief.subject == f"JPS reminder: chief inspector's review due — {tiers.high.reference}"
    (escalated,) = [message for message in mail.outbox if message.to == [manager.email]]
    assert "Fit a door camera" in escalated.body and "25 days overdue (Orbit Housing)" in escalated.body


def test_an_escalate_decision_reaches_the_inspector_promptly_through_the_worker_once(
    celery_worker,
    tiers,  # noqa: F811
    supervisor,
):
    reason = "Victim assaulted again; an inspector must decide on a closure order today."
    with transaction.atomic():
        services.review_record(problem=tiers.high, by=supervisor, comment=reason, decision="escalate")
        assert not mail.outbox  # nothing before the commit
    deadline = time.monotonic() + TIMEOUT
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.2)
    (message,) = mail.outbox
    assert message.to == [tiers.inspector.email] and reason in message.body
    assert not m.Reminder.objects.filter(sent_at__isnull=True).exists()

    jobs.deliver_pending.delay().get(timeout=TIMEOUT)
    assert len(mail.outbox) == 1
