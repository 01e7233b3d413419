"""Reminders: who must be nudged about what, recorded once per due period, sent as one digest per person.

Every job runs in two steps, so that it is idempotent and survives being killed:

1. **collect** walks only the items that are due (indexed queries, streamed with
   ``.iterator()``) and inserts one ``Reminder`` row per (kind, item, recipient, due
   period), ignoring conflicts with the unique constraint. A rerun, a retry or a second
   worker inserts the same rows and the database keeps one.
2. **deliver** takes each recipient with unsent rows, claims those rows with a
   conditional UPDATE (only rows nobody holds, or whose claim has gone stale), sends one
   digest listing them all, then marks them sent. Two workers never claim the same row;
   a worker killed between claim and send leaves rows that the next run reclaims once
   the claim is older than ``CLAIM_TIMEOUT``.

Tasks (``tasks.jobs``) and the ``run_job`` command are thin wrappers around ``run_job``. The package:
``common`` (settings, progress, recipients), ``collectors`` (step 1; ``victims``, the high-risk victim
collector; ``contacts``, the contacts agreed with victims and complainants), ``delivery`` (step 2 and
``run_job``), ``selectors`` (what a person sees of their reminders).
"""

from __future__ import annotations

from .collectors import COLLECTORS, JOBS, collect
from .common import CLAIM_TIMEOUT, JobResult, NoProgress, Progress
from .delivery import FanOut, deliver_chunk, deliver_pending, deliver_to, digest_context, parse_now, run_job
from .selectors import escalations_awaiting, reminders_for

__all__ = [
    "CLAIM_TIMEOUT",
    "COLLECTORS",
    "FanOut",
    "JOBS",
    "JobResult",
    "NoProgress",
    "Progress",
    "collect",
    "deliver_chunk",
    "deliver_pending",
    "deliver_to",
    "digest_context",
    "escalations_awaiting",
    "parse_now",
    "reminders_for",
    "run_job",
]
