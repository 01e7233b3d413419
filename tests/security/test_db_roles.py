"""Hole 6: the application's database role cannot empty, rewrite or unguard the access log.

On PostgreSQL the suite runs as the application role (``.ci/run``: logged in as the owner to
create the test database, ``DB_SET_ROLE`` for everything else). These tests prove that role owns
nothing, may only read and append to the access log, and cannot disable its triggers; and that
the TRUNCATE trigger refuses even a role that has the privilege.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction

from jps import services
from jps.models import ProblemView
from tasks.celery import app as celery_app
from tests.celery_fixtures import celery_worker  # noqa: F401
from tests.db_roles import ACCESS_LOG, as_owner, current_user

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="database roles and triggers are PostgreSQL's; the SQLite demo has a single user",
)

ROOT = Path(__file__).resolve().parents[2]
APP_ROLE = getattr(settings, "DB_APP_ROLE", "")


@celery_app.task(name="tests.security.database_user")
def database_user() -> str:
    """What the worker's own connection runs as."""
    return current_user()


def run_sql(statement: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


def access_log_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {ACCESS_LOG}")  # noqa: S608  # nosec B608 (fixed name)
        return cursor.fetchone()[0]


@pytest.fixture
def logged_view(pcso, problem) -> ProblemView:  # type: ignore[no-untyped-def]
    return services.problem_view_record(user=pcso, problem=problem, channel=ProblemView.Channel.WEB)


@pytest.mark.django_db
def test_the_suite_runs_as_the_application_role():
    assert APP_ROLE, "set DB_APP_ROLE (and DB_SET_ROLE in CI): .ci/run runs the suite as the app role"
    assert current_user() == APP_ROLE


@pytest.mark.django_db
def test_the_application_role_owns_nothing_and_cannot_become_the_owner():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE pg_has_role(current_user, c.relowner, 'MEMBER')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'
            """
        )
        owned = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT pg_has_role(current_user, datdba, 'MEMBER') FROM pg_database WHERE datname = current_database()"
        )
        owns_database = cursor.fetchone()[0]
        cursor.execute("SELECT rolsuper OR rolcreaterole OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        privileged = cursor.fetchone()[0]
    assert owned == []
    assert not owns_database and not privileged


@pytest.mark.django_db
def test_the_application_role_reads_and_appends_to_the_access_log(logged_view):
    assert access_log_rows() == 1
    services.problem_view_record(user=logged_view.user, problem=logged_view.problem, channel="api")
    assert access_log_rows() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        f"TRUNCATE {ACCESS_LOG}",
        f"DELETE FROM {ACCESS_LOG}",
        f"UPDATE {ACCESS_LOG} SET channel = 'api'",
        f"ALTER TABLE {ACCESS_LOG} DISABLE TRIGGER jps_problemview_append_only",
        f"ALTER TABLE {ACCESS_LOG} DISABLE TRIGGER jps_problemview_no_truncate",
        f"ALTER TABLE {ACCESS_LOG} DISABLE TRIGGER ALL",
        f"DROP TRIGGER jps_problemview_append_only ON {ACCESS_LOG}",
        f"ALTER TABLE {ACCESS_LOG} OWNER TO CURRENT_USER",
    ],
)
def test_the_application_role_cannot_empty_rewrite_or_unguard_the_access_log(logged_view, statement):
    """Refused by the privilege system itself (not merely by the row trigger, which TRUNCATE skips)."""
    with pytest.raises(DatabaseError, match="permission denied|must be owner|no privileges"):
        run_sql(statement)
    assert access_log_rows() == 1


@pytest.mark.django_db
def test_on_the_access_log_the_application_role_may_only_read_and_append():
    """And it cannot grant itself more (a non-owner's GRANT grants nothing)."""
    run_sql(f"GRANT ALL ON {ACCESS_LOG} TO CURRENT_USER")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p, has_table_privilege(current_user, %s, p) FROM unnest(%s::text[]) AS p",
            [ACCESS_LOG, ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES"]],
        )
        allowed = {privilege for privilege, granted in cursor.fetchall() if granted}
    assert allowed == {"SELECT", "INSERT"}


@pytest.mark.django_db
def test_truncate_is_refused_even_for_a_role_that_may(logged_view):
    """The statement-level trigger: the owner (who has TRUNCATE) still cannot empty the log in one go."""
    run_sql("SET CONSTRAINTS ALL IMMEDIATE")  # the insert's deferred foreign-key checks, done now
    with as_owner(), pytest.raises(DatabaseError, match="append-only"):
        run_sql(f"TRUNCATE {ACCESS_LOG}")
    assert access_log_rows() == 1


@pytest.mark.django_db(transaction=True)
def test_connections_opened_by_other_threads_run_as_the_application_role():
    """The live server and the threaded test worker open their own connections, in their own threads."""
    seen: list[str] = []

    def look() -> None:
        try:
            seen.append(current_user(connections["default"]))
        finally:
            connections.close_all()

    thread = threading.Thread(target=look)
    thread.start()
    thread.join(timeout=30)
    assert seen == [APP_ROLE]


@pytest.mark.celery
def test_the_celery_worker_runs_as_the_application_role(celery_worker):  # noqa: F811
    assert database_user.delay().get(timeout=30) == APP_ROLE


@pytest.mark.django_db
def test_a_child_process_runs_as_the_application_role():
    """Worker and server processes started by tests (and by CI) get the role from the environment."""
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
    }
    code = "from tests.db_roles import current_user; print(current_user())"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == APP_ROLE
