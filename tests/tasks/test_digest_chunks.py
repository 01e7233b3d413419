"""The first day's digest shared by several workers: chunks of recipients, each sent exactly once."""

from __future__ import annotations

import time
from collections import Counter

import pytest
import time_machine
from django.core import mail

from jps import reminders
from jps.models import Reminder
from tasks import jobs
from tests import factories as f
from tests.tasks import conftest
from tests.tasks.conftest import at

TIMEOUT = 60


def more_people(pcso, neighbourhood, category, n: int) -> None:  # type: ignore[no-untyped-def]
    """``n`` more officers with an overdue review each, so there are chunks to share."""
    for i in range(n):
        owner = f.UserFactory(username=f"officer{i}", agency=pcso.agency, neighbourhoods=[neighbourhood])
        f.ProblemFactory(
            owner=owner, neighbourhood=neighbourhood, category=category, next_review_due=at("2026-06-03").date()
        )


def wait_until_sent(timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while Reminder.objects.filter(sent_at__isnull=True).exists():
        assert time.monotonic() < deadline, "the chunks were not all sent in time"
        time.sleep(0.2)


@pytest.mark.celery
def test_the_digest_is_sent_in_chunks_by_every_worker_once(
    celery_worker_concurrent, world, settings, pcso, neighbourhood, category
):
    settings.EMAIL_BACKEND = "tests.tasks.conftest.SlowEmailBackend"
    settings.JPS_DIGEST_CHUNK = 2
    conftest.SENT_BY.clear()
    more_people(pcso, neighbourhood, category, 10)
    with time_machine.travel(at("2026-06-10"), tick=True):
        result = jobs.daily_digest.delay().get(timeout=TIMEOUT)
        wait_until_sent()
    people = 6 + 10
    assert result["chunks"] == people // 2 and result["digests"] == 0  # each chunk counts its own
    sent = Counter(message.to[0] for message in mail.outbox)
    assert len(sent) == people and set(sent.values()) == {1}
    assert len({thread for thread, _ in conftest.SENT_BY}) == 2  # both worker threads took chunks
    assert not Reminder.objects.exclude(claim_token="").exists()


@pytest.mark.celery
def test_two_chunks_racing_on_the_same_recipients_send_each_digest_once(
    celery_worker_concurrent, world, settings, pcso, neighbourhood, category
):
    settings.EMAIL_BACKEND = "tests.tasks.conftest.SlowEmailBackend"
    conftest.SENT_BY.clear()
    more_people(pcso, neighbourhood, category, 6)
    with time_machine.travel(at("2026-06-10"), tick=True):
        collected = reminders.JobResult(job="collect")
        for name in reminders.COLLECTORS:
            reminders.collect(name, now=at("2026-06-10"), result=collected, progress=reminders.NoProgress())
        keys = sorted(set(Reminder.objects.values_list("recipient_key", flat=True)))
        racing = [jobs.send_digest_chunk.delay(recipient_keys=keys) for _ in range(2)]
        one, two = (r.get(timeout=TIMEOUT) for r in racing)
    assert one["digests"] + two["digests"] == len(keys) == 6 + 6
    sent = Counter(message.to[0] for message in mail.outbox)
    assert len(sent) == len(keys) and set(sent.values()) == {1}
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_without_redis_the_digest_runs_here_in_one_go(world, settings, pcso, neighbourhood, category):
    """Eager mode (the demo): no chunks are queued; this process sends every digest."""
    from tasks.celery import app

    settings.JPS_DIGEST_CHUNK = 2
    more_people(pcso, neighbourhood, category, 4)
    saved, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        with time_machine.travel(at("2026-06-10"), tick=True):
            result = jobs.daily_digest.apply().get()
    finally:
        app.conf.task_always_eager = saved
    assert result["chunks"] == 0 and result["digests"] == 6 + 4
    assert len(mail.outbox) == 6 + 4
