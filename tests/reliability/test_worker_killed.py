"""A Celery worker is killed (SIGKILL) in the middle of a public-site export.

The worker is a real process (prefork, ``tests/reliability/slow_export_worker.py``)
consuming from the real Redis; its export is slowed down while writing files so it can be
killed half-way. The site being served must stay the previous complete version; a new
worker must get the same export again (late acknowledgement: the message was never
acknowledged, and the broker gives it out again after the visibility timeout) and publish
a complete new version; the half-written folder must be cleaned up.
"""

from __future__ import annotations

import datetime
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.utils import timezone

from jps.models import ProgressUpdate, PublishRun
from publicsite.export import publish
from publicsite.store import MANIFEST, PROBLEMS
from tasks.publishing import publish_site_task
from tests import factories as f
from tests.celery_fixtures import REDIS_URL, celery_pointed_at
from tests.publicsite.site import priority_page, version_files

from .conftest import env_for_subprocess

pytestmark = pytest.mark.celery
ROOT = Path(django_settings.BASE_DIR)
VISIBILITY_TIMEOUT = 2  # seconds, for the test; production keeps Redis's hour (jps/settings.py)


class Workers:
    """Start worker processes (each in its own process group) and kill them."""

    def __init__(self, site: Path, tmp: Path) -> None:
        self.site, self.tmp = site, tmp
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, **env: str) -> subprocess.Popen[bytes]:
        log = (self.tmp / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "tests.reliability.slow_export_worker"],
            cwd=ROOT,
            env=env_for_subprocess(
                REDIS_URL=REDIS_URL,
                PUBLIC_SITE_DIR=str(self.site),
                CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
                **env,
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        """Signal the worker and its pool processes (the whole group), as a lost machine would."""
        if process.poll() is None:
            os.killpg(process.pid, sig)
        process.wait(timeout=60)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                self.kill(process, signal.SIGTERM)


@pytest.fixture
def workers(transactional_db, settings, tmp_path) -> Iterator[Workers]:  # type: ignore[no-untyped-def]
    with celery_pointed_at(REDIS_URL) as app:
        app.control.purge()
        broker = redis.Redis.from_url(REDIS_URL)
        broker.delete("unacked", "unacked_index", "unacked_mutex")
        pool = Workers(settings.PUBLIC_SITE_DIR, tmp_path)
        try:
            yield pool
        finally:
            pool.stop_all()
            app.control.purge()
            broker.delete("unacked", "unacked_index", "unacked_mutex")


def wait_for(condition: Callable[[], object], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def served(site: Path) -> Path:
    return (site / "current").resolve()


def test_a_worker_killed_mid_export_leaves_the_old_site_and_the_export_is_redelivered(
    workers: Workers, settings, pcso, neighbourhood, category, tmp_path
):
    assert publish_site_task.acks_late and publish_site_task.reject_on_worker_lost
    site = settings.PUBLIC_SITE_DIR
    problems = [
        f.ProblemFactory(
            owner=pcso,
            neighbourhood=neighbourhood,
            category=category,
            public_priority=True,
            adopted_on=datetime.date(2026, 1, 5),
        )
        for _ in range(6)
    ]
    old = publish(full=True)
    old_dir = served(site)
    assert old_dir.name == old.version and (old_dir / MANIFEST).exists()
    old_files = sorted(version_files(old_dir))

    text = "Street lights on the parade have been repaired."
    ProgressUpdate.objects.create(
        problem=problems[0],
        author=pcso,
        text=text,
        public_text=text,
        status=ProgressUpdate.Status.APPROVED,
        decided_at=timezone.now(),
    )
    page = priority_page(problems[0])
    assert text not in (old_dir / page).read_text()

    written = tmp_path / "written.log"
    doomed = workers.start("doomed", SLOW_EXPORT_DELAY="0.5", SLOW_EXPORT_LOG=str(written))
    publish_site_task.apply_async(kwargs={"full": True})  # the nightly export
    wait_for(lambda: written.exists() and len(written.read_text().splitlines()) >= 5, "the export to be half-way")
    taken_at = time.monotonic()

    workers.kill(doomed)

    half = site / "versions" / written.read_text().split()[0]
    assert half.is_dir() and not (half / MANIFEST).exists(), "a half-written version was left behind"
    half_revisions = list(site.glob(f"shards/*/{half.name}"))  # the new shard revisions it was writing
    # Pages, feeds, data files (the data.police.uk mirror's have no extension): any file written counts.
    written_files = [p for r in half_revisions for p in r.rglob("*") if p.is_file()]
    assert written_files, "the export was killed while writing files"
    assert served(site) == old_dir  # the old, complete version is still the one served
    assert (old_dir / MANIFEST).exists()
    assert sorted(version_files(old_dir)) == old_files
    assert text not in (served(site) / page).read_text()
    assert PublishRun.objects.filter(version=half.name, finished_at__isnull=True).exists()
    assert redis.Redis.from_url(REDIS_URL).hlen("unacked") == 1, "the export's message is held, unacknowledged"

    # A new worker: once the visibility timeout has passed, the broker hands the same message out again.
    time.sleep(max(0.0, taken_at + VISIBILITY_TIMEOUT + 0.5 - time.monotonic()))
    workers.start("replacement")
    finished = PublishRun.objects.filter(finished_at__isnull=False).exclude(version=old.version)
    wait_for(finished.exists, "the redelivered export to finish", timeout=90)

    new_dir = served(site)
    manifest = json.loads((new_dir / MANIFEST).read_text())
    assert "shards" in manifest
    published = {pk for shelf in new_dir.glob(f"priorities/*/{PROBLEMS}") for pk in json.loads(shelf.read_text())}
    assert published == {str(p.pk) for p in problems}
    assert text in (new_dir / page).read_text()
    new_files = sorted(version_files(new_dir))
    assert new_files == sorted([*old_files]), "the new version is complete: every page of the old one"
    assert not half.exists(), "the half-written version was pruned"
    assert not any(r.exists() for r in half_revisions), "and so were its shard revisions"
    assert sorted(v.name for v in (site / "versions").iterdir()) == sorted([old_dir.name, new_dir.name])
    assert (site / "previous").resolve() == old_dir
    assert finished.get().version == new_dir.name
    assert redis.Redis.from_url(REDIS_URL).hlen("unacked") == 0
