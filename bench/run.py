"""The benchmark: server time of the API, the pages and the jobs, beside what the database itself takes.

    python bench/generate.py --scale 0.05 --reset      # a national-shape data set (PostgreSQL)
    python bench/insight.py --seed                     # evaluations, learning needs, quality scores
    python bench/run.py [--runs 7] [--only api,pages,jobs] [--json out.json]

Requests go through Django's test ``Client`` in-process, with ``DEBUG=False``, as real
users picked from the data (a district supervisor, a PCSO, the partner user whose agency
has the most open actions, an administrator) holding real sessions and API tokens.

For each case the table shows:

- **median ms**: the median server time over ``--runs`` requests after one warm-up
  (time spent in the Django stack: middleware, view, ORM, serialisation, templates);
- **queries**: SQL statements per request;
- **limit ms**: the same statements, captured from one request with
  ``CaptureQueriesContext`` and re-executed raw with a cursor (rows fetched, inside a
  transaction that is rolled back), median over the same number of runs: what the
  database itself takes for what the view asks of it. A statement the application ran
  through a server-side cursor (``DECLARE ... CURSOR ... FOR SELECT``, which runs nothing
  until fetched) is replayed as its plain ``SELECT``, as the application fetched it, and a
  statement a ``replica_reads()`` block sent to the replica (``DATABASE_REPLICA_URL``) is
  replayed on the replica (the note counts them);
- **ratio**: median / limit.

Jobs (the reminder run, the full and the incremental public-site export) run ``--job-runs``
times (default 3): the reminder run inside a transaction that is rolled back (emails go
to the local-memory backend), so each run finds the same work. The export's limit is the
time to write the same bytes (every file of the version, or the files an incremental run
rewrote) to another temporary folder.

Other work on the machine makes single timings noisy; medians are robust to that, not immune.
The table's heading names what it was measured on: the commit, the data's scale and the
machine's load average before and after, so a figure is never read without them.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps.settings")

import warnings  # noqa: E402

import django  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")
django.setup()

from django.core import mail  # noqa: E402
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from jps import db_router, reminders  # noqa: E402
from jps.models import OPEN_STAGES, Action, Agency, Problem, ProgressUpdate, Reminder, User  # noqa: E402

SKIP = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
#: A server-side cursor's statement as captured: replayed as the SELECT it wraps.
DECLARE = re.compile(r"^\s*DECLARE\s+\S+\s+(?:NO\s+)?(?:SCROLL\s+)?CURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+", re.I)


@dataclass
class Row:
    group: str
    what: str
    median_ms: float
    queries: int
    limit_ms: float | None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.median_ms / self.limit_ms if self.limit_ms else None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"ratio": self.ratio}


# --- the people and the things they look at ---------------------------------------------------


@dataclass
class Cast:
    supervisor: User
    pcso: User
    partner: User
    admin: User
    district_id: int
    problem_id: int


def cast() -> Cast:
    """Realistic users from the data: the busiest district's supervisor and an officer there, the
    partner whose agency has the most open actions, and a national administrator."""
    busiest = (
        Problem.objects.filter(stage__in=OPEN_STAGES)
        .values("district_id")
        .annotate(n=Count("id"))
        .order_by("-n", "district_id")
        .first()
    )
    if busiest is None:
        raise SystemExit("No data: run bench/generate.py first.")
    district_id = busiest["district_id"]
    in_district = User.objects.filter(districts=district_id, is_active=True).order_by("id")
    supervisor = in_district.filter(role=User.Role.SUPERVISOR).first()
    pcso = in_district.filter(role=User.Role.OFFICER).first()
    agency = (
        Action.objects.filter(
            status__in=Action.OPEN_STATUSES,
            agency_id__in=User.objects.filter(role=User.Role.PARTNER, is_active=True).values("agency_id"),
        )
        .values("agency_id")
        .annotate(n=Count("id"))
        .order_by("-n", "agency_id")
        .first()
    )
    partner = User.objects.filter(role=User.Role.PARTNER, agency_id=agency and agency["agency_id"]).first()
    police = Agency.objects.filter(kind=Agency.Kind.POLICE).order_by("pk").first()
    admin, _ = User.objects.get_or_create(
        username="bench_admin", defaults={"role": User.Role.ADMIN, "is_superuser": True, "agency": police}
    )
    # The PCSO's problem page: an open problem in their district with the most actions and updates.
    problem = (
        Problem.objects.filter(district_id=district_id, stage="response")
        .annotate(n=Count("actions", distinct=True) + Count("updates", distinct=True))
        .order_by("-n", "id")
        .first()
    )
    if not (supervisor and pcso and partner and problem):
        raise SystemExit("The data set lacks a supervisor, officer, partner or open problem: regenerate it.")
    return Cast(supervisor, pcso, partner, admin, district_id, problem.pk)


def api_client(user: User) -> Client:
    token, _ = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def page_client(user: User) -> Client:
    """A real session row, as after signing in (with an authenticator code where one is required)."""
    client = Client()
    client.force_login(user)
    if user.two_factor_required:
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="Bench authenticator", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # what django_otp.login records
        session.save()
    return client


# --- measuring ------------------------------------------------------------------------------------


def median_ms(runs: int, work: Callable[[], Any], setup: Callable[[], Any] | None = None) -> float:
    times = []
    for _ in range(runs):
        if setup:
            setup()
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def captured(work: Callable[[], Any]) -> list[tuple[str, str]]:
    """The statements ``work`` ran, on whichever database each went to (the primary, or the replica for
    the reads that opt in: jps/db_router.py), as the application ran them: a cursor's ``DECLARE`` as its
    ``SELECT``."""
    with ExitStack() as stack:
        aliases = [DEFAULT_DB_ALIAS] + ([db_router.REPLICA] if db_router.replica_configured() else [])
        contexts = {alias: stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in aliases}
        work()
    return [
        (alias, DECLARE.sub("", q["sql"]))
        for alias, ctx in contexts.items()
        for q in ctx.captured_queries
        if not q["sql"].startswith(SKIP)
    ]


def replay(statements: list[tuple[str, str]]) -> None:
    """Run the statements raw on the database each ran on, fetching every row, then roll back what they wrote."""
    with ExitStack() as stack:
        cursors = {}
        for alias in dict.fromkeys(alias for alias, _ in statements):
            stack.enter_context(transaction.atomic(using=alias))
            cursors[alias] = stack.enter_context(connections[alias].cursor())
        for alias, sql in statements:
            cursor = cursors[alias]
            cursor.execute(sql)
            if cursor.description is not None:
                cursor.fetchall()
        for alias in cursors:
            transaction.set_rollback(True, using=alias)


def progress(row: Row) -> Row:
    """Each figure as soon as it is measured (a full-scale run takes a while)."""
    print(
        f"  {row.group}: {row.what}: {row.median_ms:.1f} ms, {row.queries} queries, limit {row.limit_ms or 0:.1f} ms",
        file=sys.stderr,
        flush=True,
    )
    return row


def measure(group: str, what: str, runs: int, work: Callable[[], Any], note: str = "") -> Row:
    work()  # warm-up: caches, connections, prepared templates
    statements = captured(work)
    server = median_ms(runs, work)
    limit = median_ms(runs, lambda: replay(statements))
    on_replica = sum(alias != DEFAULT_DB_ALIAS for alias, _ in statements)
    if on_replica:
        note = "; ".join(filter(None, [note, f"{on_replica} on the replica"]))
    return progress(Row(group, what, server, len(statements), limit, note))


def get(client: Client, path: str, **params: Any) -> Callable[[], Any]:
    def work() -> Any:
        response = client.get(path, params)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} {params} answered {response.status_code}: {response.content[:300]!r}")
        return response

    return work


# --- the cases ----------------------------------------------------------------------------------


def api_cases(c: Cast, runs: int) -> list[Row]:
    sup, pcso, partner, admin = (api_client(u) for u in (c.supervisor, c.pcso, c.partner, c.admin))
    rows = [
        measure("api", "problems, page 1 (admin, national)", runs, get(admin, "/api/problems/")),
        measure(
            "api",
            "problems: district + stage, page 1 (supervisor)",
            runs,
            get(sup, "/api/problems/", district=c.district_id, stage="analysis"),
        ),
        measure("api", "problem detail (PCSO)", runs, get(pcso, f"/api/problems/{c.problem_id}/")),
        measure("api", "partner: my open actions", runs, get(partner, "/api/actions/", ours="true", open="true")),
        measure("api", "partner: problems, page 1", runs, get(partner, "/api/problems/")),
        measure("api", "search q=drinking (supervisor)", runs, get(sup, "/api/problems/", q="drinking")),
        measure("api", "search q=drinking (admin, national)", runs, get(admin, "/api/problems/", q="drinking")),
    ]
    total = Problem.objects.count()
    deep = min(200, max(1, total // 50 - 1))  # page 201 of 50 = offset 10,000 (less on a small data set)
    rows.append(
        measure(
            "api",
            f"problems page {deep + 1} (offset {deep * 50:,}, admin)",
            runs,
            get(admin, "/api/problems/", page=deep + 1),
        )
    )
    cursor_page = _cursor_after(admin, deep)
    if cursor_page:
        rows.append(
            measure(
                "api", "problems by cursor at the same depth (admin)", runs, get(admin, "/api/problems/", **cursor_page)
            )
        )
    return rows


def _cursor_after(client: Client, pages: int) -> dict[str, str] | None:
    """The ``?cursor=`` of the keyset page at the same depth as page ``pages + 1`` (None without keyset pages)."""
    response = client.get("/api/problems/", {"cursor": ""})
    if response.status_code != 200 or response.json().get("count", 0) is not None:
        return None
    from urllib.parse import parse_qs, urlsplit

    from rest_framework.pagination import Cursor

    from api.base import KeysetPagination

    last = Problem.objects.order_by("-created_at", "-id").values_list("created_at", flat=True)[pages * 50 - 1]
    paginator = KeysetPagination()
    paginator.base_url = "http://testserver/api/problems/"
    url = paginator.encode_cursor(Cursor(offset=0, reverse=False, position=str(last)))
    return {"cursor": parse_qs(urlsplit(url).query)["cursor"][0]}


def page_cases(c: Cast, runs: int) -> list[Row]:
    sup, pcso, partner, admin = (page_client(u) for u in (c.supervisor, c.pcso, c.partner, c.admin))
    rows = [
        measure("pages", "my work: review queue (supervisor)", runs, get(sup, "/")),
        measure("pages", "my work (partner)", runs, get(partner, "/")),
        measure("pages", "problem page (PCSO)", runs, get(pcso, f"/problems/{c.problem_id}/")),
        measure(
            "pages",
            "similar problems panel (PCSO, after the page)",
            runs,
            get(pcso, f"/problems/{c.problem_id}/similar/"),
        ),
        measure("pages", "problem list, page 1 (supervisor)", runs, get(sup, "/problems/")),
        measure("pages", "dashboard (supervisor)", runs, get(sup, "/dashboard/")),
        measure("pages", "dashboard (partner)", runs, get(partner, "/dashboard/")),
        measure("pages", "dashboard (national admin)", runs, get(admin, "/dashboard/"), "slow figures cached"),
    ]
    with override_settings(JPS_FIGURE_CACHE_SECONDS=0):
        rows.append(measure("pages", "dashboard (national admin), no cache", runs, get(admin, "/dashboard/")))
    return rows


def job_cases(runs: int, parts: set[str]) -> list[Row]:
    rows = []
    jobs = [*(["collect", "collect_again"] if parts & {"jobs", "reminders"} else [])]
    jobs += ["daily_digest"] if parts & {"jobs", "digest"} else []
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        rows += [_reminder_row(job, runs) for job in jobs]
    if parts & {"jobs", "exports"}:
        rows += _export_rows(runs)
    return rows


def _reminder_row(job: str, runs: int) -> Row:
    """``collect``: only the collection step (what is due, insert the rows); ``daily_digest``: the
    whole run, collection, claims and one email per person."""
    now = timezone.now()

    def collect_all() -> reminders.JobResult:
        result = reminders.JobResult(job="collect")
        for name in reminders.COLLECTORS:
            reminders.collect(name, now=now, result=result, progress=reminders.NoProgress())
        return result

    def work() -> reminders.JobResult:
        mail.outbox = []
        with transaction.atomic():
            result = collect_all() if job == "collect" else reminders.run_job("daily_digest", now=now)
            transaction.set_rollback(True)
        return result

    results: list[reminders.JobResult] = []
    if job == "daily_digest":
        return _digest_row(now, runs)
    if job == "collect_again":  # the next run: everything due was recorded by the previous one
        with transaction.atomic():
            collect_all()
            statements = captured(lambda: results.append(collect_all()))
            server = median_ms(runs, collect_all)
            limit = median_ms(runs, lambda: replay(statements))
            transaction.set_rollback(True)
    else:
        statements = captured(lambda: results.append(work()))  # also the warm-up: a run takes minutes at full scale
        server = median_ms(runs, work)
        limit = median_ms(runs, lambda: replay(statements))
    result = results[0]
    what = {
        "collect": "reminders: collect, first run (whole backlog)",
        "collect_again": "reminders: collect, next run (nothing new)",
        "daily_digest": "reminders: daily digest (collect, claim, send)",
    }[job]
    note = f"{result.items:,} items, {result.reminders:,} reminders, {result.digests:,} digests"
    return progress(Row("jobs", what, server, len(statements), limit, note))


def _digest_row(now: datetime.datetime, runs: int) -> Row:
    """The whole daily digest as production runs it: every claim and sent mark commits.

    The rows a run makes are deleted afterwards, so each run finds the same work. Its limit is
    the database time the run's statements took as the application saw them (re-executed in
    one transaction, thousands of freshly inserted rows would slow every lookup unlike any real run).
    """
    with (
        connection.cursor() as cursor
    ):  # a steady-state table, as autovacuum keeps it (not the rolled-back runs' debris)
        cursor.execute("VACUUM ANALYZE jps_reminder")
    times: list[float] = []
    sql_ms: list[float] = []
    result = reminders.JobResult(job="daily_digest")
    queries = 0
    for i in range(runs + 1):  # the first run also captures the statements
        mail.outbox = []
        started_at = timezone.now()
        try:
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                result = reminders.run_job("daily_digest", now=now)
                elapsed = (time.perf_counter() - started) * 1000
        finally:
            Reminder.objects.filter(created_at__gte=started_at).delete()
        queries = len(ctx.captured_queries)
        sql_ms.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
        if i > 0 or runs == 0:
            times.append(elapsed)
    note = f"{result.items:,} items, {result.reminders:,} reminders, {result.digests:,} digests; limit = SQL time"
    what = "reminders: daily digest (collect, claim, send)"
    return progress(Row("jobs", what, statistics.median(times), queries, statistics.median(sql_ms), note))


def _write_same(files: dict[str, bytes]) -> float:
    target = Path(tempfile.mkdtemp(prefix="jps-bench-bytes-"))
    try:
        started = time.perf_counter()
        for path, data in files.items():
            out = target / path
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
        return (time.perf_counter() - started) * 1000
    finally:
        shutil.rmtree(target, ignore_errors=True)


def _read_tree(root: Path, only: list[str] | None = None) -> dict[str, bytes]:
    """The files of a version (or ``only`` these), following its symlinks into the shard store."""
    if only is not None:
        return {p: (root / p).read_bytes() for p in only if (root / p).is_file()}
    out = {}
    for dirpath, _dirs, names in os.walk(root, followlinks=True):
        for name in names:
            if not name.startswith("."):
                path = Path(dirpath) / name
                out[str(path.relative_to(root))] = path.read_bytes()
    return out


def _export_rows(runs: int) -> list[Row]:
    from publicsite.export import publish

    root = Path(tempfile.mkdtemp(prefix="jps-bench-site-"))
    try:
        full_times, limits, queries = [], [], 0
        for i in range(runs):
            started = time.perf_counter()
            if i == 0:
                with CaptureQueriesContext(connection) as ctx:
                    result = publish(output=root, full=True)
                queries = len(ctx.captured_queries)
            else:
                result = publish(output=root, full=True)
            full_times.append((time.perf_counter() - started) * 1000)
            limits.append(_write_same(_read_tree(root / "current")))
        files = len(result.written)
        size = sum((root / "current" / p).stat().st_size for p in result.written)
        full = Row(
            "jobs",
            "public site: full export",
            statistics.median(full_times),
            queries,
            statistics.median(limits),
            f"{files:,} files, {size / 1e6:.1f} MB",
        )
        typical = progress(_incremental_row(root, runs, "public site: incremental after one change", largest=False))
        largest = progress(
            _incremental_row(root, runs, "public site: incremental, a change in the largest force", largest=True)
        )
        return [progress(full), typical, largest]
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _incremental_row(root: Path, runs: int, what: str, *, largest: bool) -> Row:
    """Incremental exports after one public change each (the first a warm-up), into the site at ``root``."""
    from publicsite.export import publish

    inc_times, inc_limits, written, inc_queries = [], [], 0, 0
    for i in range(runs + 1):
        _change_one_public_problem(i, largest_force=largest)
        started = time.perf_counter()
        if i == 1:
            with CaptureQueriesContext(connection) as ctx:
                result = publish(output=root)
            inc_queries = len(ctx.captured_queries)
        else:
            result = publish(output=root)
        elapsed = (time.perf_counter() - started) * 1000
        if i == 0:
            continue  # warm-up
        inc_times.append(elapsed)
        inc_limits.append(_write_same(_read_tree(root / "current", result.written)))
        written = len(result.written)
    return Row(
        "jobs",
        what,
        statistics.median(inc_times),
        inc_queries,
        statistics.median(inc_limits),
        f"{written} files rewritten, {result.kept:,} linked, {len(result.new_shards)} of {result.shards:,} shards new",
    )


def _change_one_public_problem(i: int, *, largest_force: bool = False) -> None:
    """What a web editor's approval does to the data: a public update is approved now.

    In the force with the most public priorities when ``largest_force`` (its priorities shard is the
    biggest an incremental export rewrites), else among the newest priorities anywhere.
    """
    public = Problem.objects.filter(public_priority=True, adopted_on__isnull=False)
    if largest_force:
        biggest = public.values("force_id").annotate(n=Count("id")).order_by("-n").values("force_id")[:1]
        public = public.filter(force_id__in=biggest)
    problem = public.order_by("-adopted_on", "id")[i % 5]
    now = timezone.now()
    ProgressUpdate.objects.filter(pk=problem.updates.order_by("id").values("pk")[:1]).update(
        status=ProgressUpdate.Status.APPROVED, public_text=f"Bench update {i} at {now:%H:%M:%S}", decided_at=now
    )
    Problem.objects.filter(pk=problem.pk).update(updated_at=now)
    time.sleep(0.001)


# --- the table --------------------------------------------------------------------------------


def commit() -> str:
    """The commit measured, with ``+changes`` when the work tree differs from it."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "-uno"], cwd=root, capture_output=True, text=True)
    except OSError:
        return "unknown"
    return (head.stdout.strip() or "unknown") + ("+changes" if dirty.stdout.strip() else "")


def load() -> str:
    """The machine's load average over one minute, against its CPUs: what else was running."""
    return f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def scale() -> str:
    """The data measured: problems, neighbourhoods, users, actions and history rows."""
    from jps.models import Action, Neighbourhood, User

    return (
        f"{Problem.objects.count():,} problems, {Neighbourhood.objects.count():,} neighbourhoods, "
        f"{User.objects.count():,} users, {Action.objects.count():,} actions, "
        f"{Problem.history.count():,} problem history rows"
    )


def print_table(rows: list[Row], runs: int, job_runs: int, load_before: str = "") -> None:
    print(
        f"\nJPS benchmark at {commit()} — {scale()}; medians of {runs} requests, {job_runs} job runs "
        f"(after a warm-up); {datetime.datetime.now():%Y-%m-%d %H:%M}; load {load_before or '?'} before, "
        f"{load()} after"
    )
    header = f"{'group':<6} {'what':<52} {'median ms':>10} {'queries':>8} {'limit ms':>9} {'ratio':>6}  note"
    print(header)
    print("-" * len(header))
    for r in rows:
        limit = f"{r.limit_ms:9.1f}" if r.limit_ms is not None else f"{'—':>9}"
        ratio = f"{r.ratio:6.1f}" if r.ratio is not None else f"{'—':>6}"
        print(f"{r.group:<6} {r.what:<52} {r.median_ms:10.1f} {r.queries:8d} {limit} {ratio}  {r.note}")


def markdown(rows: list[Row]) -> str:
    """The table as Markdown, for docs/performance.md."""
    lines = ["| group | what | median ms | queries | limit ms | ratio | note |", "|---|---|--:|--:|--:|--:|---|"]
    for r in rows:
        limit = f"{r.limit_ms:.1f}" if r.limit_ms is not None else "—"
        ratio = f"{r.ratio:.1f}" if r.ratio is not None else "—"
        lines.append(f"| {r.group} | {r.what} | {r.median_ms:.1f} | {r.queries} | {limit} | {ratio} | {r.note} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="timed requests per case (after one warm-up)")
    parser.add_argument("--job-runs", type=int, default=3, help="timed runs per job")
    parser.add_argument(
        "--only", default="api,pages,jobs", help="comma-separated: api, pages, jobs (= reminders, digest, exports)"
    )
    parser.add_argument("--json", help="also write the rows to this file")
    parser.add_argument("--markdown", help="also write the table as Markdown to this file")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("bench/run.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    connection.queries_log = deque(maxlen=10_000_000)  # capture every statement of a job, not the last 9,000
    rows: list[Row] = []
    load_before = load()
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        c = cast()
        if Problem.objects.filter(updated_at__gt=timezone.now()).exists():
            print(
                "warning: problems updated in the future look changed to every incremental export; "
                "run bench/generate.py --fix-dates",
                file=sys.stderr,
            )
        print(
            f"users: supervisor {c.supervisor.username}, PCSO {c.pcso.username}, partner {c.partner.username}, "
            f"admin {c.admin.username}; district {c.district_id}; problem {c.problem_id}",
            file=sys.stderr,
        )
        if "api" in only:
            rows += api_cases(c, args.runs)
        if "pages" in only:
            rows += page_cases(c, args.runs)
        if only & {"jobs", "reminders", "digest", "exports"}:
            rows += job_cases(args.job_runs, only)
    print_table(rows, args.runs, args.job_runs, load_before)
    if args.markdown:
        heading = f"At {commit()}: {scale()}; load {load_before} before, {load()} after.\n\n"
        Path(args.markdown).write_text(heading + markdown(rows))
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "problems": Problem.objects.count(),
                    "commit": commit(),
                    "scale": scale(),
                    "load_before": load_before,
                    "load_after": load(),
                    "runs": args.runs,
                    "job_runs": args.job_runs,
                    "when": timezone.now().isoformat(),
                    "rows": [r.as_dict() for r in rows],
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
