"""`make run` for a newcomer: installs only what running needs, publishes the site once, follows PORT."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from .test_settings import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def dry_run(*args: str) -> str:
    """What make would run from a fresh checkout (no virtualenv yet), without running it."""
    result = subprocess.run(
        ["make", "-n", "-B", *args, "VENV=/nonexistent/venv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_installs_only_what_running_needs():
    commands = dry_run("run")
    assert "-r requirements.txt" in commands
    assert "requirements-dev.txt" not in commands
    for tool in ["mypy", "schemathesis", "playwright", "bandit", "pytest"]:
        assert tool not in commands
    assert "-r requirements-dev.txt" in dry_run("test-fast")


def test_requirements_for_running_hold_no_test_tools():
    running = (ROOT / "requirements.txt").read_text().lower()
    for tool in ["mypy", "schemathesis", "playwright", "bandit", "pytest", "hypothesis", "ruff"]:
        assert tool not in running
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text()


def test_make_run_publishes_once_and_serves_on_port():
    commands = dry_run("run", "PORT=8123")
    assert commands.count("publish_site") == 1
    assert "runserver 127.0.0.1:8123" in commands
