"""The suite on PostgreSQL as the application's database role, not the tables' owner.

CI logs in as the owner (it must create and migrate the test database) and sets ``DB_SET_ROLE``
to the application role, so every connection the application opens (requests, the live server's
thread, the Celery worker, child processes) runs ``SET ROLE`` to it (``jps/db_roles.py``). What only
the owner may do -- the flush between transactional tests, a fault-injection trigger -- goes
through :func:`as_owner`, so it is visible in the test that needs it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.backends.postgresql.operations import DatabaseOperations

ACCESS_LOG = "jps_problemview"
TRUNCATE_TRIGGER = "jps_problemview_no_truncate"


def current_user(conn: Any = connection) -> str:
    with conn.cursor() as cursor:
        cursor.execute("SELECT current_user")
        return cursor.fetchone()[0]


@contextmanager
def as_owner(conn: Any = connection) -> Iterator[None]:
    """Run the block as the login role (the owner in CI), then return to the role in force before."""
    with conn.cursor() as cursor:
        cursor.execute("SELECT session_user, current_user")
        login, before = cursor.fetchone()
        cursor.execute(f"SET ROLE {conn.ops.quote_name(login)}")
    try:
        yield
    finally:
        with conn.cursor() as cursor:
            cursor.execute(f"SET ROLE {conn.ops.quote_name(before)}")


_original_flush = DatabaseOperations.execute_sql_flush


def _truncate_guarded_tables(ops: DatabaseOperations) -> list[str]:
    """The access log and, on PostgreSQL partitioning (migration 0037), each of its partitions."""
    with ops.connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = %s ORDER BY 1", [TRUNCATE_TRIGGER]
        )
        return [row[0] for row in cursor.fetchall()]


def execute_sql_flush_as_owner(self: DatabaseOperations, sql_list: Sequence[str]) -> None:
    """Django's flush between transactional tests TRUNCATEs every table, the access log included.

    Only the owner may, and only by disabling the access log's TRUNCATE triggers first (the
    parent's and each partition's): done here in the flush's own transaction, so no other session
    ever sees them off.
    """
    quote = self.quote_name
    with self.connection.cursor() as cursor:
        cursor.execute("SELECT session_user, current_user")
        login, before = cursor.fetchone()
    guarded = _truncate_guarded_tables(self)
    toggle = f"ALTER TABLE %s %s TRIGGER {quote(TRUNCATE_TRIGGER)}"
    _original_flush(
        self,
        [
            f"SET ROLE {quote(login)}",
            *[toggle % (table, "DISABLE") for table in guarded],
            *sql_list,
            *[toggle % (table, "ENABLE") for table in guarded],
            f"SET ROLE {quote(before)}",
        ],
    )
