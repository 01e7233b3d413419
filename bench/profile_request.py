"""Profile one request of the benchmark's cast, to see where its time goes beyond the SQL.

    DATABASE_URL=postgres://.../jps_bench .venv/bin/python bench/profile_request.py /problems/{problem}/ --as pcso
    .venv/bin/python bench/profile_request.py /api/problems/{problem}/ --as pcso --api --runs 20 --top 40

The path may name ``{problem}`` (the PCSO's busiest open problem) and ``{district}``, as
``bench/run.py`` picks them. The request is made once to warm up, then ``--runs`` times under
``cProfile``; the top functions by their own time and by cumulative time are printed, with the
time spent waiting on the database (its cursor's ``execute`` and ``fetch``) named, so the
Python left over is what to work on.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import api_client, cast, page_client  # noqa: E402  (sets Django up)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path")
    parser.add_argument("--as", dest="who", choices=["pcso", "supervisor", "partner", "admin"], default="pcso")
    parser.add_argument("--api", action="store_true", help="with the user's API token, not a session")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

    c = cast()
    user = getattr(c, "supervisor" if args.who == "supervisor" else args.who)
    client = api_client(user) if args.api else page_client(user)
    path = args.path.format(problem=c.problem_id, district=c.district_id)
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code}")

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.runs):
        client.get(path)
    profiler.disable()

    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    total = stats.total_tt / args.runs * 1000  # type: ignore[attr-defined]
    database = sum(
        timing[3]
        for (file, _line, name), timing in stats.stats.items()  # type: ignore[attr-defined]
        if name in {"execute", "fetchall", "fetchmany", "fetchone"} and "psycopg" in file
    )
    print(
        f"{path} as {args.who}: {total:.1f} ms a request under the profiler, {database / args.runs * 1000:.1f} ms of it SQL"
    )
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
