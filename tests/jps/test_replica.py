"""The read replica in the loop (jps/db_router.py), against a real streaming replica.

CI starts one (scripts/start_replica.sh: pg_basebackup, then pg_ctl on port 5433) and sets
``DATABASE_REPLICA_URL``; the ``replica`` alias mirrors the test database there, and streaming brings
it every committed row. So these tests are transactional (a test's rows must commit to reach the
replica), and hold a lock among xdist workers: pausing replay pauses it for every test database.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable, Iterator

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connections, router, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jps import db_router
from jps import models as m
from jps.db_router import PIN_COOKIE, REPLICA, db_scope, replica_reads
from jps.insight import figures

from .. import factories as f
from ..conftest import verified_login

pytestmark = [
    pytest.mark.skipif(
        "replica" not in django_settings.DATABASES,
        reason="DATABASE_REPLICA_URL is not set (.ci/run starts a replica: scripts/start_replica.sh)",
    ),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]

LOCK_FILE = "/tmp/jps-replica-tests.lock"


@pytest.fixture(autouse=True)
def replica_on(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Routing on, the replica asked afresh at every read, one test at a time across workers.

    The lag allowed is generous here (the shared machine's other suites keep the replica busy);
    the lag test sets its own.
    """
    settings.REPLICA_READS = True
    settings.REPLICA_CHECK_SECONDS = 0
    settings.REPLICA_MAX_LAG_SECONDS = 30
    with open(LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        db_router.replica_health_forget()
        yield
        db_router.replica_health_forget()
        connections[REPLICA].close()


def wait_for(check: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.02)


def reads(captured: CaptureQueriesContext) -> list[str]:
    """The queries a block ran, less the router's own health check."""
    return [q["sql"] for q in captured.captured_queries if "pg_is_in_recovery" not in q["sql"]]


def on_replica(sql: str, params: list[object] | None = None) -> tuple:  # type: ignore[type-arg]
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def replayed() -> None:
    """Wait until the replica has replayed everything committed on the primary so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        (lsn,) = cursor.fetchone()
    wait_for(lambda: on_replica("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]) == (True,))


_codes = iter(range(10, 100))


def new_force(name: str = "Replica Constabulary") -> m.Force:
    n = next(_codes)
    return f.ForceFactory(code=f"R{n}", name=name, slug=f"replica-{n}")


@pytest.fixture
def superuser_on_replica() -> Iterator[psycopg.Connection]:
    replica = connections[REPLICA].settings_dict
    try:
        conn = psycopg.connect(
            host=replica["HOST"], port=replica["PORT"], dbname="postgres",
            user=os.environ.get("PG_SUPERUSER", "root"), autocommit=True,
        )  # fmt: skip
    except psycopg.OperationalError as error:
        pytest.skip(f"no superuser on the replica to pause its replay: {error}")
    with conn:
        yield conn
        conn.execute("SELECT pg_wal_replay_resume()")


def test_a_dashboard_figure_in_a_replica_block_reads_the_standby(admin_user):
    force = new_force(name="Seen on the standby")
    replayed()
    with db_scope(), replica_reads():
        assert router.db_for_read(m.Force) == REPLICA
        assert m.Force.objects.get(pk=force.pk).name == "Seen on the standby"
        with CaptureQueriesContext(connections[REPLICA]) as on_standby:
            figures.figure(user=admin_user, slug="by-stage")
    assert any("jps_problem" in sql for sql in reads(on_standby)), "the dashboard's selector read the replica"
    assert on_replica("SELECT pg_is_in_recovery()") == (True,)  # a standby, not the primary by another name
    assert router.db_for_read(m.Force) == "default"  # outside the block: the primary


def test_writes_and_the_reads_after_them_go_to_the_primary():
    replayed()
    assert router.db_for_read(m.Force) == "default"  # no block: the primary
    with db_scope() as request, replica_reads():
        assert router.db_for_read(m.Force) == REPLICA
        force = new_force(name="Just written")  # db_for_write: the primary, and the scope is marked
        assert request.wrote
        assert router.db_for_read(m.Force) == "default"
        assert m.Force.objects.get(pk=force.pk).name == "Just written"  # read back at once, not lost to lag
        with replica_reads():
            assert router.db_for_read(m.Force) == "default"  # a nested block is still the same request
        with replica_reads(own_scope=True):  # the public-site export after its bookkeeping row
            assert router.db_for_read(m.Force) == REPLICA
            new_force()
            assert router.db_for_read(m.Force) == "default"
    with transaction.atomic(), replica_reads():
        assert router.db_for_read(m.Force) == "default"  # a transaction's reads belong to it


def test_a_csv_download_reads_the_replica_throughout_while_it_logs_each_chunk(client, admin_user, monkeypatch):
    from frontend.views import lists

    monkeypatch.setattr(lists, "CSV_LOG_CHUNK", 2)
    neighbourhood = f.NeighbourhoodFactory()
    for _ in range(5):
        f.ProblemFactory(neighbourhood=neighbourhood)
    c = verified_login(client, admin_user)
    replayed()
    with CaptureQueriesContext(connections[REPLICA]) as on_standby:
        response = c.get(reverse("problem_csv"))
        rows = b"".join(response.streaming_content).decode().splitlines()
    assert len(rows) == 1 + m.Problem.objects.count()
    assert sum("jps_problem" in sql and "jps_problemview" not in sql for sql in reads(on_standby)) >= 3  # every chunk
    assert m.ProblemView.objects.count() == m.Problem.objects.count()  # each row logged, on the primary


def test_a_partners_incremental_list_reads_the_replica_and_the_plain_list_does_not(partner_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=partner_user).key}")
    replayed()
    with CaptureQueriesContext(connections[REPLICA]) as synced:
        assert client.get("/api/actions/", {"updated_since": "2020-01-01T00:00:00Z"}).status_code == 200
    assert any("jps_action" in sql for sql in reads(synced))
    assert not any("authtoken" in sql for sql in reads(synced)), "authentication reads the primary"
    with CaptureQueriesContext(connections[REPLICA]) as plain:
        assert client.get("/api/actions/").status_code == 200
    assert not reads(plain)


def test_the_get_after_a_post_reads_the_primary(client, admin_user):
    c = verified_login(client, admin_user)
    replayed()
    with CaptureQueriesContext(connections[REPLICA]) as before:
        assert c.get(reverse("insight_dashboard")).status_code == 200
    assert reads(before), "a plain GET of the dashboard reads the replica"

    posted = c.post(reverse("insight_dashboard"))  # any unsafe method: the view refuses it, the cookie is set
    assert posted.cookies[PIN_COOKIE]["max-age"] == django_settings.REPLICA_PIN_SECONDS
    with CaptureQueriesContext(connections[REPLICA]) as after:
        assert c.get(reverse("insight_dashboard")).status_code == 200
    assert not reads(after), "the redirect after a POST reads what it wrote"


def test_a_lagging_replica_is_left_for_the_primary_and_logged(settings, superuser_on_replica, caplog):
    replayed()
    settings.REPLICA_MAX_LAG_SECONDS = 0.2
    superuser_on_replica.execute("SELECT pg_wal_replay_pause()")
    new_force(name="Not yet replayed")
    wait_for(lambda: on_replica("SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()") == (True,))
    time.sleep(0.3)
    with caplog.at_level(logging.WARNING, logger="jps.db_router"), db_scope(), replica_reads():
        assert router.db_for_read(m.Force) == "default"
        assert m.Force.objects.filter(name="Not yet replayed").exists()
    assert "behind" in caplog.text and "reads go to the primary" in caplog.text

    superuser_on_replica.execute("SELECT pg_wal_replay_resume()")
    replayed()
    settings.REPLICA_MAX_LAG_SECONDS = 30
    with db_scope(), replica_reads():
        assert router.db_for_read(m.Force) == REPLICA  # caught up: back in use
        assert m.Force.objects.filter(name="Not yet replayed").exists()


def test_a_replica_that_is_down_is_left_for_the_primary_and_logged(monkeypatch, caplog):
    connections[REPLICA].close()
    monkeypatch.setitem(connections[REPLICA].settings_dict, "PORT", "1")  # nothing listens there
    force = new_force(name="Read from the primary")
    with caplog.at_level(logging.WARNING, logger="jps.db_router"), db_scope(), replica_reads():
        assert router.db_for_read(m.Force) == "default"
        assert m.Force.objects.get(pk=force.pk).name == "Read from the primary"
    assert "unreachable" in caplog.text


def test_the_public_site_export_reads_the_replica_after_its_own_bookkeeping_row(tmp_path):
    from publicsite.export import publish

    replayed()
    with db_scope(), CaptureQueriesContext(connections[REPLICA]) as exported:
        publish(output=tmp_path, full=True)  # writes its PublishRun row first, then reads what is public
    assert any("jps_neighbourhood" in sql for sql in reads(exported))
