"""The access log partitioned by month on PostgreSQL (migration 0037, jps/access_partitions.py).

The suite works as the application role, so the job below runs with exactly the privileges it has
in production: none on the partitions, EXECUTE on the two maintenance functions.
"""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from jps.access_partitions import (
    access_log_partitions_drop_expired,
    access_log_partitions_ensure,
    access_log_retention_sync,
    months_from,
    partition_name,
)
from jps.models import ProblemView
from tasks.jobs import access_log_partitions
from tasks.schedule import DEFAULT_SCHEDULE
from tests.db_roles import as_owner, current_user

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitioning is PostgreSQL's"),
]


def partitions() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'jps_problemview'::regclass"
        )
        return {row[0] for row in cursor.fetchall()}


def this_month() -> datetime.date:
    return timezone.now().astimezone(datetime.UTC).date().replace(day=1)


def sql(statement: str, params: list[object] | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_job_creates_months_ahead_as_the_application_role_and_is_idempotent():
    assert current_user() == settings.DB_APP_ROLE
    wanted = {partition_name(month) for month in months_from(this_month(), 6)}

    first = access_log_partitions_ensure(months_ahead=6)
    assert set(first.created) | set(first.existing) == wanted
    assert first.created  # the migration made three months ahead, not six
    assert wanted <= partitions()

    again = access_log_partitions_ensure(months_ahead=6)
    assert again.created == [] and again.skipped == []
    assert set(again.existing) == wanted


def test_a_month_is_detached_and_dropped_after_retention_and_not_before(problem, pcso):
    """A month three years old: kept with 1,200 days' retention, gone with 1,000."""
    old = this_month().replace(year=this_month().year - 3)
    sql("SELECT jps_access_log_partition_create(%s)", [old])
    ProblemView.objects.create(
        problem=problem, user=pcso, channel="web", at=datetime.datetime(old.year, old.month, 2, tzinfo=datetime.UTC)
    )
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # the insert's deferred foreign-key checks, done now
    recent = partitions() - {partition_name(old)}

    with as_owner():
        assert access_log_retention_sync(days=1200)
    assert access_log_partitions_drop_expired() == []
    assert partition_name(old) in partitions()
    assert ProblemView.objects.count() == 1

    with as_owner():
        assert access_log_retention_sync(days=1000)
    assert access_log_partitions_drop_expired() == [partition_name(old)]
    assert partitions() == recent
    assert ProblemView.objects.count() == 0


def test_the_application_role_cannot_choose_what_expires():
    assert not access_log_retention_sync(days=0)
    with pytest.raises(DatabaseError, match="must be owner|permission denied"):
        sql("CREATE OR REPLACE FUNCTION jps_access_log_retention_days() RETURNS integer LANGUAGE sql AS 'SELECT 0'")


def test_inserts_land_in_their_month_and_never_fail(problem, pcso):
    ahead = months_from(this_month(), 5)[-1]
    access_log_partitions_ensure(months_ahead=5)
    future = ProblemView.objects.create(
        problem=problem, user=pcso, channel="web", at=datetime.datetime(ahead.year, ahead.month, 3, tzinfo=datetime.UTC)
    )
    far = ProblemView.objects.create(
        problem=problem, user=pcso, channel="web", at=timezone.now() + datetime.timedelta(days=3650)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, tableoid::regclass::text FROM jps_problemview ORDER BY id")
        assert cursor.fetchall() == [(future.pk, partition_name(ahead)), (far.pk, "jps_problemview_default")]
    assert ProblemView.objects.get(pk=future.pk).at.month == ahead.month


@pytest.mark.parametrize("table", ["jps_problemview", "{partition}"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET channel = 'api'", "DELETE FROM {table}", "TRUNCATE {table}"])
def test_a_new_partition_is_append_only_for_the_application_role(problem, pcso, table, statement):
    ahead = months_from(this_month(), 5)[-1]
    assert partition_name(ahead) in access_log_partitions_ensure(months_ahead=5).created
    ProblemView.objects.create(
        problem=problem, user=pcso, channel="web", at=datetime.datetime(ahead.year, ahead.month, 3, tzinfo=datetime.UTC)
    )
    with pytest.raises(DatabaseError, match="permission denied"):
        sql(statement.format(table=table.format(partition=partition_name(ahead))))
    assert ProblemView.objects.get().channel == "web"


@pytest.mark.parametrize("statement", ["UPDATE {table} SET channel = 'api'", "DELETE FROM {table}", "TRUNCATE {table}"])
def test_a_new_partition_refuses_changes_even_for_the_owner(problem, pcso, statement):
    """The row trigger cloned from the parent, and the TRUNCATE trigger the job adds to each month."""
    ahead = months_from(this_month(), 5)[-1]
    access_log_partitions_ensure(months_ahead=5)
    ProblemView.objects.create(
        problem=problem, user=pcso, channel="web", at=datetime.datetime(ahead.year, ahead.month, 3, tzinfo=datetime.UTC)
    )
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    with as_owner(), pytest.raises(DatabaseError, match="append-only"):
        sql(statement.format(table=partition_name(ahead)))
    assert ProblemView.objects.get().channel == "web"


def test_the_application_role_holds_no_privilege_on_any_partition():
    access_log_partitions_ensure(months_ahead=5)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p, bool_or(has_table_privilege(current_user, c, p)) FROM unnest(%s::text[]) AS c, "
            "unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER', 'REFERENCES']) AS p "
            "GROUP BY p",
            [sorted(partitions())],
        )
        assert not any(granted for _, granted in cursor.fetchall())


def test_the_command_the_task_and_the_schedule(capsys):
    call_command("access_log_partitions", months_ahead=4)
    assert "created" in capsys.readouterr().out
    result = access_log_partitions.apply(kwargs={"months_ahead": 4}).get()
    assert result["created"] == [] and len(result["existing"]) == 5
    assert any(job.task == "privacy.access_log_partitions" for job in DEFAULT_SCHEDULE)
