"""Build a realistic national data set in PostgreSQL, fast, with set-based SQL.

    python bench/generate.py --scale 0.05      # a quick run: 5% of national scale
    python bench/generate.py --scale 1         # 43 forces, 13,000 neighbourhoods, 500,000 problems

Rows are generated inside PostgreSQL with ``generate_series`` (no row crosses the
wire), in the order a real service would hold them: 43 forces, their districts,
neighbourhoods (skewed: a few busy, many quiet), agencies, 30,000 staff, problems
in every stage over three years, ~5 actions and ~5 updates per problem, reviews,
history rows and stage changes. The database must be empty of benchmark data (``--reset`` wipes
the domain tables first). Only PostgreSQL is supported.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from psycopg import sql  # noqa: E402
from tqdm import tqdm  # noqa: E402

from jps.progress import add_progress_arguments, progress_wanted, summary  # noqa: E402

FORCES = 43
DISTRICTS_PER_FORCE = 8
NATIONAL = {"neighbourhoods": 13_000, "problems": 500_000, "users": 30_000}
PARTNER_KINDS = ["district_council", "county_council", "wardens", "housing", "fire", "health", "education"]
DOMAIN_TABLES = [
    "jps_stagechange",
    "jps_historicalproblem",
    "jps_historicalaction",
    "jps_historicalprogressupdate",
    "jps_supervisoryreview",
    "jps_progressupdate",
    "jps_action",
    "jps_participation",
    "jps_contact",
    "jps_analysis",
    "jps_assessment",
    "jps_transfer",
    "jps_evaluation_tags",
    "jps_learningneed",
    "jps_evaluation",
    "jps_problem",
    "jps_referencecounter",
    "jps_user_districts",
    "jps_user_neighbourhoods",
    "authtoken_token",
    "jps_user",
    "jps_agency",
    "jps_neighbourhood",
    "jps_district",
    "jps_force",
    "jps_category",
]


@dataclass
class Sizes:
    neighbourhoods: int
    problems: int
    users: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        return cls(
            neighbourhoods=max(FORCES * DISTRICTS_PER_FORCE * 2, int(NATIONAL["neighbourhoods"] * scale)),
            problems=max(1000, int(NATIONAL["problems"] * scale)),
            users=max(FORCES * DISTRICTS_PER_FORCE * 6, int(NATIONAL["users"] * scale)),
        )


def steps(n: Sizes) -> list[tuple[str, str]]:
    districts = FORCES * DISTRICTS_PER_FORCE
    officers_per_district = max(2, n.users * 6 // 10 // districts)
    partners_per_district = max(2, n.users * 3 // 10 // districts)
    return [
        (
            "forces",
            f"""
            INSERT INTO jps_force (code, name, slug, welsh_enabled)
            SELECT 'F' || lpad(g::text, 2, '0'), 'Force ' || g, 'force-' || g, g > 39
            FROM generate_series(1, {FORCES}) g""",
        ),
        (
            "districts",
            f"""
            INSERT INTO jps_district (force_id, name, slug, escalation_email, inspector_id)
            SELECT f.id, f.name || ' district ' || d, 'district-' || d, 'inspector' || f.id || '-' || d || '@police.example', NULL
            FROM jps_force f, generate_series(1, {DISTRICTS_PER_FORCE}) d ORDER BY f.id, d""",
        ),
        (
            "neighbourhoods",
            f"""
            INSERT INTO jps_neighbourhood (district_id, name, public_name, slug, character, latitude, longitude, boundary)
            SELECT d.id, 'Ward ' || g, 'Ward ' || g || ', ' || d.name, 'ward-' || g,
                   (ARRAY['urban','suburban','town_centre','rural','coastal'])[1 + g % 5],
                   50.5 + (g % 400) / 100.0, -3 + (g % 500) / 100.0, NULL
            FROM generate_series(0, {n.neighbourhoods} - 1) g
            JOIN (SELECT id, name, row_number() OVER (ORDER BY id) - 1 AS idx FROM jps_district) d
              ON d.idx = g % {districts}
            ORDER BY g""",
        ),
        (
            "agencies",
            f"""
            INSERT INTO jps_agency (name, kind, force_id, contact_email, requires_two_factor)
            SELECT f.name || CASE WHEN k = 0 THEN ' Police' ELSE ' ' || (ARRAY{PARTNER_KINDS!r})[k] END,
                   CASE WHEN k = 0 THEN 'police' ELSE (ARRAY{PARTNER_KINDS!r})[k] END,
                   f.id, 'contact' || f.id || '-' || k || '@agency.example', false
            FROM jps_force f, generate_series(0, {len(PARTNER_KINDS)}) k ORDER BY f.id, k""",
        ),
        (
            "categories",
            """
            INSERT INTO jps_category (name, slug, "group")
            SELECT 'Category ' || g, 'category-' || g, (ARRAY['Anti-social behaviour','Crime','Roads','Environment'])[1 + g % 4]
            FROM generate_series(1, 12) g""",
        ),
        (
            "bench maps",
            """
            CREATE TEMP TABLE bench_nb AS
              SELECT row_number() OVER (ORDER BY n.id) - 1 AS idx, n.id, n.district_id, d.force_id
              FROM jps_neighbourhood n JOIN jps_district d ON d.id = n.district_id;
            CREATE UNIQUE INDEX ON bench_nb (idx);
            CREATE TEMP TABLE bench_force AS
              SELECT f.id AS force_id, min(a.id) AS police_id, min(a.id) + 1 AS first_partner
              FROM jps_force f JOIN jps_agency a ON a.force_id = f.id GROUP BY f.id;""",
        ),
        (
            "users",
            f"""
            INSERT INTO jps_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
                                  date_joined, role, agency_id)
            SELECT '!', false, r.role || '_' || d.id || '_' || g, 'Staff', r.role || g, r.role || d.id || '_' || g || '@example.org',
                   false, true, now() - interval '3 years', r.role,
                   CASE WHEN r.role = 'partner' THEN bf.first_partner + g % {len(PARTNER_KINDS)} ELSE bf.police_id END
            FROM jps_district d
            JOIN bench_force bf ON bf.force_id = d.force_id
            CROSS JOIN (VALUES ('officer', {officers_per_district}), ('supervisor', 2), ('partner', {partners_per_district}))
                 AS r(role, n)
            CROSS JOIN LATERAL generate_series(1, r.n) g
            ORDER BY r.role, d.id, g;
            INSERT INTO jps_user_districts (user_id, district_id)
              SELECT u.id, split_part(u.username, '_', 2)::bigint FROM jps_user u
              WHERE u.role IN ('officer', 'supervisor', 'partner');
            INSERT INTO jps_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
                                  date_joined, role, agency_id)
            SELECT '!', false, 'analyst_' || bf.force_id || '_' || g, 'Staff', 'analyst' || g,
                   'analyst' || bf.force_id || '_' || g || '@example.org', false, true, now() - interval '3 years',
                   'analyst', bf.police_id
            FROM bench_force bf CROSS JOIN generate_series(1, 2) g;
            CREATE TEMP TABLE bench_staff AS
              SELECT split_part(username, '_', 2)::bigint AS district_id, role, min(id) AS first_id, count(*) AS n
              FROM jps_user GROUP BY 1, 2;
            CREATE INDEX ON bench_staff (district_id, role);""",
        ),
        (
            "problems",
            f"""
            INSERT INTO jps_problem (reference, title, description, problem_statement, category_id, classification, risk,
                force_id, district_id, neighbourhood_id, location, latitude, longitude, source, originator,
                originator_agency_id, owner_id, lead_agency_id, created_by_id, stage, stage_changed_at,
                review_interval_days, next_review_due, closure_requested_at, closed_at, closed_by_id, closure_reason,
                escalated_at, public_priority, adopted_on, public_title, created_at, updated_at)
            SELECT 'F' || lpad(nb.force_id::text, 2, '0') || '-' || (2023 + p.g % 4) || '-' || lpad(p.g::text, 7, '0'),
                   (ARRAY['Youths gathering','Drug dealing','Graffiti','Speeding','Fly-tipping','Noise','Street drinking',
                          'Bike theft','Criminal damage','Begging'])[1 + p.g % 10] || ' at site ' || p.g,
                   'Internal description ' || p.g, 'Behaviour, place and time for problem ' || p.g,
                   (SELECT min(id) FROM jps_category) + p.g % 12,
                   (ARRAY['chronic','spike','recurrent'])[1 + p.g % 3],
                   (ARRAY['standard','standard','medium','high'])[1 + p.g % 4],
                   nb.force_id, nb.district_id, nb.id, 'Street ' || p.g % 997, NULL, NULL,
                   (ARRAY['pact','community','partner','call','analysis','observation','complaint'])[1 + p.g % 7],
                   'Originator ' || p.g, NULL,
                   st.first_id + p.g % st.n, bf.police_id, st.first_id + p.g % st.n,
                   p.stage, p.created + CASE p.stage WHEN 'scanning' THEN interval '0 days'
                        WHEN 'analysis' THEN interval '15 days' WHEN 'response' THEN interval '30 days'
                        WHEN 'assessment' THEN interval '45 days' ELSE interval '90 days' END, 28,
                   CASE WHEN p.stage IN ('closed','closed_no_action') THEN NULL
                        ELSE current_date + (p.g % 86 - 30) END,
                   NULL,
                   CASE WHEN p.stage IN ('closed','closed_no_action') THEN p.created + interval '90 days' END,
                   CASE WHEN p.stage IN ('closed','closed_no_action') THEN sup.first_id END,
                   CASE WHEN p.stage = 'closed_no_action' THEN 'Duplicate' ELSE '' END,
                   NULL, p.g % 10 = 0,
                   CASE WHEN p.g % 10 = 0 THEN p.created::date END,
                   CASE WHEN p.g % 10 = 0 THEN 'Public priority ' || p.g ELSE '' END,
                   p.created, p.created + interval '20 days'
            FROM (
              SELECT g,
                     floor({n.neighbourhoods} * power(random(), 2.5))::int + 0 * g AS nb_idx,
                     now() - (random() * interval '1000 days') + 0 * g * interval '1 day' AS created,
                     CASE WHEN g % 20 < 12 THEN 'closed' WHEN g % 20 = 12 THEN 'closed_no_action'
                          WHEN g % 20 < 15 THEN 'scanning' WHEN g % 20 < 17 THEN 'analysis'
                          WHEN g % 20 < 19 THEN 'response' ELSE 'assessment' END AS stage
              FROM generate_series(1, {n.problems}) g
            ) p
            JOIN bench_nb nb ON nb.idx = p.nb_idx
            JOIN bench_force bf ON bf.force_id = nb.force_id
            JOIN bench_staff st ON st.district_id = nb.district_id AND st.role = 'officer'
            JOIN bench_staff sup ON sup.district_id = nb.district_id AND sup.role = 'supervisor'
            ORDER BY p.created""",
        ),
        (
            "participations",
            """
            INSERT INTO jps_participation (problem_id, agency_id, joined_at)
            SELECT p.id, bf.first_partner + (p.id % 7), p.created_at
            FROM jps_problem p JOIN bench_force bf ON bf.force_id = p.force_id
            WHERE p.id % 3 <> 0""",
        ),
        (
            "actions",
            """
            INSERT INTO jps_action (problem_id, action_type, description, agency_id, assignee_id, due_on, status, result,
                                    completed_on, created_by_id, created_at, updated_at)
            SELECT p.id, (ARRAY['enforcement','prevention','intelligence','communication'])[1 + (p.id + k) % 4],
                   'Action ' || k || ' on problem ' || p.id,
                   CASE WHEN k % 2 = 0 AND p.id % 3 <> 0 THEN bf.first_partner + (p.id % 7) ELSE bf.police_id END,
                   NULL, (p.created_at + (k * 14) * interval '1 day')::date,
                   CASE WHEN p.stage IN ('closed','closed_no_action','assessment') THEN 'done'
                        WHEN k = 1 THEN 'done' ELSE 'planned' END,
                   CASE WHEN p.stage IN ('closed','closed_no_action','assessment') OR k = 1 THEN 'Done' ELSE '' END,
                   NULL, p.owner_id, p.created_at, p.updated_at
            FROM jps_problem p JOIN bench_force bf ON bf.force_id = p.force_id
            CROSS JOIN LATERAL generate_series(1, 3 + p.id % 5) k
            WHERE p.stage NOT IN ('scanning','analysis','closed_no_action')""",
        ),
        (
            "updates",
            """
            INSERT INTO jps_progressupdate (problem_id, author_id, created_at, text, status, public_text, decided_by_id,
                                            decided_at, reason)
            SELECT p.id, p.owner_id, p.created_at + k * interval '9 days', 'Update ' || k || ' on ' || p.id,
                   CASE WHEN p.public_priority THEN (CASE WHEN k % 4 = 0 THEN 'pending' ELSE 'approved' END)
                        ELSE 'internal' END,
                   CASE WHEN p.public_priority AND k % 4 <> 0 THEN 'Public update ' || k ELSE '' END,
                   CASE WHEN p.public_priority AND k % 4 <> 0 THEN p.owner_id END,
                   CASE WHEN p.public_priority AND k % 4 <> 0 THEN p.created_at + k * interval '10 days' END, ''
            FROM jps_problem p CROSS JOIN LATERAL generate_series(1, 2 + p.id % 7) k""",
        ),
        (
            "reviews",
            """
            INSERT INTO jps_supervisoryreview (problem_id, reviewer_id, reviewed_at, comment, decision, stage_at_review,
                                               was_overdue_days, next_review_due)
            SELECT p.id, coalesce(p.closed_by_id, p.owner_id), p.created_at + k * interval '28 days', 'Reviewed',
                   'continue', p.stage, k % 5, (p.created_at + (k + 1) * interval '28 days')::date
            FROM jps_problem p CROSS JOIN LATERAL generate_series(1, 1 + p.id % 3) k""",
        ),
        (
            "history",
            """
            INSERT INTO jps_historicalproblem (id, reference, title, description, problem_statement, classification,
                risk, location, latitude, longitude, source, originator, stage, stage_changed_at, review_interval_days,
                next_review_due, closure_requested_at, closed_at, closure_reason, escalated_at, public_priority,
                adopted_on, public_title, created_at, updated_at, history_date, history_change_reason, history_type,
                category_id, closed_by_id, created_by_id, district_id, force_id, history_user_id, lead_agency_id,
                originator_agency_id, owner_id, neighbourhood_id)
            SELECT p.id, p.reference, p.title, p.description, p.problem_statement, p.classification, p.risk,
                   p.location, NULL, NULL, p.source, p.originator,
                   (ARRAY['scanning','analysis','response','assessment','closed'])[k], p.stage_changed_at,
                   p.review_interval_days, p.next_review_due, NULL, NULL, '', NULL, p.public_priority, p.adopted_on,
                   p.public_title, p.created_at, p.updated_at, p.created_at + k * interval '15 days',
                   CASE WHEN k = 1 THEN 'Logged' ELSE 'Stage change' END, CASE WHEN k = 1 THEN '+' ELSE '~' END,
                   p.category_id, NULL, p.created_by_id, p.district_id, p.force_id, p.owner_id, p.lead_agency_id,
                   NULL, p.owner_id, p.neighbourhood_id
            FROM jps_problem p CROSS JOIN LATERAL generate_series(1, CASE p.stage WHEN 'scanning' THEN 1
                 WHEN 'analysis' THEN 2 WHEN 'response' THEN 3 WHEN 'assessment' THEN 4 ELSE 5 END) k""",
        ),
        (
            "stage changes",
            f"""
            INSERT INTO jps_stagechange (problem_id, from_stage, to_stage, from_entered_at, by_id, reason, at,
                                         district_id, force_id)
            SELECT p.id, coalesce(s.path[k - 1], ''), s.path[k],
                   CASE WHEN k > 1 THEN p.created_at + (k - 2) * interval '15 days' END,
                   CASE WHEN s.path[k] IN ('closed','closed_no_action') THEN p.closed_by_id ELSE p.owner_id END,
                   CASE WHEN k = 1 THEN 'Logged' ELSE p.closure_reason END,
                   CASE WHEN k = cardinality(s.path) THEN p.stage_changed_at
                        ELSE p.created_at + (k - 1) * interval '15 days' END,
                   p.district_id, p.force_id
            FROM jps_problem p
            CROSS JOIN LATERAL (SELECT CASE p.stage {STAGE_PATHS} END AS path) s
            CROSS JOIN LATERAL generate_series(1, cardinality(s.path)) k
            ORDER BY p.id, k""",
        ),
        ("no future timestamps", FIX_DATES),
        (
            "sequences and statistics",
            """
            SELECT setval(pg_get_serial_sequence('jps_historicalproblem', 'history_id'),
                          coalesce((SELECT max(history_id) FROM jps_historicalproblem), 1));
            ANALYZE;""",
        ),
    ]


#: The stage changes that brought a problem to its stage: 15 days in each open stage; the last one
#: falls on the problem's ``stage_changed_at`` (a closed problem's is its ``closed_at``).
STAGE_PATHS = """
    WHEN 'scanning' THEN ARRAY['scanning']
    WHEN 'analysis' THEN ARRAY['scanning', 'analysis']
    WHEN 'response' THEN ARRAY['scanning', 'analysis', 'response']
    WHEN 'assessment' THEN ARRAY['scanning', 'analysis', 'response', 'assessment']
    WHEN 'closed' THEN ARRAY['scanning', 'analysis', 'response', 'assessment', 'closed']
    ELSE ARRAY['scanning', 'closed_no_action']"""


#: Dates above are spread from each problem's creation; a recent problem's "20 days later" lies in the
#: future, which would make it look changed to every incremental export, forever. Clamp to now.
FIX_DATES = """
    UPDATE jps_problem SET updated_at = least(updated_at, now()), stage_changed_at = least(stage_changed_at, now())
        WHERE updated_at > now() OR stage_changed_at > now();
    UPDATE jps_action SET updated_at = least(updated_at, now()) WHERE updated_at > now();
    UPDATE jps_progressupdate SET created_at = least(created_at, now()), decided_at = least(decided_at, now())
        WHERE created_at > now() OR decided_at > now();
    UPDATE jps_supervisoryreview SET reviewed_at = least(reviewed_at, now()) WHERE reviewed_at > now();
    UPDATE jps_historicalproblem SET history_date = least(history_date, now()) WHERE history_date > now();
    UPDATE jps_stagechange SET at = least(at, now()), from_entered_at = least(from_entered_at, now())
        WHERE at > now();"""


def fix_dates() -> None:
    """Clamp future timestamps in an existing data set (one made before the generator did it)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(FIX_DATES)
        cursor.execute("ANALYZE")


def reset() -> None:
    existing = set(connection.introspection.table_names())
    tables = ", ".join(t for t in DOMAIN_TABLES if t in existing)
    # The cascade reaches the access log, whose triggers refuse TRUNCATE to everyone (it is append-only):
    # a bench database is wiped as the superuser, with triggers off for this transaction only.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        result = {}
        for table in [
            "jps_neighbourhood",
            "jps_user",
            "jps_problem",
            "jps_action",
            "jps_progressupdate",
            "jps_supervisoryreview",
            "jps_historicalproblem",
            "jps_stagechange",
            "jps_participation",
        ]:
            cursor.execute(f"SELECT count(*) FROM {table}")
            result[table] = cursor.fetchone()[0]
        return result


@contextmanager
def blank_defaults() -> Iterator[None]:
    """Columns the steps do not name (a field added since: Welsh twins, team pages...) take their blank value.

    Text columns get '' and flags false as database defaults for the generation's transaction only, so
    a new NOT NULL field never breaks the generator (``tests/bench/test_generate.py`` runs it whole).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT table_name, column_name, data_type = 'boolean' FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = ANY(%s) AND is_nullable = 'NO'
              AND column_default IS NULL AND is_identity = 'NO'
              AND data_type IN ('character varying', 'text', 'boolean')""",
            [DOMAIN_TABLES],
        )
        columns = [(sql.Identifier(t), sql.Identifier(c), flag) for t, c, flag in cursor.fetchall()]
        alter = "ALTER TABLE {} ALTER COLUMN {} "
        for table, column, flag in columns:
            default = sql.SQL(alter + ("SET DEFAULT false" if flag else "SET DEFAULT ''")).format(table, column)
            cursor.execute(default.as_string(cursor.connection))
        yield
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # a table with pending foreign-key checks cannot be altered
        for table, column, _flag in columns:
            cursor.execute(sql.SQL(alter + "DROP DEFAULT").format(table, column).as_string(cursor.connection))


def generate(scale: float, *, quiet: bool = False) -> dict[str, float]:
    """Generate the data set; returns seconds taken per step."""
    if connection.vendor != "postgresql":
        raise SystemExit("bench/generate.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    sizes = Sizes.at(scale)
    timings: dict[str, float] = {}
    with transaction.atomic(), blank_defaults():
        for name, sql in tqdm(steps(sizes), desc="generating", unit=" steps", file=sys.stderr, disable=quiet):
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(sql)
            timings[name] = time.perf_counter() - started
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=0.05, help="fraction of national scale (1 = full)")
    parser.add_argument("--reset", action="store_true", help="empty the domain tables first")
    parser.add_argument("--fix-dates", action="store_true", help="only clamp future timestamps in existing data")
    add_progress_arguments(parser)
    args = parser.parse_args()
    if args.fix_dates:
        started = time.perf_counter()
        fix_dates()
        print(f"future timestamps clamped to now in {time.perf_counter() - started:.0f} s")
        return
    if args.reset:
        reset()
    started = time.perf_counter()
    before = counts()
    timings = generate(args.scale, quiet=not progress_wanted(vars(args)))
    total = time.perf_counter() - started
    for name, seconds in timings.items():
        print(f"  {name:<26} {seconds:8.1f} s")
    after = counts()
    for table, count in after.items():
        print(f"  {table:<26} {count:>10,}")
    created = {f"{table[4:]}s_created": after[table] - before[table] for table in ("jps_problem", "jps_user")}
    print(summary(f"generate (scale {args.scale})", total, **created, neighbourhoods=after["jps_neighbourhood"]))


if __name__ == "__main__":
    main()
