"""Time the management-information figures, the library and the similar-problem suggestion at scale.

    python bench/generate.py --scale 0.1 --reset   # the national data set (PostgreSQL)
    python bench/insight.py --seed                 # add evaluations, learning needs, quality scores; time
    python bench/insight.py                        # time again

Evaluations (70% of closed problems), learning needs (every non-green evaluation) and
quality scores (half the problems) are inserted set-based, as generate.py does. Each
figure is then computed through ``jps.insight.figures`` exactly as the dashboard does,
for a national administrator, a district supervisor, a partner and a training manager;
the library is searched as an officer. Reported: the best of three runs, in ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from jps import insight  # noqa: E402
from jps.insight import figures as management_info  # noqa: E402
from jps.models import Agency, Problem, User  # noqa: E402

SEED = [
    "DELETE FROM jps_qualityscore",
    "DELETE FROM jps_learningneed",
    "DELETE FROM jps_evaluation_tags",
    "DELETE FROM jps_evaluation",
    """
    INSERT INTO jps_evaluation (problem_id, analyst_id, evaluated_at, rating, what_worked, what_did_not, learning,
                                transferable, best_practice)
    SELECT p.id, p.owner_id, coalesce(p.closed_at, p.updated_at) + interval '20 days',
           (ARRAY['green', 'amber', 'red'])[1 + p.id % 3],
           (ARRAY['Lighting and a dispersal order', 'Licensing visits with the council',
                  'Joint patrols at the peak hour', 'Youth diversion with the youth service',
                  'Target hardening of the shop fronts'])[1 + p.id % 5] || ' reduced the problem.',
           CASE WHEN p.id % 3 = 1 THEN 'Partners joined late.' ELSE '' END,
           'Learning: ' || (ARRAY['bring partners in at scanning', 'measure before and after',
                  'check for displacement', 'use CCTV data', 'engage the licensee'])[1 + p.id % 5],
           p.id % 3 = 0, p.id % 6 = 0
    FROM jps_problem p WHERE p.stage = 'closed' AND p.id % 10 < 7""",
    """
    INSERT INTO jps_learningneed (evaluation_id, district_id, role, person_id, skill, notes, created_at)
    SELECT e.id, p.district_id, 'officer', NULL,
           (ARRAY['Problem analysis', 'Partnership working', 'Licensing powers', 'Measuring outcomes',
                  'Displacement checks', 'Community engagement'])[1 + p.id % 6], '', e.evaluated_at
    FROM jps_evaluation e JOIN jps_problem p ON p.id = e.problem_id WHERE e.rating <> 'green'""",
    """
    INSERT INTO jps_qualityscore (problem_id, scored_by_id, scored_at, occasion, specific_statement,
                                  analysis_triangle, measurable_objective, responses_linked, partners_involved,
                                  assessment_evidence, total, comment)
    SELECT p.id, p.owner_id, p.created_at + interval '28 days',
           CASE WHEN p.stage IN ('closed', 'closed_no_action') THEN 'closure' ELSE 'review' END,
           p.id % 2 = 0, p.id % 3 < 2, p.id % 5 < 3, p.id % 4 < 3, p.id % 7 < 4, p.id % 7 < 3, 0, ''
    FROM jps_problem p WHERE p.id % 2 = 0""",
    """
    UPDATE jps_qualityscore SET total = specific_statement::int + analysis_triangle::int
        + measurable_objective::int + responses_linked::int + partners_involved::int + assessment_evidence::int""",
    "ANALYZE",
]


def seed() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in SEED:
            started = time.perf_counter()
            cursor.execute(sql)
            print(f"  seeded in {time.perf_counter() - started:6.1f} s: {' '.join(sql.split())[:70]}")


def users() -> dict[str, User]:
    police = Agency.objects.filter(kind=Agency.Kind.POLICE).order_by("pk").first()
    if police is None:
        raise SystemExit("No data: run bench/generate.py first.")

    def make(username: str, role: str, **extra: Any) -> User:
        user, _ = User.objects.get_or_create(username=username, defaults={"role": role, "agency": police, **extra})
        return user

    return {
        "national admin": make("bench_admin", User.Role.ADMIN, is_superuser=True),
        "district supervisor": User.objects.filter(role=User.Role.SUPERVISOR).order_by("pk").first(),  # type: ignore[dict-item]
        "partner": User.objects.filter(role=User.Role.PARTNER).order_by("pk").first(),  # type: ignore[dict-item]
        "training manager": make("bench_training", User.Role.TRAINING),
        "officer": User.objects.filter(role=User.Role.OFFICER).order_by("pk").first(),  # type: ignore[dict-item]
    }


def best_of(runs: int, work: Callable[[], Any]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", action="store_true", help="(re)insert evaluations, learning needs, quality scores")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("bench/insight.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    if args.seed:
        seed()
    people = users()
    print(f"problems: {Problem.objects.count():,}; timings are the best of {args.runs} runs, in ms")
    header = f"  {'figure':<28}" + "".join(f"{who:>21}" for who in people if who != "officer")
    print(header)
    totals: dict[str, list[float]] = {}
    for slug in management_info.FIGURES:
        cells = []
        for who, user in people.items():
            if who == "officer":
                continue
            ms = best_of(args.runs, lambda u=user, s=slug: management_info.figure(user=u, slug=s))
            totals.setdefault(who, []).append(ms)
            cells.append(f"{ms:21.1f}")
        print(f"  {slug:<28}" + "".join(cells))
    print(f"  {'whole dashboard':<28}" + "".join(f"{sum(v):21.1f}" for v in totals.values()))
    officer = people["officer"]
    searches = {
        "library, first page": insight.LibraryFilters(),
        "library, 'lighting dispersal'": insight.LibraryFilters(q="lighting dispersal"),
        "library, green + prevention": insight.LibraryFilters(rating="green", response_type="prevention"),
        "library, text + district": insight.LibraryFilters(
            q="licensing", district=officer.scope_district_ids and min(officer.scope_district_ids)
        ),
    }
    for name, filters in searches.items():

        def page(f: insight.LibraryFilters = filters) -> None:
            results = insight.library_search(user=officer, filters=f)
            list(results[:20])
            results.count()

        print(f"  {name:<34} {best_of(args.runs, page):9.1f}")
    open_problem = Problem.objects.filter(stage="analysis", district_id__in=officer.scope_district_ids).first()
    if open_problem is not None:
        ms = best_of(args.runs, lambda: list(insight.similar_problems(user=officer, problem=open_problem)))
        print(f"  {'similar problems (one page)':<34} {ms:9.1f}")
    print(f"  median figure for the national admin: {statistics.median(totals['national admin']):.1f} ms")


if __name__ == "__main__":
    main()
