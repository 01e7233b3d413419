"""The README's first command: the demo on the embedded defaults (SQLite, no Redis) migrates, loads and publishes.

The rest of the suite runs on PostgreSQL, so a query SQLite refuses would otherwise reach
`make run` unseen (as an ordered UNION part once did). Runs the same commands `make demo` runs, in
child processes on a scratch SQLite file, with no broker and no database roles.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_the_demo_loads_and_publishes_on_sqlite(tmp_path):  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DB_APP_ROLE", "DB_SET_ROLE"}}
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "PUBLIC_SITE_DIR": str(tmp_path / "site"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.pop("REDIS_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    steps = [
        ["migrate", "--noinput"],
        ["load_demo", "--password", "embedded-demo-pw-1"],
        ["publish_site", "--full"],
    ]
    out = {}
    for step in steps:
        result = subprocess.run(  # noqa: S603 (our own manage.py)
            [sys.executable, "manage.py", *step], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, f"{' '.join(step)} failed:\n{result.stderr[-3000:]}"
        out[step[0]] = result.stdout
    for part in (
        "Demo people", "Demo case reviews", "Demo risk assessments", "Demo contacts", "Demo panels", "Demo Welsh force"
    ):  # fmt: skip
        assert part in out["load_demo"]
    assert (tmp_path / "site" / "current" / "index.html").exists()
    # the demo's Welsh force (Dyfed-Powys) has its Welsh pages, in Welsh
    town = "neighbourhoods/dyfed-powys/ceredigion/aberystwyth-town/index.html"
    welsh = (tmp_path / "site" / "current" / "cy" / town).read_text()
    assert '<html lang="cy">' in welsh and "Parcio anghyfreithlon ger yr ysgol" in welsh
    assert "Tref Aberystwyth" in welsh and "Heddlu Dyfed-Powys" in welsh
    english = (tmp_path / "site" / "current" / town).read_text()
    assert "Illegal parking near the school" in english and "Parcio" not in english
