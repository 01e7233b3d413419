"""``manage.py run_job <job> [--now ISO]``: run a scheduled job once, here and now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jps import reminders
from jps.progress import BarProgress

#: Runs with fewer items than this print a summary only.
PROGRESS_THRESHOLD = 100


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
        progress = BarProgress(
            enabled=not options["no_progress"],
            unit=" items",
            min_total=0 if options["progress"] else PROGRESS_THRESHOLD,
        )
        result = reminders.run_job(job, now=when, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"{job}: {result.items} item(s) due, {result.reminders} reminder(s) checked, "
                f"{result.digests} digest(s) sent with {result.sent_items} item(s), {result.failed} failed."
            )
        )
