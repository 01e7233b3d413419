"""Least-privilege database roles on PostgreSQL: the application works as a role that owns nothing.

The tables' owner runs ``migrate``; after every run, :func:`grant_application_role` gives the
application role (``DB_APP_ROLE``) read and write on every table and sequence, but on the access
log only SELECT and INSERT. The owner alone could empty the log (TRUNCATE skips row triggers) or
disable its triggers, and only the owner may alter a table, so the application must never be it.
The statement-level TRUNCATE trigger (migration 0015) refuses even a role with the privilege.

On PostgreSQL the access log is partitioned by month (migration 0037). Privileges are checked on
the table a statement names, so the application role keeps SELECT and INSERT on the parent and
gets nothing on the partitions themselves; it may execute the two functions that create a month
ahead and drop the months past retention (``jps/access_partitions.py``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

ACCESS_LOG = "jps_problemview"
PARTITION_FUNCTIONS = ("jps_access_log_partition_create(date)", "jps_access_log_partitions_drop_expired()")


def work_as_configured_role(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """``connection_created`` receiver: ``SET ROLE DB_SET_ROLE`` (the test suite's way to work as the app).

    Off unless ``DB_SET_ROLE`` is set; tests/conftest.py turns it on once the test database is built.
    """
    role = settings.DB_SET_ROLE
    if role and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET ROLE {connection.ops.quote_name(role)}")


def _role_exists(cursor: Any, role: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    return cursor.fetchone() is not None


def grant_application_role(using: str = "default", **kwargs: Any) -> None:
    """``post_migrate`` receiver: what the application role may do, re-stated after every migrate.

    Skipped on SQLite, without ``DB_APP_ROLE``, when the role does not exist, and when ``migrate``
    itself runs as the application role (it cannot grant to itself, and needs nothing new).
    """
    role = settings.DB_APP_ROLE
    connection = connections[using]
    if not role or connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema()")
        user, schema = cursor.fetchone()
        if user == role or not _role_exists(cursor, role):
            if user != role:
                logger.warning("DB_APP_ROLE %s does not exist: no privileges granted", role)
            return
        for statement in (
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {quote(schema)} TO {quote(role)}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quote(schema)} TO {quote(role)}",
            f"REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON {quote(ACCESS_LOG)} FROM {quote(role)}",
        ):
            cursor.execute(statement)
        _grant_on_partitions(cursor, quote(role))


def _grant_on_partitions(cursor: Any, role: str) -> None:
    """Nothing on each partition (``ON ALL TABLES`` above included them); the maintenance functions."""
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s)",
        [ACCESS_LOG],
    )
    for (partition,) in cursor.fetchall():
        cursor.execute(f'REVOKE ALL ON "{partition}" FROM {role}')
    for function in PARTITION_FUNCTIONS:
        cursor.execute("SELECT to_regprocedure(%s) IS NOT NULL", [function])
        if cursor.fetchone()[0]:
            cursor.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {role}")
