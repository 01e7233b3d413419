"""Load neighbourhood boundaries from a GeoJSON FeatureCollection (property ``slug`` or ``name``)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jps.casework.field import neighbourhood_boundaries_load


class Command(BaseCommand):
    help = "Store ward boundaries on neighbourhoods from a GeoJSON file, matched by slug or name."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="A GeoJSON FeatureCollection of Polygon/MultiPolygon features.")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        try:
            with open(file, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        features = data.get("features") if isinstance(data, dict) else None
        if not isinstance(features, list):
            raise CommandError(f"{file} is not a GeoJSON FeatureCollection.")
        stored, unmatched = neighbourhood_boundaries_load(features=features)
        self.stdout.write(f"{stored} boundaries stored.")
        for name in unmatched:
            self.stderr.write(f"Not matched: {name}")
