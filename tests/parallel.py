"""The suite split over pytest-xdist workers (``make test``): what each worker must have of its own.

- PostgreSQL: pytest-django gives each worker its own test database (``test_<name>_gw0``, ``_gw1``...),
  created and migrated by the owner; ``tests/conftest.py`` then works as the app role in each.
- Redis: the Celery queue lives in a Redis database. Two workers sharing one would take each other's
  tasks (a test's export queued on commit, picked up by another worker's real Celery worker) and purge
  each other's queue. So worker ``gwN`` uses the database ``N`` after the configured one:
  ``REDIS_URL=redis://127.0.0.1:6379/8`` gives gw0 database 8 and gw1 database 9.
- Ports (the live server, the reliability tests' app server and private redis-server) are free ports
  the OS hands out; files go to each test's ``tmp_path``.

Without xdist (one process), nothing changes: the worker index is 0.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

#: Redis has 16 databases (0-15); 15 is ``tests/jps/test_scale.py``'s shared-cache database, which it empties.
LAST_BROKER_DB = 14
#: Where the real-worker tests find Redis when ``REDIS_URL`` is unset (the suite then queues nothing else).
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"


def worker_index() -> int:
    """0, 1, ... for xdist's workers gw0, gw1, ...; 0 when the suite runs in one process."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0


def for_this_worker(url: str, index: int | None = None) -> str:
    """``url`` with its Redis database number moved on by this worker's index."""
    index = worker_index() if index is None else index
    parts = urlsplit(url)
    db = int(parts.path.strip("/") or 0) + index
    if db > LAST_BROKER_DB:
        raise RuntimeError(
            f"xdist worker {index} would use Redis database {db} of {url}: run fewer workers (-n) "
            f"or point REDIS_URL at a lower database (the last one usable is {LAST_BROKER_DB})"
        )
    return urlunsplit(parts._replace(path=f"/{db}"))


#: Set in the environment: every test's and child process's broker. Unset: only the real-worker tests use one.
CONFIGURED_REDIS_URL = os.environ.get("REDIS_URL", "")
#: This worker's Redis, computed once (``tests/conftest.py`` writes it back into the environment).
REDIS_URL = for_this_worker(CONFIGURED_REDIS_URL or DEFAULT_REDIS_URL)


def isolate_redis() -> None:
    """Point the settings, the Celery app and child processes at this worker's Redis database.

    Django's settings were read before any conftest is imported (pytest-django sets Django up
    first), so the environment alone is too late for them: they are set here as well.
    """
    if not CONFIGURED_REDIS_URL or REDIS_URL == CONFIGURED_REDIS_URL:
        return
    from django.conf import settings

    from tasks.celery import app

    os.environ["REDIS_URL"] = REDIS_URL
    settings.REDIS_URL = REDIS_URL
    settings.CELERY_BROKER_URL = REDIS_URL
    app.conf.broker_url = REDIS_URL
