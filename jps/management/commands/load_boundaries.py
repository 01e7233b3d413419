"""python manage.py load_boundaries FILE.geojson — ward boundaries onto neighbourhoods.

A GeoJSON FeatureCollection of Polygon/MultiPolygon features, matched by the ``slug`` or
``name`` property. On PostgreSQL the national file (~9,000 wards) loads set-based in seconds
(``jps/boundaries.py``).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jps.boundaries import boundaries_load
from jps.progress import BarProgress, Stopwatch, add_progress_arguments, progress_wanted, summary


class Command(BaseCommand):
    help = "Store ward boundaries on neighbourhoods from a GeoJSON file, matched by slug or name."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A GeoJSON FeatureCollection of Polygon/MultiPolygon features.")
        add_progress_arguments(parser)

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        clock = Stopwatch()
        try:
            with open(file, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        features = data.get("features") if isinstance(data, dict) else None
        if not isinstance(features, list):
            raise CommandError(f"{file} is not a GeoJSON FeatureCollection.")
        bar = BarProgress(enabled=progress_wanted(options), unit=" wards")
        bar.start("boundaries", len(features))
        result = boundaries_load(features=features, tick=bar.advance)
        bar.finish()
        for name in result.rejected:
            self.stderr.write(f"Not matched: {name}")
        counts = {"updated": result.updated, "unchanged": result.unchanged, "rejected": len(result.rejected)}
        self.stdout.write(summary("load_boundaries", clock.seconds, **counts))
