"""The jobs through a real Celery worker on the real Redis, with time moved on by time-machine."""

from __future__ import annotations

import time
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction

from jps import services
from jps.models import Problem, ProgressUpdate, Reminder, Source
from tasks import jobs
from tasks.queue import enqueue, enqueue_on_commit
from tests import factories as f
from tests.tasks import conftest
from tests.tasks.conftest import at

pytestmark = pytest.mark.celery
TIMEOUT = 60


def recipients() -> list[str]:
    return sorted(message.to[0] for message in mail.outbox)


def test_the_daily_digest_runs_on_the_worker(celery_worker, world, settings):
    settings.SITE_URL = "https://jps.example.org"
    with time_machine.travel(at("2026-06-10"), tick=True):
        result = jobs.daily_digest.delay().get(timeout=TIMEOUT)
    assert result["digests"] == 6 and result["sent_items"] == 9
    assert result["by_kind"] == {
        "review_overdue": 4,
        "review_escalation": 1,
        "action_due_soon": 1,
        "action_overdue": 1,
        "public_update_due": 1,
        "evaluation_waiting": 1,
    }
    (digest,) = [m for m in mail.outbox if m.to == [world.supervisor.email]]
    assert digest.subject == "JPS reminders: 2 items need your attention"
    assert f"{world.late.reference} {world.late.title}" in digest.body
    assert f"{world.recent.reference} {world.recent.title}" in digest.body
    assert f"https://jps.example.org/problems/{world.late.pk}/" in digest.alternatives[0][0]


def test_escalation_after_the_grace_period_and_no_duplicate_on_rerun(celery_worker, world):
    with time_machine.travel(at("2026-06-03"), tick=True):  # only the late problem is overdue
        first = jobs.review_overdue.delay().get(timeout=TIMEOUT)
    assert first["by_kind"] == {"review_overdue": 2}  # the late problem: its owner and the supervisor
    assert recipients() == sorted([world.pcso.email, world.supervisor.email])
    assert not Reminder.objects.filter(kind="review_escalation").exists()

    with time_machine.travel(at("2026-06-09"), tick=True):  # 8 days overdue: past the 7-day grace
        second = jobs.review_overdue.delay().get(timeout=TIMEOUT)
        rerun = jobs.review_overdue.delay().get(timeout=TIMEOUT)
    assert second["digests"] == 3  # the recent problem to owner and supervisor; the escalation to the inspector
    (escalation,) = [m for m in mail.outbox if m.to == [world.inspector.email]]
    assert escalation.subject == f"JPS reminder: overdue review escalated — {world.late.reference}"
    # The rerun finds nothing newly due (items already reminded for their period are skipped) and sends nothing.
    assert rerun["digests"] == 0 and rerun["items"] == 0 and rerun["reminders"] == 0
    assert len(mail.outbox) == 5
    assert Counter(m.to[0] for m in mail.outbox)[world.pcso.email] == 2  # one digest per run


def test_two_runs_at_once_send_nothing_twice(celery_worker_concurrent, world, settings, pcso, neighbourhood, category):
    settings.EMAIL_BACKEND = "tests.tasks.conftest.SlowEmailBackend"
    conftest.SENT_BY.clear()
    for n in range(8):  # more people with something overdue, so both workers have work to share
        owner = f.UserFactory(username=f"officer{n}", agency=pcso.agency, neighbourhoods=[neighbourhood])
        due = at("2026-06-03").date()
        f.ProblemFactory(owner=owner, neighbourhood=neighbourhood, category=category, next_review_due=due)
    with time_machine.travel(at("2026-06-10"), tick=True):
        results = [jobs.daily_digest.delay(), jobs.daily_digest.delay()]
        one, two = (r.get(timeout=TIMEOUT) for r in results)

    expected_people = 6 + 8
    assert len(mail.outbox) == expected_people
    assert len(set(recipients())) == expected_people  # nobody twice
    assert one["sent_items"] + two["sent_items"] == Reminder.objects.count() == 9 + 8 * 2
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
    if connection.vendor == "postgresql":
        # Proof the runs overlapped. (The embedded SQLite database serialises writers: there
        # the second run may wait on a lock, retry, and find everything sent.)
        threads = {thread for thread, _ in conftest.SENT_BY}
        assert len(threads) == 2, "both runs should have delivered part of the digests, at the same time"


def test_a_write_succeeds_while_the_broker_is_unreachable(
    closed_broker, transactional_db, pcso, supervisor, neighbourhood, category, web_editor, caplog
):
    started = time.monotonic()
    with transaction.atomic():
        problem = services.problem_create(  # adopted at once by the district's supervisor
            by=supervisor,
            neighbourhood=neighbourhood,
            category=category,
            source=Source.PACT_MEETING,
            originator="Northgate PACT",
            title="Cars parked on the school zig-zags",
            description="Parents park on the markings at pick-up time.",
            public_priority=True,
        )
        enqueue_on_commit(jobs.deliver_pending)
    update = services.update_add(problem=problem, by=pcso, text="Leaflets delivered", propose_public=True)
    with transaction.atomic():
        services.update_decide(update=update, by=web_editor, approve=True, public_text="Leaflets delivered to parents.")
        enqueue_on_commit(jobs.public_update_due)

    assert Problem.objects.filter(pk=problem.pk).exists()
    assert ProgressUpdate.objects.get(pk=update.pk).status == ProgressUpdate.Status.APPROVED
    failures = [r for r in caplog.records if r.name == "tasks.queue"]
    assert [r.getMessage().split(";")[0] for r in failures] == [
        "Could not queue jps.publishing.publish_site",  # a new public priority is published at once
        "Could not queue reminders.deliver_pending",
        "Could not queue jps.publishing.publish_site",  # the approval's own export trigger
        "Could not queue reminders.public_update_due",
    ]
    assert time.monotonic() - started < 10, "a dead broker must not hold up the request"
    assert enqueue(jobs.deliver_pending) is False


def test_without_redis_the_job_runs_inline(transactional_db, world, settings):
    """The embedded demo: no REDIS_URL, tasks eager; queueing a job simply runs it."""
    from tasks.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with time_machine.travel(at("2026-06-10"), tick=True), transaction.atomic():
            enqueue_on_commit(jobs.daily_digest)
            assert not mail.outbox  # not before the commit
    finally:
        app.conf.task_always_eager = saved
    assert len(mail.outbox) == 6
