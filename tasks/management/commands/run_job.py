"""``manage.py run_job <job> [--now ISO]``: run a scheduled job once, here and now."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from jps import reminders

#: Runs with fewer items than this print a summary only.
PROGRESS_THRESHOLD = 100


class BarProgress:
    """A tqdm bar for each step of a job, shown when the step is large (or always with --progress)."""

    def __init__(self, *, always: bool, enabled: bool = True) -> None:
        self.always = always
        self.enabled = enabled
        self.bar: tqdm[Any] | None = None

    def start(self, label: str, total: int) -> None:
        show = self.enabled and (self.always or total >= PROGRESS_THRESHOLD)
        self.bar = tqdm(total=total, desc=label, unit="item", file=sys.stderr, disable=not show, leave=True)

    def advance(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class Command(BaseCommand):
    help = "Run one scheduled job once: " + ", ".join(reminders.JOBS) + "."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job", choices=reminders.JOBS)
        parser.add_argument(
            "--now", help="Run as if it were this ISO date or date-time (local time), e.g. 2026-12-01T07:00."
        )
        parser.add_argument(
            "--queue", action="store_true", help="Queue the job's Celery task instead of running it here."
        )
        parser.add_argument("--progress", action="store_true", help="Always show progress bars.")
        parser.add_argument("--no-progress", action="store_true", help="Never show progress bars.")

    def handle(self, *args: Any, job: str, now: str | None, queue: bool, **options: Any) -> None:
        try:
            when = reminders.parse_now(now)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if queue:
            from tasks.jobs import TASKS
            from tasks.queue import enqueue

            if not enqueue(TASKS[job], now=when.isoformat() if when else None):
                raise CommandError("Could not reach the broker; see the log. Run without --queue to run it here.")
            self.stdout.write(f"Queued {job}.")
            return
        progress = BarProgress(always=options["progress"], enabled=not options["no_progress"])
        result = reminders.run_job(job, now=when, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"{job}: {result.items} item(s) due, {result.reminders} reminder(s) checked, "
                f"{result.digests} digest(s) sent with {result.sent_items} item(s), {result.failed} failed."
            )
        )
