"""Backups restore: the scripts in docker/ round-trip a real PostgreSQL database.

Runs against this machine's PostgreSQL whatever database the rest of the suite uses,
on two scratch databases it creates and drops.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER = os.environ.get("JPS_TEST_POSTGRES", "postgres://root@127.0.0.1:5432")


def _admin(sql: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def scratch_databases():  # type: ignore[no-untyped-def]
    names = [f"jps_backup_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("source", "target")]
    for name in names:
        _admin(f'CREATE DATABASE "{name}"')
    yield [f"{SERVER}/{name}" for name in names]
    for name in names:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DB_SET_ROLE", None)  # these commands are the owner's (migrate, a restore)
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 (fixed names)
            for table in ("jps_problem", "jps_action", "jps_historicalproblem", "jps_user", "jps_meeting")
        }


def test_backup_and_restore_round_trip(scratch_databases, tmp_path):
    source, target = scratch_databases
    for step in (["migrate", "--noinput"], ["load_demo", "--password", "restore-test-pw-1"]):
        result = run(sys.executable, "manage.py", *step, url=source)
        assert result.returncode == 0, result.stderr
    before = counts(source)
    assert before["jps_problem"] >= 24

    dump = tmp_path / "jps.dump"
    backup = run("bash", "docker/backup.sh", str(dump), url=source)
    assert backup.returncode == 0, backup.stderr
    restore = run("bash", "docker/restore.sh", str(dump), url=target)
    assert restore.returncode == 0, restore.stderr
    assert counts(target) == before

    # The restored database is a working JPS: migrations are all applied and a check passes.
    plan = run(sys.executable, "manage.py", "migrate", "--check", url=target)
    assert plan.returncode == 0, plan.stdout + plan.stderr
    # And restoring over a database that has data is refused rather than mixing the two.
    again = run("bash", "docker/restore.sh", str(dump), url=target)
    assert again.returncode != 0 and "refusing" in again.stderr
