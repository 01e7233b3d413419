"""python manage.py load_postcodes FILE.csv — postcode → neighbourhood, for the public site's finder.

The CSV has a header row with ``postcode`` and ``neighbourhood`` columns, and optionally
``district``; the neighbourhood is matched by slug or name (within the district if given).
Rows that match nothing are reported, not guessed. Re-loading replaces a postcode's mapping.
On PostgreSQL the national directory (2.7 million rows) loads set-based in about a minute
(``jps/postcodes.py``).
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from jps.postcodes import PostcodeRow, normalise, postcodes_load
from jps.progress import Stopwatch, add_progress_arguments, progress_wanted, summary


class Command(BaseCommand):
    help = "Load a CSV of postcode,neighbourhood[,district] rows for the public neighbourhood finder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv_file")
        add_progress_arguments(parser)

    def handle(self, *args: Any, csv_file: str, **options: Any) -> None:
        clock = Stopwatch()
        try:
            with open(csv_file, "rb") as raw:
                total = max(sum(1 for _ in raw) - 1, 0)
            handle = open(csv_file, newline="", encoding="utf-8-sig")  # noqa: SIM115  (closed below)
        except OSError as exc:
            raise CommandError(f"Cannot read {csv_file}: {exc}") from exc
        bad: list[int] = []
        with handle, tqdm(total=total, unit=" rows", file=sys.stderr, disable=not progress_wanted(options)) as bar:
            reader = csv.DictReader(handle)
            if reader.fieldnames is not None and not {"postcode", "neighbourhood"} <= set(reader.fieldnames):
                raise CommandError("The CSV needs a header row with 'postcode' and 'neighbourhood' columns.")
            result = postcodes_load(rows=self._rows(reader, bad, bar), tick=bar.update)
        skipped = len(bad) + result.unmatched_count
        problems = sorted(
            [(line, "bad postcode") for line in bad[:20]]
            + [(line, "unknown or ambiguous neighbourhood") for line in result.unmatched]
        )
        for line, why in problems[:20]:
            self.stderr.write(f"line {line}: {why}")
        self.stdout.write("Run publish_site --full to publish them.")
        unchanged = result.distinct - result.created - result.changed
        counts = {"created": result.created, "updated": result.changed, "unchanged": unchanged, "rejected": skipped}
        self.stdout.write(self.style.SUCCESS(summary("load_postcodes", clock.seconds, **counts)))

    @staticmethod
    def _rows(reader: csv.DictReader[str], bad: list[int], bar: tqdm) -> Iterator[PostcodeRow]:
        """The parsed rows; a bad postcode's line goes to ``bad`` (and counts on the bar)."""
        for line, row in enumerate(reader, start=2):
            parsed = normalise(row.get("postcode") or "")
            if parsed is None:
                bad.append(line)
                bar.update(1)
                continue
            yield PostcodeRow(
                line,
                parsed[0],
                parsed[1],
                (row.get("neighbourhood") or "").strip(),
                (row.get("district") or "").strip(),
            )
