"""Loading the postcode directory: postcode → neighbourhood, for the public site's finder.

The national directory holds about 2.7 million live postcodes, so on PostgreSQL the load is
set-based: the parsed rows are streamed with ``COPY`` into a temporary staging table, then one
``UPDATE`` matches every distinct neighbourhood name to its neighbourhood and one
``INSERT ... ON CONFLICT DO UPDATE`` writes them all (docs/performance.md, "National reference
data"). SQLite (the demo) takes the same rows in batches of ``bulk_create`` with
``update_conflicts``. Both follow the rules of the row-by-row load they replace: a neighbourhood
is matched by slug or name, case-insensitively, within the district if one is given, and only
if exactly one matches; the last row of a postcode wins; what matches nothing is reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q

from .models import Neighbourhood, Postcode

POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")
BATCH = 5000


def normalise(raw: str) -> tuple[str, str] | None:
    match = POSTCODE.match(raw.strip().upper())
    if not match:
        return None
    return f"{match[1]} {match[2]}", match[1]


@dataclass(frozen=True)
class PostcodeRow:
    line: int
    postcode: str
    outward: str
    neighbourhood: str
    district: str


@dataclass
class PostcodeLoad:
    loaded: int = 0
    created: int = 0
    changed: int = 0  # moved to another neighbourhood; an unchanged row is not rewritten
    distinct: int = 0  # postcodes matched (a postcode on several rows counts once)
    unmatched: list[int] = field(default_factory=list)  # line numbers, the first few
    unmatched_count: int = 0


def postcodes_load(*, rows: Iterable[PostcodeRow], tick: Callable[[int], None] = lambda n: None) -> PostcodeLoad:
    """Load parsed rows in one transaction; ``tick(n)`` reports progress as rows are read."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            return _load_set_based(rows, tick)
        return _load_batched(rows, tick)


STAGING = """
CREATE TEMPORARY TABLE postcode_staging (
    line integer NOT NULL, postcode varchar(8) NOT NULL, outward varchar(4) NOT NULL,
    neighbourhood text NOT NULL, district text NOT NULL, neighbourhood_id bigint
) ON COMMIT DROP
"""

# Each distinct (neighbourhood, district) named in the file, matched once, as Django's iexact does.
ASSIGN = """
UPDATE postcode_staging s SET neighbourhood_id = m.id
FROM (
    SELECT k.neighbourhood, k.district, min(n.id) AS id
    FROM (SELECT DISTINCT neighbourhood, district FROM postcode_staging) k
    JOIN jps_neighbourhood n ON upper(n.slug) = upper(k.neighbourhood) OR upper(n.name) = upper(k.neighbourhood)
    JOIN jps_district d ON d.id = n.district_id
    WHERE k.district = '' OR upper(d.slug) = upper(k.district) OR upper(d.name) = upper(k.district)
    GROUP BY k.neighbourhood, k.district
    HAVING count(DISTINCT n.id) = 1
) m
WHERE s.neighbourhood = m.neighbourhood AND s.district = m.district
"""

UPSERT = """
WITH written AS (
    INSERT INTO jps_postcode (postcode, outward, neighbourhood_id)
    SELECT DISTINCT ON (postcode) postcode, outward, neighbourhood_id
    FROM postcode_staging WHERE neighbourhood_id IS NOT NULL
    ORDER BY postcode, line DESC
    ON CONFLICT (postcode) DO UPDATE
        SET outward = EXCLUDED.outward, neighbourhood_id = EXCLUDED.neighbourhood_id
        WHERE (jps_postcode.outward, jps_postcode.neighbourhood_id)
            IS DISTINCT FROM (EXCLUDED.outward, EXCLUDED.neighbourhood_id)
    RETURNING xmax = 0 AS created
)
SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM written
"""


def _load_set_based(rows: Iterable[PostcodeRow], tick: Callable[[int], None]) -> PostcodeLoad:
    result = PostcodeLoad()
    with connection.cursor() as cursor:
        cursor.execute(STAGING)
        columns = "line, postcode, outward, neighbourhood, district"
        with cursor.cursor.copy(f"COPY postcode_staging ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((row.line, row.postcode, row.outward, row.neighbourhood, row.district))
                tick(1)
        cursor.execute(ASSIGN)
        cursor.execute(
            "SELECT count(*) FILTER (WHERE neighbourhood_id IS NOT NULL), count(*),"
            " count(DISTINCT postcode) FILTER (WHERE neighbourhood_id IS NOT NULL) FROM postcode_staging"
        )
        result.loaded, staged, result.distinct = cursor.fetchone()
        result.unmatched_count = staged - result.loaded
        cursor.execute("SELECT line FROM postcode_staging WHERE neighbourhood_id IS NULL ORDER BY line LIMIT 20")
        result.unmatched = [line for (line,) in cursor.fetchall()]
        cursor.execute(UPSERT)
        result.created, result.changed = cursor.fetchone()
        cursor.execute("DROP TABLE postcode_staging")  # ON COMMIT DROP, unless inside an outer transaction
    return result


def _neighbourhood(name: str, district: str) -> int | None:
    qs = Neighbourhood.objects.filter(Q(slug__iexact=name) | Q(name__iexact=name))
    if district:
        qs = qs.filter(Q(district__slug__iexact=district) | Q(district__name__iexact=district))
    found = list(qs.values_list("id", flat=True)[:2])
    return found[0] if len(found) == 1 else None


def _load_batched(rows: Iterable[PostcodeRow], tick: Callable[[int], None]) -> PostcodeLoad:
    result = PostcodeLoad()
    cache: dict[tuple[str, str], int | None] = {}
    latest: dict[str, Postcode] = {}
    for row in rows:
        key = (row.neighbourhood, row.district)
        if key not in cache:
            cache[key] = _neighbourhood(*key)
        neighbourhood_id = cache[key]
        if neighbourhood_id is None:
            result.unmatched_count += 1
            if len(result.unmatched) < 20:
                result.unmatched.append(row.line)
        else:
            result.loaded += 1
            latest[row.postcode] = Postcode(
                postcode=row.postcode, outward=row.outward, neighbourhood_id=neighbourhood_id
            )
        tick(1)
    # The demo's directory is small: what is there already is read whole, and only what differs written.
    result.distinct = len(latest)
    existing = dict(Postcode.objects.values_list("postcode", "neighbourhood_id"))
    batch = [pc for pc in latest.values() if existing.get(pc.postcode) != pc.neighbourhood_id]
    result.created = sum(1 for pc in batch if pc.postcode not in existing)
    result.changed = len(batch) - result.created
    for start in range(0, len(batch), BATCH):
        Postcode.objects.bulk_create(
            batch[start : start + BATCH],
            update_conflicts=True,
            unique_fields=["postcode"],
            update_fields=["outward", "neighbourhood"],
        )
    return result
