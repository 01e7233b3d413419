"""python manage.py load_postcodes FILE.csv — postcode → neighbourhood, for the public site's finder.

The CSV has a header row with ``postcode`` and ``neighbourhood`` columns, and optionally
``district``; the neighbourhood is matched by slug or name (within the district if given).
Rows that match nothing are reported, not guessed. Re-loading replaces a postcode's mapping.
"""

from __future__ import annotations

import csv
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q

from jps.models import Neighbourhood, Postcode

POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")


def normalise(raw: str) -> tuple[str, str] | None:
    match = POSTCODE.match(raw.strip().upper())
    if not match:
        return None
    return f"{match[1]} {match[2]}", match[1]


class Command(BaseCommand):
    help = "Load a CSV of postcode,neighbourhood[,district] rows for the public neighbourhood finder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv_file")

    def handle(self, *args: Any, csv_file: str, **options: Any) -> None:
        try:
            with open(csv_file, newline="", encoding="utf-8-sig") as handle:
                rows = list(csv.DictReader(handle))
        except OSError as exc:
            raise CommandError(f"Cannot read {csv_file}: {exc}") from exc
        if rows and not {"postcode", "neighbourhood"} <= set(rows[0]):
            raise CommandError("The CSV needs a header row with 'postcode' and 'neighbourhood' columns.")
        cache: dict[tuple[str, str], Neighbourhood | None] = {}
        loaded, problems = 0, []
        with transaction.atomic():
            for line, row in enumerate(rows, start=2):
                parsed = normalise(row.get("postcode") or "")
                key = ((row.get("neighbourhood") or "").strip(), (row.get("district") or "").strip())
                if key not in cache:
                    qs = Neighbourhood.objects.filter(Q(slug__iexact=key[0]) | Q(name__iexact=key[0]))
                    if key[1]:
                        qs = qs.filter(Q(district__slug__iexact=key[1]) | Q(district__name__iexact=key[1]))
                    found = list(qs[:2])
                    cache[key] = found[0] if len(found) == 1 else None
                nbhd = cache[key]
                if parsed is None or nbhd is None:
                    problems.append(
                        f"line {line}: {'bad postcode' if parsed is None else 'unknown or ambiguous neighbourhood'}"
                    )
                    continue
                Postcode.objects.update_or_create(
                    postcode=parsed[0], defaults={"outward": parsed[1], "neighbourhood": nbhd}
                )
                loaded += 1
        for problem in problems[:20]:
            self.stderr.write(problem)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {loaded} postcodes; skipped {len(problems)}. Run publish_site --full to publish them."
            )
        )
