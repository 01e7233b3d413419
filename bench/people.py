"""People and places at national scale: make them, then time the person search and the repeat counts.

    python bench/generate.py --scale 1 --reset     # the national data set: 43 forces, 500,000 problems...
    python bench/people.py generate                # + 600,000 people, 300,000 places, 2 million links
    python bench/people.py run [--runs 21] [--json out.json] [--markdown out.md] [--plans DIR]

``generate`` works on an existing data set (``bench/generate.py``'s): its sizes follow the problems
there (``--scale`` overrides: 1 = 600,000 people), in set-based SQL inside PostgreSQL
(``bench/people_data.py``: realistic names and addresses, repeat victims and repeat locations
skewed). ``run`` times, as a force's officer, a partner and a national administrator:

- **search**: ``person_search`` / ``place_search`` as the list endpoint asks them (the count and
  the first page of 50) for an exact-ish name, the commonest surname, a misspelt name, an address,
  a street and a misspelt street;
- **repeat**: ``person_repeat_counts`` / ``place_repeat_counts`` for a page of search results and
  for the 50 most linked people or places (the worst page there is);
- **api**: ``GET /api/people/?q=`` and ``/api/places/?q=`` through Django's test ``Client``
  (``DEBUG=False``, a real API token), as ``bench/run.py`` does: search, links, repeat facts, the
  access log's insert and the JSON.

Each case reports the **median** and **p95** of ``--runs`` timed runs after a warm-up, its SQL
statements, how many records matched, and a **plan** check: every SELECT it made is re-run under
``EXPLAIN (ANALYZE, BUFFERS)`` and must use the indexes named for the case (the trigram index for
a search, the links' person or place index for the counts) and no sequential scan of people,
places, links or problems. ``--plans DIR`` writes the plans out.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps.settings")

import warnings  # noqa: E402

import django  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at")  # static files are not collected for a benchmark
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.people_data import PARAMS, PeopleSizes, steps  # noqa: E402
from jps.models import Agency, Participation, Person, Place, Problem, ProblemPerson, ProblemPlace, User  # noqa: E402
from jps.people.selectors import (  # noqa: E402
    person_repeat_counts,
    person_search,
    place_repeat_counts,
    place_search,
)
from jps.rules import problem_ids_visible_to  # noqa: E402

TABLES = ["jps_person", "jps_place", "jps_problemperson", "jps_problemplace"]
HISTORY = ["jps_historicalperson", "jps_historicalplace", "jps_historicalproblemperson", "jps_historicalproblemplace"]
PAGE = 50

# --- generating -----------------------------------------------------------------------------------


def generate(scale: float | None = None, *, bulk: bool = True, quiet: bool = False) -> dict[str, float]:
    """Add people, places and their links to the problems there; returns seconds per step.

    ``bulk``: drop the four tables' secondary indexes while loading and build them afterwards
    (from their own definitions, so whatever the migrations made is what is rebuilt), then
    ``VACUUM ANALYZE``. Needs the tables' owner; the smoke test loads a few rows without it.
    """
    if connection.vendor != "postgresql":
        raise SystemExit("bench/people.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    problems = Problem.objects.count()
    if not problems:
        raise SystemExit("No problems to link people to: run bench/generate.py first.")
    if Person.objects.exists() or Place.objects.exists():
        raise SystemExit("The data set already has people or places: bench/people.py generate --reset.")
    sizes = PeopleSizes.at(scale if scale is not None else problems / 500_000)
    timings: dict[str, float] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        deferred = _drop_secondary_indexes(cursor) if bulk else []
        for name, sql in steps(sizes):
            started = time.perf_counter()
            cursor.execute(sql, PARAMS if "%(" in sql else None)
            timings[name] = time.perf_counter() - started
            if not quiet:
                print(f"  {name:<26} {timings[name]:8.1f} s", file=sys.stderr, flush=True)
        started = time.perf_counter()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys checked now: an index needs none pending
        for definition in deferred:
            cursor.execute(definition)
        timings["indexes"] = time.perf_counter() - started
    if bulk:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {', '.join(TABLES)}")
        timings["vacuum analyze"] = time.perf_counter() - started
    return timings


def _drop_secondary_indexes(cursor: Any) -> list[str]:
    """Drop the indexes of ``TABLES`` that back no constraint; return the SQL that makes them again."""
    cursor.execute(
        """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
           WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)""",
        [TABLES],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in indexes]


def reset() -> None:
    """Remove the generated people and places (refused by the database once the append-only access
    log names any of them: then start again from a new database)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(['jps_problemperson', 'jps_problemplace', *HISTORY])}")
        cursor.execute("DELETE FROM jps_person")
        cursor.execute("DELETE FROM jps_place")


def counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        out = {}
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")
            out[table] = cursor.fetchone()[0]
        cursor.execute(
            """SELECT count(*) FILTER (WHERE n >= 2), count(*) FILTER (WHERE n >= 10), max(n)
               FROM (SELECT count(DISTINCT problem_id) n FROM jps_problemperson WHERE role = 'victim'
                     GROUP BY person_id) v"""
        )
        out["repeat victims (2+ problems)"], out["victims in 10+ problems"], out["most problems, one victim"] = (
            cursor.fetchone()
        )
        cursor.execute("SELECT max(n) FROM (SELECT count(*) n FROM jps_problemplace GROUP BY place_id) p")
        out["most problems, one place"] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM jps_person WHERE vulnerabilities <> '[]'::jsonb")
        out["vulnerable people"] = cursor.fetchone()[0]
        return out


# --- who searches for what ------------------------------------------------------------------------


@dataclass
class Cast:
    """Users and search terms from the data: the force with the most people, its first officer, the
    partner there whose agency takes part in most problems, and a national administrator; the
    names and addresses of the person and the place the partner sees on most problems."""

    force_id: int
    officer: User
    partner: User
    admin: User
    name: str
    surname: str
    misspelt: str
    address: str
    street: str
    misspelt_street: str


def cast() -> Cast:
    busiest = Person.objects.values("force_id").annotate(n=Count("id")).order_by("-n", "force_id").first()
    if busiest is None:
        raise SystemExit("No people: run bench/people.py generate first.")
    force_id = busiest["force_id"]
    officer = (
        User.objects.filter(role=User.Role.OFFICER, is_active=True, agency__force_id=force_id).order_by("id").first()
    )
    agency = (
        Participation.objects.filter(agency__force_id=force_id, agency__staff__role=User.Role.PARTNER)
        .values("agency_id")
        .annotate(n=Count("id", distinct=True))
        .order_by("-n", "agency_id")
        .first()
    )
    partner = (
        agency and User.objects.filter(role=User.Role.PARTNER, is_active=True, agency_id=agency["agency_id"]).first()
    )
    if not (officer and partner):
        raise SystemExit("The data set lacks an officer or a partner in the busiest force: regenerate it.")
    admin, _ = User.objects.get_or_create(
        username="bench_admin",
        defaults={"role": User.Role.ADMIN, "is_superuser": True, "agency": Agency.objects.order_by("pk").first()},
    )
    seen = problem_ids_visible_to(partner)
    person = _most_linked(ProblemPerson, "person", seen)
    place = _most_linked(ProblemPlace, "place", seen)
    name, address = person.name, place.address
    number_street = address.split(", ")[-2]  # "[Venue, ][Flat 3, ]12 High Street, Town PC1 2AB"
    street = number_street.split(" ", 1)[1]
    surname = _commonest_surname(force_id)
    return Cast(
        force_id, officer, partner, admin, name.lower(), surname, _misspell(name),
        number_street, street, _misspell(street, word=0),
    )  # fmt: skip


def _most_linked(model: Any, record: str, problems: Any) -> Any:
    top = (
        model.objects.filter(problem_id__in=problems)
        .values(f"{record}_id")
        .annotate(n=Count("id"))
        .order_by("-n", f"{record}_id")
        .first()
    )
    if top is None:
        raise SystemExit(f"The partner sees no {record}: regenerate the people.")
    return model._meta.get_field(record).related_model.objects.get(pk=top[f"{record}_id"])


def _commonest_surname(force_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT split_part(name, ' ', 2) FROM jps_person WHERE force_id = %s
               GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1""",
            [force_id],
        )
        return str(cursor.fetchone()[0])


VOWEL_SLIPS = str.maketrans("aeiouyAEIOUY", "eayuoiEAYUOI")


def _misspell(text: str, word: int = -1) -> str:
    """One slip a caller or an officer makes: the first vowel after the first letter of a word,
    changed (Smith → Smyth, Church → Chorch, Hussain → Hassain)."""
    words = text.split()
    target = words[word]
    for i, char in enumerate(target[1:], start=1):
        if char.lower() in "aeiouy":
            words[word] = target[:i] + char.translate(VOWEL_SLIPS) + target[i + 1 :]
            break
    return " ".join(words)


# --- measuring ------------------------------------------------------------------------------------


@dataclass
class Row:
    group: str
    what: str
    median_ms: float
    p95_ms: float
    queries: int
    found: int | None
    plan: str
    indexes: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Case:
    group: str
    what: str
    work: Callable[[], int | None]  # returns how many records matched (None: not a search)
    expect: tuple[str, ...]  # regexes each to be found in the case's plans
    forbid: str = r"Seq Scan on (jps_person|jps_place|jps_problemperson|jps_problemplace|jps_problem)\b"


SKIP = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
INDEX_USED = re.compile(r"(?:Index (?:Only )?Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)")
TRGM = {"person": r"\bperson_\w*trgm\b", "place": r"\bplace_\w*trgm\b"}
LINKS_BY_RECORD = {
    "person": r"\b(problemperson_person_role|jps_problemperson_person_id\w*)\b",
    "place": r"\b(problemplace_place_role|jps_problemplace_place_id\w*)\b",
}


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[-1] if len(times) > 1 else times[0]


def explain(statements: list[str]) -> list[str]:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of each SELECT, in a transaction rolled back afterwards."""
    plans = []
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements:
            if sql.lstrip().upper().startswith("SELECT"):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plans.append(sql + "\n" + "\n".join(row[0] for row in cursor.fetchall()))
        transaction.set_rollback(True)
    return plans


def plan_check(case: Case, plans: list[str]) -> tuple[str, str]:
    """("ok" or what is wrong, the indexes the plans used)."""
    text = "\n\n".join(plans)
    problems = [f"no {pattern}" for pattern in case.expect if not re.search(pattern, text)]
    problems += sorted({f"seq scan of {m.group(1)}" for m in re.finditer(case.forbid, text)})
    used = sorted(set(INDEX_USED.findall(text)))
    return ("ok" if not problems else "; ".join(problems)), ", ".join(used)


def measure(case: Case, runs: int, plans_dir: Path | None = None) -> Row:
    found = case.work()  # warm-up
    with CaptureQueriesContext(connection) as ctx:
        case.work()
    statements = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(SKIP)]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        case.work()
        times.append((time.perf_counter() - started) * 1000)
    plans = explain(statements)
    verdict, used = plan_check(case, plans)
    if plans_dir is not None:
        slug = re.sub(r"[^a-z0-9]+", "-", f"{case.group} {case.what}".lower()).strip("-")
        (plans_dir / f"{slug}.txt").write_text("\n\n".join(plans) + "\n")
    row = Row(case.group, case.what, statistics.median(times), p95(times), len(statements), found, verdict, used)
    print(
        f"  {row.group}: {row.what}: median {row.median_ms:.1f} ms, p95 {row.p95_ms:.1f} ms, {row.queries} queries, "
        f"plan {row.plan}",
        file=sys.stderr,
        flush=True,
    )
    return row


# --- the cases ------------------------------------------------------------------------------------


def _search(search: Callable[[Any, str], Any], user: User, q: str) -> Callable[[], int]:
    """What the list endpoint asks of a search: the count, then the first page."""

    def work() -> int:
        queryset = search(user, q)
        total = queryset.count()
        list(queryset[:PAGE])
        return int(total)

    return work


def _repeat(counts: Callable[[list[int]], Any], ids: list[int]) -> Callable[[], None]:
    def work() -> None:
        counts(ids)

    return work


def _api(client: Client, path: str, q: str) -> Callable[[], int]:
    def work() -> int:
        response = client.get(path, {"q": q})
        if response.status_code != 200:
            raise SystemExit(f"GET {path}?q={q} answered {response.status_code}: {response.content[:300]!r}")
        return int(response.json()["count"])

    return work


def search_cases(c: Cast) -> list[Case]:
    person, place = TRGM["person"], TRGM["place"]
    links, place_links = r"\b(jps_)?problemperson_\w+\b", r"\b(jps_)?problemplace_\w+\b"  # a partner's: through links
    officer, partner, admin = c.officer, c.partner, c.admin
    return [
        Case("search", f"person, exact-ish '{c.name}' (officer)", _search(person_search, officer, c.name), (person,)),
        Case("search", f"person, surname '{c.surname}' (officer)", _search(person_search, officer, c.surname), (person,)),
        Case("search", f"person, misspelt '{c.misspelt}' (officer)", _search(person_search, officer, c.misspelt), (person,)),
        Case("search", f"person, '{c.name}' (administrator, national)", _search(person_search, admin, c.name), (person,)),
        Case("search", f"person, '{c.name}' (partner)", _search(person_search, partner, c.name), (person, links)),
        Case("search", f"place, '{c.address}' (officer)", _search(place_search, officer, c.address), (place,)),
        Case("search", f"place, street '{c.street}' (officer)", _search(place_search, officer, c.street), (place,)),
        Case("search", f"place, misspelt '{c.misspelt_street}' (officer)",
             _search(place_search, officer, c.misspelt_street), (place,)),
        Case("search", f"place, street '{c.street}' (partner)", _search(place_search, partner, c.street),
             (place, place_links)),
    ]  # fmt: skip


def repeat_cases(c: Cast) -> list[Case]:
    people_page = list(person_search(c.officer, c.surname).values_list("pk", flat=True)[:PAGE])
    places_page = list(place_search(c.officer, c.street).values_list("pk", flat=True)[:PAGE])
    top_people = _top(ProblemPerson, "person_id", c.force_id)
    top_places = _top(ProblemPlace, "place_id", c.force_id)
    people, places = LINKS_BY_RECORD["person"], LINKS_BY_RECORD["place"]
    return [
        Case("repeat", "person_repeat_counts: a page of 50 search results",
             _repeat(lambda ids: person_repeat_counts(person_ids=ids), people_page), (people,)),
        Case("repeat", "person_repeat_counts: the 50 most linked people",
             _repeat(lambda ids: person_repeat_counts(person_ids=ids), top_people), (people,),
             ),
        Case("repeat", "place_repeat_counts: a page of 50 search results",
             _repeat(lambda ids: place_repeat_counts(place_ids=ids), places_page), (places,)),
        Case("repeat", "place_repeat_counts: the 50 most linked places",
             _repeat(lambda ids: place_repeat_counts(place_ids=ids), top_places), (places,)),
    ]  # fmt: skip


def _top(model: Any, column: str, force_id: int) -> list[int]:
    """The 50 records of the force on most problems (with the most links to count)."""
    rows = (
        model.objects.filter(problem__force_id=force_id)
        .values(column)
        .annotate(n=Count("id"))
        .order_by("-n", column)
        .values_list(column, flat=True)[:PAGE]
    )
    return list(rows)


def api_cases(c: Cast) -> list[Case]:
    from bench.run import api_client

    officer, partner = api_client(c.officer), api_client(c.partner)
    person, place = TRGM["person"], TRGM["place"]
    people, places = LINKS_BY_RECORD["person"], LINKS_BY_RECORD["place"]
    return [
        Case("api", f"/api/people/?q={c.name} (officer)", _api(officer, "/api/people/", c.name), (person, people)),
        Case("api", f"/api/people/?q={c.surname} (officer)", _api(officer, "/api/people/", c.surname), (person, people)),
        Case("api", f"/api/people/?q={c.misspelt} (officer)", _api(officer, "/api/people/", c.misspelt),
             (person, people)),
        Case("api", f"/api/people/?q={c.name} (partner)", _api(partner, "/api/people/", c.name), (person, people)),
        Case("api", f"/api/places/?q={c.street} (officer)", _api(officer, "/api/places/", c.street), (place, places)),
        Case("api", f"/api/places/?q={c.street} (partner)", _api(partner, "/api/places/", c.street), (place, places)),
    ]  # fmt: skip


def run(*, runs: int, only: set[str], plans_dir: Path | None = None) -> list[Row]:
    """Every case of the groups in ``only`` (search, repeat, api)."""
    if connection.vendor != "postgresql":
        raise SystemExit("bench/people.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    if plans_dir is not None:
        plans_dir.mkdir(parents=True, exist_ok=True)
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        c = cast()
        print(
            f"force {c.force_id}: officer {c.officer.username}, partner {c.partner.username}; "
            f"'{c.name}', '{c.surname}', '{c.misspelt}', '{c.address}', '{c.street}', '{c.misspelt_street}'",
            file=sys.stderr,
        )
        cases = [
            *(search_cases(c) if "search" in only else []),
            *(repeat_cases(c) if "repeat" in only else []),
            *(api_cases(c) if "api" in only else []),
        ]
        return [measure(case, runs, plans_dir) for case in cases]


# --- the table --------------------------------------------------------------------------------


def markdown(rows: list[Row]) -> str:
    lines = [
        "| group | what | median ms | p95 ms | queries | found | plan | indexes used |",
        "|---|---|--:|--:|--:|--:|---|---|",
    ]
    for r in rows:
        found = "" if r.found is None else f"{r.found:,}"
        lines.append(
            f"| {r.group} | {r.what} | {r.median_ms:.1f} | {r.p95_ms:.1f} | {r.queries} | {found} | {r.plan} "
            f"| {r.indexes} |"
        )
    return "\n".join(lines) + "\n"


def print_table(rows: list[Row], runs: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT count(*) FROM jps_person), (SELECT count(*) FROM jps_problem)")
        people, problems = cursor.fetchone()
    print(f"\nJPS people benchmark: {people:,} people, {problems:,} problems; {runs} runs after a warm-up")
    header = f"{'group':<7} {'what':<58} {'median':>8} {'p95':>8} {'queries':>7} {'found':>7}  plan"
    print(header)
    print("-" * len(header))
    for r in rows:
        found = "" if r.found is None else f"{r.found:,}"
        print(f"{r.group:<7} {r.what[:58]:<58} {r.median_ms:8.1f} {r.p95_ms:8.1f} {r.queries:7d} {found:>7}  {r.plan}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="add people, places and links to the data set")
    gen.add_argument("--scale", type=float, help="1 = 600,000 people (default: by the problems there)")
    gen.add_argument("--reset", action="store_true", help="remove the generated people and places first")
    bench = commands.add_parser("run", help="time the searches and the repeat counts")
    bench.add_argument("--runs", type=int, default=21, help="timed runs per case (after one warm-up)")
    bench.add_argument("--only", default="search,repeat,api", help="comma-separated: search, repeat, api")
    bench.add_argument("--json", help="also write the rows to this file")
    bench.add_argument("--markdown", help="also write the table as Markdown to this file")
    bench.add_argument("--plans", help="write each case's EXPLAIN (ANALYZE, BUFFERS) to this folder")
    args = parser.parse_args()
    if args.command == "generate":
        if args.reset:
            reset()
        started = time.perf_counter()
        generate(args.scale)
        for what, n in counts().items():
            print(f"  {what:<30} {n:>10,}")
        print(f"generated in {time.perf_counter() - started:.0f} s")
        return
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    rows = run(runs=args.runs, only=only, plans_dir=Path(args.plans) if args.plans else None)
    print_table(rows, args.runs)
    if args.markdown:
        Path(args.markdown).write_text(markdown(rows))
    if args.json:
        payload = {"runs": args.runs, "when": timezone.now().isoformat(), "rows": [r.as_dict() for r in rows]}
        Path(args.json).write_text(json.dumps(payload, indent=2))


if __name__ == "__main__":
    main()
