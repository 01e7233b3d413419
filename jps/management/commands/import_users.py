"""python manage.py import_users FILE.csv [--force KNT] [--create-missing] — onboarding staff in bulk.

A file with any bad row imports nothing and reports every problem with its line number. A
national file (30,000 staff) imports in seconds (``jps/user_bulk.py``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jps.models import Force
from jps.progress import BarProgress, Stopwatch, add_progress_arguments, progress_wanted, summary
from jps.user_import import ImportResult, users_import_csv


class Command(BaseCommand):
    help = (
        "Import staff from a CSV with columns username, email, name, role, agency, district and/or neighbourhood "
        "(several areas separated by ';'). A file with any bad row imports nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv_file")
        parser.add_argument("--force", help="Force code (e.g. KNT) that new districts and agencies belong to.")
        parser.add_argument(
            "--create-missing", action="store_true", help="Create agencies, districts and neighbourhoods not known yet."
        )
        add_progress_arguments(parser)

    def handle(
        self, *args: Any, csv_file: str, force: str | None = None, create_missing: bool = False, **options: Any
    ) -> None:
        clock = Stopwatch()
        force_obj = None
        if force:
            force_obj = Force.objects.filter(code__iexact=force).first()
            if force_obj is None:
                raise CommandError(f"No force with code '{force}'.")
        progress = BarProgress(enabled=progress_wanted(options), unit=" staff")
        try:
            with open(csv_file, newline="", encoding="utf-8-sig") as stream:
                result = users_import_csv(
                    stream=stream, force=force_obj, create_missing=create_missing, progress=progress
                )
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {csv_file}: {exc}") from exc
        finally:
            progress.finish()
        if not result.ok:
            for error in result.errors:
                self.stderr.write(error)
            self.stdout.write(self._summary(result, clock.seconds))
            raise CommandError(f"{len(result.errors)} problem(s) found; nothing was imported.")
        for name in sorted(result.created_agencies | result.created_areas):
            self.stdout.write(f"  created {name}")
        self.stdout.write(self.style.SUCCESS(self._summary(result, clock.seconds)))

    @staticmethod
    def _summary(result: ImportResult, seconds: float) -> str:
        counts = {
            "created": len(result.created),
            "updated": len(result.updated),
            "unchanged": len(result.unchanged),
            "rejected": len(result.bad_lines),
        }
        return summary("import_users", seconds, **counts)
