"""Queueing tasks from the web application without ever failing a write.

A write (a service call) commits first; the task is published afterwards. If Redis is
down, publishing fails: that is logged and swallowed, so the user's change stands and
the next scheduled run catches up. Without ``REDIS_URL`` (the embedded demo) Celery runs
tasks eagerly, so the same call simply does the work inline.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)

#: Publishing retries briefly (a Redis restart), then gives up rather than hold up a request.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def enqueue(task: Task, /, **kwargs: Any) -> bool:
    """Publish ``task`` with keyword arguments now; False (and a logged error) if the broker is unreachable."""
    try:
        task.apply_async(kwargs=kwargs, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception:
        logger.exception("Could not queue %s; the write stands and the next scheduled run will catch up", task.name)
        return False
    return True


def enqueue_on_commit(task: Task, /, **kwargs: Any) -> None:
    """Publish ``task`` once the current transaction commits (at once outside one).

    Never raises because of the broker: see ``enqueue``. Queue from services with::

        from tasks.queue import enqueue_on_commit   # imported inside the function: jps must not import tasks
        enqueue_on_commit(jobs.some_task, problem_id=problem.pk)
    """
    transaction.on_commit(lambda: enqueue(task, **kwargs))
