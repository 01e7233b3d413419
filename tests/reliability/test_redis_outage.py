"""Redis (the broker) goes away and comes back.

A private redis-server is killed with SIGKILL and started again on the same port. While
it is gone, writes still succeed (queueing is logged and skipped, ``tasks.queue``) and
/healthz says the broker is down; what was not queued is caught up by the scheduled
nightly export; once Redis is back, queued tasks flow again through the same worker.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import transaction

from jps import services
from jps.models import ProgressUpdate
from tasks.publishing import publish_site_task
from tasks.queue import enqueue
from tests import factories as f
from tests.celery_fixtures import running_worker
from tests.publicsite.site import priority_page

from .conftest import PrivateRedis

pytestmark = pytest.mark.celery
TIMEOUT = 60


def approve(problem, *, pcso, web_editor, text: str) -> ProgressUpdate:  # type: ignore[no-untyped-def]
    """A web editor approves a public update: a write that queues an export on commit."""
    update = services.update_add(problem=problem, by=pcso, text=f"Internal: {text}", propose_public=True)
    with transaction.atomic():
        services.update_decide(update=update, by=web_editor, approve=True, public_text=text)
    update.refresh_from_db()
    return update


def test_redis_goes_away_and_comes_back(
    private_redis: PrivateRedis,
    transactional_db,
    client,
    settings,
    pcso,
    web_editor,
    neighbourhood,
    category,
):
    settings.REDIS_URL = private_redis.url  # what /healthz checks
    problem = f.ProblemFactory(
        owner=pcso,
        neighbourhood=neighbourhood,
        category=category,
        public_priority=True,
        adopted_on=datetime.date(2026, 1, 5),
    )
    page = settings.PUBLIC_SITE_DIR / "current" / priority_page(problem)

    with running_worker(url=private_redis.url):
        assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "broker": "ok"}
        assert publish_site_task.delay(full=True).get(timeout=TIMEOUT)["full"] is True
        assert page.exists()
        wait_for(lambda: not private_redis.client().hlen("unacked"))  # acknowledged (late) before we pull the plug

        private_redis.kill()

        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.json() == {"status": "error", "database": "ok", "broker": "error"}
        with captured("tasks.queue", "jps.publishing") as records:
            during = approve(problem, pcso=pcso, web_editor=web_editor, text="Patrols doubled during the outage.")
        assert during.status == ProgressUpdate.Status.APPROVED  # the write stands
        assert during.history.first().history_user == web_editor
        lost = [r.getMessage() for r in records]
        assert lost[0].startswith("Could not queue jps.publishing.publish_site")
        assert "the nightly export will catch up" in lost[1]
        assert "Patrols doubled" not in page.read_text()  # the export it would have queued is lost

        private_redis.start()  # same port, empty: whatever was queued in it is gone too

        assert client.get("/healthz").status_code == 200
        # The nightly full export (django-celery-beat sends it at 02:30) catches up the lost one.
        nightly = publish_site_task.apply_async(kwargs={"full": True})
        assert nightly.get(timeout=TIMEOUT)["full"] is True
        assert "Patrols doubled during the outage." in page.read_text()

        # And tasks queued by writes flow again, to the same worker, without anyone restarting it.
        with captured("tasks.queue", "jps.publishing") as records:
            approve(problem, pcso=pcso, web_editor=web_editor, text="Parade cleared of litter.")
        assert records == []
        assert enqueue(publish_site_task, full=False) is True
        wait_for(lambda: "Parade cleared of litter." in page.read_text())


@contextmanager
def captured(*names: str) -> Iterator[list[logging.LogRecord]]:
    """Records of these loggers. (caplog's root handler does not survive a worker thread's
    logging set-up, so the test listens on the loggers themselves.)"""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = records.append  # type: ignore[method-assign]
    for name in names:
        logging.getLogger(name).addHandler(handler)
    try:
        yield records
    finally:
        for name in names:
            logging.getLogger(name).removeHandler(handler)


def wait_for(condition, timeout: float = TIMEOUT) -> None:  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("the queued export did not run in time")
