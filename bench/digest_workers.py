"""The first day's digest with 1, 2 and 4 worker processes: how much several workers share it.

    REDIS_URL=redis://127.0.0.1:6379/8 python bench/digest_workers.py --recipients 5000 --workers 1 2 4

Needs PostgreSQL (``DATABASE_URL``) and Redis (``REDIS_URL``; the database it names is purged).
Creates (once) ``--recipients`` staff in a benchmark force, then for each round writes two unsent
reminders per person (PACT meeting reminders of their ward, so no collector runs: this times the
sending only), starts ``celery -A tasks worker -c N`` (prefork: N processes) with the local-memory
email backend, queues ``reminders.deliver_pending`` and waits until every reminder is marked sent.
The round "1, not chunked" sets ``JPS_DIGEST_CHUNK`` above the number of recipients: one task
sends everything, as before chunking. Prints a table and checks that every reminder was sent once.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from jps.models import Agency, District, Force, Neighbourhood, Reminder, User  # noqa: E402
from jps.reminders.common import DIGEST_CHUNK  # noqa: E402
from tasks import jobs  # noqa: E402
from tasks.celery import app  # noqa: E402

PREFIX = "dgw."


def people(count: int) -> list[tuple[int, int]]:
    """(user id, neighbourhood id) for each benchmark recipient, created once."""
    force, _ = Force.objects.get_or_create(code="DGW", defaults={"name": "Digest workers bench", "slug": "dgw"})
    district, _ = District.objects.get_or_create(force=force, slug="dgw", defaults={"name": "DGW district"})
    agency, _ = Agency.objects.get_or_create(name="DGW agency", defaults={"force": force})
    wards = list(Neighbourhood.objects.filter(district=district).order_by("pk"))
    if len(wards) < 50:
        Neighbourhood.objects.bulk_create(
            Neighbourhood(district=district, name=f"DGW ward {w}", slug=f"dgw-ward-{w}") for w in range(len(wards), 50)
        )
        wards = list(Neighbourhood.objects.filter(district=district).order_by("pk"))
    have = User.objects.filter(username__startswith=PREFIX).count()
    User.objects.bulk_create(
        (
            User(
                username=f"{PREFIX}{u}",
                email=f"{PREFIX}{u}@example.org",
                first_name="Person",
                last_name=str(u),
                agency=agency,
                password="!",
            )  # fmt: skip
            for u in range(have, count)
        ),
        batch_size=2000,
    )
    ids = User.objects.filter(username__startswith=PREFIX).order_by("pk").values_list("pk", flat=True)[:count]
    return [(pk, wards[i % len(wards)].pk) for i, pk in enumerate(ids)]


def fresh_reminders(recipients: list[tuple[int, int]]) -> int:
    Reminder.objects.filter(recipient_key__startswith="user:", recipient__username__startswith=PREFIX).delete()
    today = timezone.localdate()
    rows = [
        Reminder(
            kind=Reminder.Kind.MEETING_STANDARD,
            neighbourhood_id=ward,
            recipient_id=user,
            item_key=f"neighbourhood:{ward}:{n}",
            recipient_key=f"user:{user}",
            period_key=f"bench-{n}",
            due_on=today,
            note="No PACT meeting in the last 12 weeks",
        )
        for user, ward in recipients
        for n in range(2)
    ]
    Reminder.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE jps_reminder")
    return len(rows)


def unsent() -> int:
    return Reminder.objects.filter(recipient__username__startswith=PREFIX, sent_at__isnull=True).count()


def start_worker(processes: int, chunk: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "JPS_DIGEST_CHUNK": str(chunk),
    }
    command = [sys.executable, "-m", "celery", "-A", "tasks", "worker", "-c", str(processes), "--loglevel", "WARNING",
               "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"digestbench{processes}@%h"]  # fmt: skip
    worker = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603 (our own worker)
    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=1.0):
        if time.monotonic() > deadline or worker.poll() is not None:
            stop_worker(worker)
            raise SystemExit("the worker did not start")
    return worker


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)  # the worker's own process group: its pool processes go too
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def one_round(recipients: list[tuple[int, int]], processes: int, chunk: int) -> tuple[float, int]:
    rows = fresh_reminders(recipients)
    app.control.purge()
    worker = start_worker(processes, chunk)
    try:
        started = time.perf_counter()
        jobs.deliver_pending.delay()
        while unsent():
            time.sleep(0.5)
        seconds = time.perf_counter() - started
    finally:
        stop_worker(worker)
    sent = Reminder.objects.filter(recipient__username__startswith=PREFIX, sent_at__isnull=False).count()
    assert sent == rows, f"{sent} of {rows} reminders marked sent"
    return seconds, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--chunk", type=int, default=DIGEST_CHUNK)
    parser.add_argument("--no-baseline", action="store_true", help="skip the one-task (not chunked) round")
    args = parser.parse_args()
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise SystemExit("bench/digest_workers.py needs DATABASE_URL=postgres://... and REDIS_URL")
    recipients = people(args.recipients)
    rounds = ([] if args.no_baseline else [(1, args.recipients + 1, "1, not chunked (before)")]) + [
        (n, args.chunk, f"{n}, chunks of {args.chunk}") for n in args.workers
    ]
    print(f"{len(recipients):,} recipients, 2 reminders each; load average {os.getloadavg()[0]:.1f} at the start")
    print("| worker processes | seconds | digests/s | speed-up |\n|---|---|---|---|")
    first = None
    for processes, chunk, label in rounds:
        seconds, _rows = one_round(recipients, processes, chunk)
        first = first or seconds
        rate = len(recipients) / seconds
        print(f"| {label} | {seconds:.1f} | {rate:.0f} | {first / seconds:.2f}× |", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
