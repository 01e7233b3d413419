"""A real Celery worker (prefork) whose public-site export writes its files slowly. Test use only.

``python -m tests.reliability.slow_export_worker`` with ``SLOW_EXPORT_DELAY`` (seconds per
file written) and ``SLOW_EXPORT_LOG`` (a file that gets one line per file written, so the
test knows the export is half-way). The slowness is added here, around the store's
file writer, so the application carries no test hook. Without ``SLOW_EXPORT_DELAY`` it
is an ordinary worker.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def slow_down_the_export(delay: float, log: Path) -> None:
    from publicsite import store

    write = store._write

    def slow_write(version_dir: Path, path: str, content: str | bytes) -> None:
        write(version_dir, path, content)
        with log.open("a") as handle:
            handle.write(f"{version_dir.name} {path}\n")
        time.sleep(delay)

    store._write = slow_write  # type: ignore[assignment]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps.settings")
    import django

    django.setup()
    if os.environ.get("SLOW_EXPORT_DELAY"):
        slow_down_the_export(float(os.environ["SLOW_EXPORT_DELAY"]), Path(os.environ["SLOW_EXPORT_LOG"]))
    from tasks.celery import app

    app.worker_main(
        ["worker", "--pool=prefork", "--concurrency=1", "--loglevel=INFO", "--without-mingle", "--without-gossip"]
    )


if __name__ == "__main__":
    main()
