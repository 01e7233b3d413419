"""Export the demo's public site at a fixed moment, so two exports of the same code are byte-identical.

Run from the root of a checkout (it imports the ``jps`` project found there)::

    python scripts/export_demo_site.py OUTPUT_DIR [--at 2026-03-02T10:00:00+00:00]

It migrates a fresh SQLite database in a temporary folder, loads the demo and runs
``publish_site --full --output OUTPUT_DIR`` with the clock frozen (``time_machine``), because
the demo's dates are relative to today and the pages show dates. Only the management
commands are used, so the same script drives an old checkout and a new one
(``scripts/compare_public_site.sh``).
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
from pathlib import Path

#: Any fixed moment will do; this one is a weekday in term time, with meetings either side of it.
DEFAULT_AT = "2026-03-02T10:00:00+00:00"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--at", default=DEFAULT_AT, help="The frozen moment (ISO 8601).")
    args = parser.parse_args()
    sys.path.insert(0, os.getcwd())
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/demo.sqlite3"
        os.environ.pop("DB_SET_ROLE", None)
        os.environ.pop("DB_APP_ROLE", None)
        os.environ["PUBLIC_SITE_DIR"] = f"{tmp}/public_site"  # where exports queued by the demo's writes go
        os.environ.pop("REDIS_URL", None)  # no broker: tasks run inline, as in ``make demo``
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps.settings")
        export(args.output.resolve(), datetime.datetime.fromisoformat(args.at))


def export(output: Path, at: datetime.datetime) -> None:
    import django
    import time_machine

    django.setup()
    from django.core.management import call_command

    with time_machine.travel(at, tick=False), open(os.devnull, "w") as quiet:
        call_command("migrate", verbosity=0)
        call_command("load_demo", password="compare-public-site", stdout=quiet)
        call_command("publish_site", full=True, output=str(output), stdout=quiet)


if __name__ == "__main__":
    main()
