"""bench/run.py's limit replays what the application ran, and its table names what it measured."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from jps import models as m

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side cursors are PostgreSQL's"),
]


def test_a_server_side_cursor_is_replayed_as_the_select_it_wraps(world):  # type: ignore[no-untyped-def]
    from bench import run

    def work() -> None:
        list(m.Problem.objects.order_by("pk").iterator(chunk_size=2))

    # A server-side cursor, as Django opens one for .iterator() on PostgreSQL unless told not to.
    with mock.patch.dict(connection.settings_dict, {"DISABLE_SERVER_SIDE_CURSORS": False}), transaction.atomic():
        with CaptureQueriesContext(connection) as raw:
            work()
        statements = run.captured(work)
    assert any(q["sql"].upper().startswith("DECLARE") for q in raw.captured_queries)
    selects = [sql for alias, sql in statements if "jps_problem" in sql and alias == "default"]
    assert selects and all(s.lstrip().upper().startswith("SELECT") for s in selects), statements
    run.replay(statements)  # and they run as plain statements


def test_the_heading_names_the_commit_the_scale_and_the_load(world, capsys):  # type: ignore[no-untyped-def]
    from bench import run

    run.print_table([run.Row("api", "a case", 12.0, 3, 4.0, "")], runs=1, job_runs=1, load_before=run.load())
    heading = capsys.readouterr().out.strip().splitlines()[0]
    assert f"{m.Problem.objects.count():,} problems" in heading and "neighbourhoods" in heading
    assert "load " in heading and "CPUs" in heading and run.commit().split("+")[0] in heading
