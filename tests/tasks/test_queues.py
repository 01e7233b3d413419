"""A queue per kind of job (jps/settings.py, docs/deploy.md): a worker started for the reminders takes only them."""

from __future__ import annotations

import pytest
import redis

from tasks import jobs
from tasks.celery import app
from tasks.publishing import publish_site_task
from tests.celery_fixtures import running_worker
from tests.parallel import REDIS_URL

pytestmark = pytest.mark.celery
TIMEOUT = 60


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("reminders.daily_digest", "reminders"),
        ("reminders.send_digest_chunk", "reminders"),
        ("jps.publishing.publish_site", "publishing"),
        ("jps.publishing.send_alert_digests", "publishing"),
        ("webhooks.deliver", "celery"),
        ("privacy.redact_personal_data", "celery"),
    ],
)
def test_each_kind_of_job_has_its_queue(task, queue):
    assert app.amqp.router.route({}, task)["queue"].name == queue


def test_a_reminders_worker_runs_reminders_and_leaves_an_export_queued(transactional_db):
    queued = redis.Redis.from_url(REDIS_URL)
    # -Q reminders, as the compose file's reminders worker (no ping: celery.ping goes to the default queue).
    try:
        with running_worker(queues=["reminders"], perform_ping_check=False) as worker:
            assert sorted(q.name for q in worker.consumer.task_consumer.queues) == ["reminders"]
            export = publish_site_task.delay(full=True)
            result = jobs.review_overdue.delay().get(timeout=TIMEOUT)
            assert result["failed"] == 0
            assert queued.llen("publishing") == 1  # waiting for the publishing worker, not taken by this one
            assert export.state == "PENDING"
    finally:
        queued.delete("publishing")
