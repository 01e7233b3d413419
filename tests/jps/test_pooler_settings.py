"""What DB_POOLER and DATABASE_REPLICA_URL change in the settings (docs/deploy.md), read in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import json; from django.conf import settings as s; print(json.dumps({'databases': s.DATABASES, "
    "'routers': s.DATABASE_ROUTERS, 'middleware': s.MIDDLEWARE}, default=str))"
)
POSTGRES = "postgres://jps_app@127.0.0.1:5432/jps"


def settings_with(**env: str) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    skip = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DATABASE_REPLICA_URL", "DB_POOLER", "DB_SET_ROLE"}
    full_env = {**{k: v for k, v in os.environ.items() if k not in skip}, **env}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SHOW], cwd=ROOT, env=full_env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    return (
        result.returncode,
        json.loads(result.stdout.strip().splitlines()[-1]) if result.returncode == 0 else {},
        result.stderr,
    )


def test_behind_pgbouncer_nothing_outlives_a_transaction():
    code, shown, err = settings_with(DATABASE_URL=POSTGRES, DB_POOLER="pgbouncer")
    assert code == 0, err
    default = shown["databases"]["default"]
    assert default["DISABLE_SERVER_SIDE_CURSORS"] is True and default["CONN_MAX_AGE"] == 0
    assert default["OPTIONS"]["prepare_threshold"] is None and "options" not in default["OPTIONS"]


def test_a_session_level_set_role_is_refused_behind_pgbouncer():
    code, _, err = settings_with(DATABASE_URL=POSTGRES, DB_POOLER="pgbouncer", DB_SET_ROLE="jps_app")
    assert code != 0 and "DB_SET_ROLE cannot work behind PgBouncer" in err


def test_a_replica_behind_pgbouncer_is_pooled_the_same_way():
    code, shown, err = settings_with(
        DATABASE_URL=POSTGRES, DB_POOLER="pgbouncer", DATABASE_REPLICA_URL="postgres://jps_app@127.0.0.1:6432/replica"
    )
    assert code == 0, err
    replica = shown["databases"]["replica"]
    assert replica["DISABLE_SERVER_SIDE_CURSORS"] is True and replica["CONN_MAX_AGE"] == 0
    assert replica["OPTIONS"]["prepare_threshold"] is None and replica["OPTIONS"]["connect_timeout"] == 2


def test_a_replica_url_adds_a_mirrored_alias_the_router_and_the_middleware():
    code, shown, err = settings_with(
        DATABASE_URL=POSTGRES, DATABASE_REPLICA_URL="postgres://jps_app@127.0.0.1:5433/jps"
    )
    assert code == 0, err
    replica = shown["databases"]["replica"]
    assert replica["PORT"] == 5433 and replica["TEST"]["MIRROR"] == "default"
    assert shown["routers"] == ["jps.db_router.ReplicaRouter"]
    assert "jps.db_router.PrimaryAfterWriteMiddleware" in shown["middleware"]


def test_without_a_replica_url_or_on_sqlite_nothing_changes():
    for env in ({"DATABASE_URL": POSTGRES}, {"DATABASE_REPLICA_URL": "postgres://jps_app@127.0.0.1:5433/jps"}):
        code, shown, err = settings_with(**env)
        assert code == 0, err
        assert list(shown["databases"]) == ["default"] and shown["routers"] == []
        assert "jps.db_router.PrimaryAfterWriteMiddleware" not in shown["middleware"]
