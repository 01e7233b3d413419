"""A real Celery worker on the real Redis of this machine, for any test package.

Import the fixtures into a package's ``conftest.py``::

    from tests.celery_fixtures import celery_worker, celery_worker_concurrent, closed_broker  # noqa: F401

``celery_worker`` points the project's Celery app at ``REDIS_URL`` (default
``redis://127.0.0.1:6379/3`` when unset, so the suite also runs from a plain shell; under
pytest-xdist, each worker's own database after it: ``tests/parallel.py``), as broker and
result backend, purges the queue, and starts celery's own test worker in a thread. Tests using
it need committed data: they depend on ``transactional_db``.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping, used by the start-up check)
import pytest
from celery import Celery, signals
from celery.contrib.testing.worker import start_worker
from django.db import connections

from tasks.celery import app as project_app
from tests.parallel import REDIS_URL


def _forget_connections(app: Celery) -> None:
    """Drop the app's cached broker pool, producer pool and result backend so a new URL takes effect.

    The pools themselves stay open in kombu's registry (keyed by URL) and are reused next time.
    """
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    if hasattr(app._local, "backend"):
        del app._local.backend


@contextmanager
def celery_pointed_at(url: str, *, app: Celery = project_app, results: bool = True) -> Iterator[Celery]:
    """Point ``app`` at ``url`` (broker, and result backend unless ``results`` is False), not eagerly."""
    keys = ("broker_url", "result_backend", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    _forget_connections(app)
    app.conf.update(broker_url=url, result_backend=url if results else None, task_always_eager=False)
    try:
        yield app
    finally:
        _forget_connections(app)
        app.conf.update(saved)


def _close_worker_db_connections(**kwargs: Any) -> None:
    """Runs in the worker thread after each task: its Django connections must not outlive the test."""
    connections.close_all()


@contextmanager
def running_worker(*, pool: str = "solo", concurrency: int = 1, url: str = REDIS_URL, **options: Any) -> Iterator[Any]:
    """celery's test worker, in a thread of this process, consuming from Redis (``url``)."""
    with celery_pointed_at(url) as app:
        app.control.purge()
        signals.task_postrun.connect(_close_worker_db_connections, weak=False)
        consuming = app.amqp.queues._consume_from  # `queues=` (-Q) narrows the app's own selection: undone after
        try:
            with start_worker(app, pool=pool, concurrency=concurrency, shutdown_timeout=60, **options) as worker:
                yield worker
        finally:
            app.amqp.queues._consume_from = consuming
            signals.task_postrun.disconnect(_close_worker_db_connections)


@pytest.fixture
def celery_worker(transactional_db: None) -> Iterator[Any]:
    """One real worker; send tasks with ``.delay()`` and wait with ``.get(timeout=...)``."""
    with running_worker() as worker:
        yield worker


@pytest.fixture
def celery_worker_concurrent(transactional_db: None) -> Iterator[Any]:
    """A real worker running two tasks at once (thread pool), each with its own database connection.

    (Two solo test workers in one process share kombu's global event loop and do not
    reliably both consume; a pool of two is the dependable way to run jobs in parallel.)
    """
    with running_worker(pool="threads", concurrency=2) as worker:
        yield worker


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def closed_broker() -> Iterator[str]:
    """The Celery app pointed at a Redis URL on a closed port: every publish fails."""
    url = f"redis://127.0.0.1:{closed_port()}/0"
    with celery_pointed_at(url, results=False):
        yield url
