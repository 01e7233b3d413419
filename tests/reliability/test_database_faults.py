"""The database connection drops in the middle of a request, or between two requests.

PostgreSQL itself does the dropping: a trigger on the problems' history table terminates
its own backend (``pg_terminate_backend(pg_backend_pid())``) when a marked problem is
being logged, so the connection dies after the problem row was written and before its
history row is. The app is served by a real WSGI server thread (see ``app_server``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
import requests
from django.conf import settings
from django.db import connection
from rest_framework.authtoken.models import Token

from jps.models import Problem
from tests.db_roles import as_owner

from .conftest import AppServer, other_backends, terminate_backends

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="needs PostgreSQL"
)

MARK = "[drop the connection]"
TIMEOUT = 30


@pytest.fixture
def connection_dropper(transactional_db: None) -> Iterator[None]:
    """Any backend that writes the history row of a problem titled with MARK terminates itself.

    Created by the owner (the application's role may not add triggers), SECURITY DEFINER so that
    a backend working as the application role may terminate itself.
    """
    table = Problem.history.model._meta.db_table
    with as_owner(), connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE OR REPLACE FUNCTION jps_test_drop_connection() RETURNS trigger AS $$
            BEGIN
                IF position(%s in NEW.title) > 0 THEN
                    PERFORM pg_terminate_backend(pg_backend_pid());
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql SECURITY DEFINER
            """,
            [MARK],
        )
        cursor.execute(
            f"CREATE TRIGGER jps_test_drop_connection BEFORE INSERT ON {table} "  # noqa: S608  # nosec B608
            "FOR EACH ROW EXECUTE FUNCTION jps_test_drop_connection()"
        )
    try:
        yield
    finally:
        with as_owner(), connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS jps_test_drop_connection ON {table}")
            cursor.execute("DROP FUNCTION IF EXISTS jps_test_drop_connection()")


def api_body(neighbourhood, category, title: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "title": title,
        "description": "Cars parked across the dropped kerb every evening.",
        "neighbourhood": neighbourhood.pk,
        "category": category.pk,
        "source": "community",
        "originator": "Resident at number 4",
    }


def assert_clean_error(response: requests.Response) -> str:
    """A 500 without any detail of the failure, carrying the request id; returns the id."""
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert request_id in response.text
    for leak in ("Traceback", "OperationalError", "psycopg", "terminating connection", "pg_", "SELECT", "INSERT"):
        assert leak not in response.text
    return request_id


def assert_nothing_half_written(title: str) -> None:
    assert not Problem.objects.filter(title__contains=MARK).exists()
    assert not Problem.history.filter(title__contains=MARK).exists()
    # Every problem has its creation row in the history, and nothing else was left behind.
    for problem in Problem.objects.all():
        assert problem.history.filter(history_type="+").exists(), problem


def test_api_write_when_the_connection_drops_mid_transaction(
    app_server: AppServer, connection_dropper, pcso, neighbourhood, category, caplog
):
    session = requests.Session()
    session.headers["Authorization"] = f"Token {Token.objects.create(user=pcso).key}"
    url = f"{app_server.url}/api/problems/"

    with caplog.at_level("ERROR", logger="django.request"):
        dropped = session.post(url, json=api_body(neighbourhood, category, f"Parking {MARK}"), timeout=TIMEOUT)
    request_id = assert_clean_error(dropped)
    assert dropped.headers["Content-Type"] == "application/json"
    assert dropped.json() == {
        "detail": "Sorry, there is a problem with the service. Try again later.",
        "request_id": request_id,
    }
    # The failure and its cause are in the log, not in the answer.
    (logged,) = [r for r in caplog.records if r.name == "django.request"]
    assert logged.status_code == 500 and logged.exc_info
    assert_nothing_half_written(MARK)

    # The very next request, on the same server thread, succeeds: Django opened a new connection.
    again = session.post(url, json=api_body(neighbourhood, category, "Parking on the kerb"), timeout=TIMEOUT)
    assert again.status_code == 201, again.text
    problem = Problem.objects.get(pk=again.json()["id"])
    assert problem.history.get().history_user == pcso
    assert_nothing_half_written(MARK)


def test_web_form_when_the_connection_drops_mid_transaction(
    app_server: AppServer, connection_dropper, client, pcso, neighbourhood, category
):
    client.force_login(pcso)
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    url = f"{app_server.url}/problems/new/"
    assert session.get(url, timeout=TIMEOUT).status_code == 200  # sets the CSRF cookie
    form = {
        **api_body(neighbourhood, category, f"Parking {MARK}"),
        "csrfmiddlewaretoken": session.cookies["csrftoken"],
        "confirm_new": "1",
    }

    dropped = session.post(url, data=form, timeout=TIMEOUT, allow_redirects=False)
    assert_clean_error(dropped)
    assert dropped.headers["Content-Type"].startswith("text/html")
    assert "Sorry, there is a problem with the service" in dropped.text
    assert_nothing_half_written(MARK)

    form["title"] = "Parking on the kerb"
    again = session.post(url, data=form, timeout=TIMEOUT, allow_redirects=False)
    assert again.status_code == 302, again.text
    problem = Problem.objects.get(title="Parking on the kerb")
    assert again.headers["Location"] == f"/problems/{problem.pk}/"
    assert problem.history.get().history_user == pcso


def test_an_idle_connection_killed_between_requests_is_replaced(app_server: AppServer, pcso, problem):
    """A database restart or fail-over kills the kept-alive connection; the next request must not fail.

    ``CONN_MAX_AGE`` keeps connections between requests; ``CONN_HEALTH_CHECKS`` makes Django
    test a kept connection before the first query of a request and replace it if it died.
    """
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    session = requests.Session()
    session.headers["Authorization"] = f"Token {Token.objects.create(user=pcso).key}"
    url = f"{app_server.url}/api/problems/{problem.pk}/"
    already = set(other_backends())  # sessions left by earlier tests of the run, not the server's
    assert session.get(url, timeout=TIMEOUT).status_code == 200
    kept = sorted(set(other_backends()) - already)
    assert len(kept) == 1, "the server thread keeps its connection between requests"

    terminate_backends(kept)

    response = session.get(url, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    assert response.json()["reference"] == problem.reference
    assert not set(kept) & set(other_backends())


def test_healthz_answers_503_while_the_database_is_unreachable(client, settings, transactional_db, caplog):
    """/healthz on a database that does not answer: 503 and no detail of why (that goes to the log)."""
    from django.db import connections

    from tests.celery_fixtures import closed_port

    # Caught at jps.health's own level, whatever level earlier tests in this process (which one runs
    # before it depends on how xdist shares out the tests) left the root logger at.
    caplog.set_level(logging.WARNING, logger="jps.health")
    alias = connections["default"]
    saved = alias.settings_dict["PORT"]
    alias.close()
    alias.settings_dict["PORT"] = closed_port()
    try:
        response = client.get("/healthz")
    finally:
        alias.close()
        alias.settings_dict["PORT"] = saved
    assert response.status_code == 503
    assert response.json()["database"] == "error"
    assert "connection" not in response.content.decode().lower()
    assert any("Connection refused" in r.getMessage() for r in caplog.records if r.name == "jps.health")
    back = client.get("/healthz")
    assert back.json()["database"] == "ok"
