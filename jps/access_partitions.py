"""The access log's monthly partitions on PostgreSQL: created ahead, dropped after retention.

The application's database role owns nothing and so cannot create or drop a partition itself.
It calls two ``SECURITY DEFINER`` functions that the owner made in migration 0037: one creates
the (empty) partition of a given month, the other detaches and drops the months wholly older
than ``jps_access_log_retention_days()``. That retention is a function too, which only the owner
can replace: :func:`access_log_retention_sync` re-creates it from ``JPS_ACCESS_LOG_RETENTION_DAYS``
after every ``migrate``. So the scheduled job needs no owner credentials, and a compromised
application can add empty months or drop expired ones, never shorten the log's retention.

On SQLite the access log is one plain table and every function here does nothing.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

PARTITION_PREFIX = "jps_problemview_"


@dataclass
class PartitionRun:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[str]]:
        return {"created": self.created, "existing": self.existing, "skipped": self.skipped, "dropped": self.dropped}


def _partitioned(using: str) -> bool:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure('jps_access_log_partition_create(date)') IS NOT NULL")
        return bool(cursor.fetchone()[0])


def months_from(start: datetime.date, count: int) -> list[datetime.date]:
    """The first day of ``start``'s month and of the ``count`` months after it."""
    year, month = start.year, start.month
    months = []
    for _ in range(count + 1):
        months.append(datetime.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def partition_name(month: datetime.date) -> str:
    return f"{PARTITION_PREFIX}{month:%Y_%m}"


def access_log_partitions_ensure(
    *, months_ahead: int | None = None, now: datetime.datetime | None = None, using: str = "default"
) -> PartitionRun:
    """Create this month's partition and the next ``months_ahead`` months' (idempotent).

    A month whose rows already sit in the default partition is skipped (and logged): PostgreSQL
    will not carve a partition out of a default that holds rows for it. Running ahead avoids that.
    """
    run = PartitionRun()
    if not _partitioned(using):
        return run
    ahead = settings.JPS_ACCESS_LOG_MONTHS_AHEAD if months_ahead is None else months_ahead
    today = (now or timezone.now()).astimezone(datetime.UTC).date()
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for month in months_from(today, ahead):
            cursor.execute("SELECT jps_access_log_partition_create(%s)", [month])
            outcome = cursor.fetchone()[0]
            {"created": run.created, "exists": run.existing}.get(outcome, run.skipped).append(partition_name(month))
    if run.skipped:
        logger.warning("Access log partitions not created (rows in the default partition): %s", run.skipped)
    return run


def access_log_partitions_drop_expired(*, using: str = "default") -> list[str]:
    """Detach and drop every month whose last instant is older than the retention period."""
    if not _partitioned(using):
        return []
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("SELECT * FROM jps_access_log_partitions_drop_expired()")
        dropped = [row[0] for row in cursor.fetchall()]
    if dropped:
        logger.info("Access log partitions dropped after retention: %s", dropped)
    return dropped


def access_log_partitions_maintain(*, months_ahead: int | None = None, using: str = "default") -> PartitionRun:
    """The scheduled job: months ahead created, months past retention dropped."""
    run = access_log_partitions_ensure(months_ahead=months_ahead, using=using)
    run.dropped = access_log_partitions_drop_expired(using=using)
    return run


def access_log_retention_sync(*, days: int | None = None, using: str = "default") -> bool:
    """Re-create ``jps_access_log_retention_days()`` with the configured retention (owner only).

    Returns whether it did: not on SQLite, not before migration 0037, and not when the
    connection's role does not own the function (the application's role never does).
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    retention = int(settings.JPS_ACCESS_LOG_RETENTION_DAYS if days is None else days)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_has_role(current_user, p.proowner, 'USAGE') FROM pg_proc p "
            "WHERE p.oid = to_regprocedure('jps_access_log_retention_days()')"
        )
        row = cursor.fetchone()
        if not row or not row[0]:
            return False
        cursor.execute(
            "CREATE OR REPLACE FUNCTION jps_access_log_retention_days() RETURNS integer "
            f"LANGUAGE sql STABLE AS 'SELECT {retention:d}'"
        )
    return True


def sync_on_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """``post_migrate`` receiver: the database's retention follows the setting after every deploy."""
    access_log_retention_sync(using=using)
