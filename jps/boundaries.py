"""Loading ward boundaries (GeoJSON) onto neighbourhoods: national size in seconds.

A national file holds about 9,000 ward polygons. Row by row that was three or four statements
per feature; on PostgreSQL the features are now streamed with ``COPY`` into a temporary staging
table, matched by two ``UPDATE``s (by slug, then by name: hash joins on the upper-cased key), and
one ``UPDATE ... FROM``
writes the boundaries that differ (docs/performance.md, "National reference data"). SQLite (the
demo) matches each distinct key once and writes with ``bulk_update``. Both keep the rules of the
row-by-row load: a feature is matched by its ``slug`` property (case-insensitive); if no
neighbourhood has that slug, by its ``name`` against the name or the public name; only when
exactly one neighbourhood matches. Non-polygons and what matches nothing or several are
reported by name, in file order; the last feature for a neighbourhood wins. ``boundary`` is
excluded from the neighbourhood's history, so no history rows are written (nor were they before).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from .models import Neighbourhood

POLYGONS = ("Polygon", "MultiPolygon")


@dataclass(frozen=True)
class BoundaryRow:
    position: int
    slug: str
    name: str
    geometry: dict[str, Any]


@dataclass
class BoundaryLoad:
    matched: int = 0  # features matched to exactly one neighbourhood
    updated: int = 0  # neighbourhoods whose boundary changed
    unchanged: int = 0  # matched, and the stored boundary was the same already
    rejected: list[str] = field(default_factory=list)  # labels, in file order


def _label(props: dict[str, Any]) -> str:
    return str(props.get("name") or props.get("slug") or "?")


def boundaries_load(*, features: list[dict[str, Any]], tick: Callable[[int], None] = lambda n: None) -> BoundaryLoad:
    """Store the features' geometries in one transaction; ``tick(n)`` reports features read."""
    rows: list[BoundaryRow] = []
    rejected: dict[int, str] = {}
    for position, feature in enumerate(features):
        props = (feature.get("properties") if isinstance(feature, dict) else None) or {}
        geometry = (feature.get("geometry") if isinstance(feature, dict) else None) or {}
        if not isinstance(geometry, dict) or geometry.get("type") not in POLYGONS:
            rejected[position] = _label(props) + " (not a polygon)"
            continue
        rows.append(BoundaryRow(position, str(props.get("slug") or ""), str(props.get("name") or ""), geometry))
    tick(len(rejected))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            result, unmatched = _load_set_based(rows, tick)
        else:
            result, unmatched = _load_batched(rows, tick)
    labels = {r.position: (r.name or r.slug or "?") for r in rows}
    rejected.update({position: labels[position] for position in unmatched})
    result.rejected = [rejected[position] for position in sorted(rejected)]
    return result


STAGING = """
CREATE TEMPORARY TABLE boundary_staging (
    position integer NOT NULL, slug text NOT NULL, name text NOT NULL, geometry jsonb NOT NULL,
    slug_hits integer, neighbourhood_id bigint
) ON COMMIT DROP
"""

# As Django's iexact does: by slug when any neighbourhood has it (and only if exactly one does)...
MATCH_SLUG = """
UPDATE boundary_staging s SET slug_hits = m.hits, neighbourhood_id = CASE WHEN m.hits = 1 THEN m.id END
FROM (SELECT upper(slug) AS key, count(*) AS hits, min(id) AS id FROM jps_neighbourhood GROUP BY 1) m
WHERE s.slug <> '' AND upper(s.slug) = m.key
"""

# ... else by name or public name, when exactly one neighbourhood has it. Both are hash joins on one key.
MATCH_NAME = """
UPDATE boundary_staging s SET neighbourhood_id = m.id
FROM (
    SELECT key, min(id) AS id FROM (
        SELECT upper(name) AS key, id FROM jps_neighbourhood
        UNION SELECT upper(public_name), id FROM jps_neighbourhood WHERE public_name <> ''
    ) names GROUP BY key HAVING count(DISTINCT id) = 1
) m
WHERE s.slug_hits IS NULL AND s.name <> '' AND upper(s.name) = m.key
"""

WRITE = """
WITH latest AS (
    SELECT DISTINCT ON (neighbourhood_id) neighbourhood_id, geometry
    FROM boundary_staging WHERE neighbourhood_id IS NOT NULL
    ORDER BY neighbourhood_id, position DESC
), written AS (
    UPDATE jps_neighbourhood n SET boundary = l.geometry
    FROM latest l WHERE n.id = l.neighbourhood_id AND n.boundary IS DISTINCT FROM l.geometry
    RETURNING n.id
)
SELECT (SELECT count(*) FROM written), (SELECT count(*) FROM latest)
"""


def _load_set_based(rows: list[BoundaryRow], tick: Callable[[int], None]) -> tuple[BoundaryLoad, list[int]]:
    result = BoundaryLoad()
    with connection.cursor() as cursor:
        cursor.execute(STAGING)
        with cursor.cursor.copy("COPY boundary_staging (position, slug, name, geometry) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((row.position, row.slug, row.name, json.dumps(row.geometry)))
                tick(1)
        cursor.execute("ANALYZE boundary_staging")
        cursor.execute(MATCH_SLUG)
        cursor.execute(MATCH_NAME)
        cursor.execute("SELECT position FROM boundary_staging WHERE neighbourhood_id IS NULL ORDER BY position")
        unmatched = [position for (position,) in cursor.fetchall()]
        cursor.execute(WRITE)
        result.updated, distinct = cursor.fetchone()
        cursor.execute("DROP TABLE boundary_staging")  # ON COMMIT DROP, unless inside an outer transaction
    result.matched = len(rows) - len(unmatched)
    result.unchanged = distinct - result.updated
    return result, unmatched


def _neighbourhood(slug: str, name: str) -> int | None:
    query = Neighbourhood.objects.none()
    if slug:
        query = Neighbourhood.objects.filter(slug__iexact=slug)
    if not query.exists() and name:
        query = Neighbourhood.objects.filter(Q(name__iexact=name) | Q(public_name__iexact=name))
    found = list(query.values_list("id", flat=True)[:2])
    return found[0] if len(found) == 1 else None


def _load_batched(rows: list[BoundaryRow], tick: Callable[[int], None]) -> tuple[BoundaryLoad, list[int]]:
    result = BoundaryLoad()
    cache: dict[tuple[str, str], int | None] = {}
    latest: dict[int, dict[str, Any]] = {}
    unmatched: list[int] = []
    for row in rows:
        key = (row.slug, row.name)
        if key not in cache:
            cache[key] = _neighbourhood(*key)
        if cache[key] is None:
            unmatched.append(row.position)
        else:
            latest[cache[key]] = row.geometry  # type: ignore[index]
            result.matched += 1
        tick(1)
    current = Neighbourhood.objects.in_bulk(list(latest))
    changed = [n for pk, n in current.items() if n.boundary != latest[pk]]
    for neighbourhood in changed:
        neighbourhood.boundary = latest[neighbourhood.pk]
    Neighbourhood.objects.bulk_update(changed, ["boundary"], batch_size=500)
    result.updated, result.unchanged = len(changed), len(latest) - len(changed)
    return result, unmatched
