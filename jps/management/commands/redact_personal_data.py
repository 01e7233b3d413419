"""python manage.py redact_personal_data — the retention rule, run by hand (the schedule runs it nightly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jps.privacy import meetings_redact, personal_data_redact, problems_due_for_redaction, resident_reports_redact
from jps.progress import BarProgress, Stopwatch, add_progress_arguments, progress_wanted, summary


class Command(BaseCommand):
    help = "Redact personal data past JPS_RETENTION_DAYS: of closed problems, meetings and residents' reports."

    def add_arguments(self, parser: CommandParser) -> None:
        add_progress_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        clock = Stopwatch()
        bar = BarProgress(enabled=progress_wanted(options), unit=" problems")
        bar.start("redacting", problems_due_for_redaction().count())
        total = 0
        while done := personal_data_redact():
            total += done
            bar.advance(done)
        bar.finish()
        meetings = meetings_redact()
        reports = resident_reports_redact()
        counts = {"problems_redacted": total, "meetings_redacted": meetings, "resident_reports_or_messages": reports}
        self.stdout.write(self.style.SUCCESS(summary("redact_personal_data", clock.seconds, **counts)))
