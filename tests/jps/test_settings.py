"""Production settings pass Django's deployment checks with nothing silenced."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **env}
    full_env.pop("DJANGO_SETTINGS_MODULE", None)
    full_env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests' sync Playwright only
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="x" * 64 + "-production-like-secret-key",
        ALLOWED_HOSTS="jps.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_links_follow_port_when_no_address_is_set():
    """`make run PORT=8123`: emails and the public site's alert links point at the server it starts."""
    code = "from django.conf import settings; print(settings.SITE_URL, settings.PUBLIC_SITE_URL)"
    env = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PUBLIC_SITE_URL"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**{k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"}, "PORT": "8123"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["http://127.0.0.1:8123", "http://127.0.0.1:8123/public/"]
    explicit = run_manage("shell", "-c", code, PORT="8123", SITE_URL="https://jps.example")
    assert explicit.stdout.split()[-2:] == ["https://jps.example", "https://jps.example/public/"]


def test_queueing_a_task_without_a_broker_warns_about_nothing(caplog):
    """The demo has no Redis: tasks run eagerly, and kombu must not warn "No hostname was supplied"."""
    from tasks.celery import app

    with caplog.at_level("WARNING"), app.connection_for_write() as connection:
        connection._info()  # what kombu's producer pool does on every task queued
    assert not [r for r in caplog.records if "hostname" in r.getMessage()]
