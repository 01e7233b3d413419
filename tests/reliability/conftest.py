"""Fault-injection fixtures: the app served as in production, and services we are allowed to kill.

Nothing here mocks PostgreSQL, Redis or Celery: faults are real (a backend terminated by
PostgreSQL itself, a private redis-server killed with SIGKILL, a worker process killed
with SIGKILL).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.db import connection, connections

from tests.celery_fixtures import closed_port
from tests.db_roles import as_owner


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@dataclass
class AppServer:
    url: str
    thread: threading.Thread


@pytest.fixture
def app_server(transactional_db: None) -> Iterator[AppServer]:
    """The Django app behind a single-threaded WSGI server in one thread, like a gunicorn sync worker.

    Unlike the test client (which disconnects ``close_old_connections``), every request goes
    through Django's real request cycle, and the thread keeps its database connection between
    requests (``CONN_MAX_AGE``), so a dropped connection is the server's problem, as in production.
    """
    server = WSGIServer(("127.0.0.1", 0), _QuietHandler, ipv6=False)
    server.set_app(WSGIHandler())

    def serve() -> None:
        try:
            server.serve_forever(poll_interval=0.05)
        finally:
            connections.close_all()  # this thread's connection, before the test database is flushed

    thread = threading.Thread(target=serve, name="app-server", daemon=True)
    thread.start()
    try:
        yield AppServer(url=f"http://127.0.0.1:{server.server_address[1]}", thread=thread)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def other_backends() -> list[int]:
    """Process ids of the other sessions on the test database (the app server's), not ours."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def terminate_backends(pids: list[int]) -> None:
    """As the login role: the application's role may not signal sessions (the test harness does)."""
    with as_owner(), connection.cursor() as cursor:
        for pid in pids:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


# --- a private Redis --------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of our own on a free port, so it can be killed without touching the shared one."""

    def __init__(self, workdir: Path) -> None:
        self.port = closed_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=1)

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        self.process = subprocess.Popen(  # noqa: S603
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        """SIGKILL: no goodbye to clients, nothing saved (it keeps nothing: --save "")."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


def env_for_subprocess(**extra: str) -> dict[str, str]:
    """The environment of a child process that must use this test run's database."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    env = dict(os.environ)
    if db["ENGINE"].endswith("postgresql"):
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env.update(extra)
    return env
