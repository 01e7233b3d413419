"""python manage.py publish_site [--full] [--output DIR] [--rollback]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jps.progress import BarProgress, Stopwatch, add_progress_arguments, progress_wanted, summary
from publicsite.export import publish
from publicsite.export import rollback as rollback_site
from publicsite.store import PublishError, site_root


class Command(BaseCommand):
    help = "Render the public site (incrementally unless --full) and switch it into place atomically."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="Render every page, not only what changed.")
        parser.add_argument("--output", help="Output folder (default: settings.PUBLIC_SITE_DIR).")
        parser.add_argument("--rollback", action="store_true", help="Serve the previous version again.")
        add_progress_arguments(parser)

    def handle(self, *args: Any, full: bool, output: str | None, rollback: bool, **options: Any) -> None:
        root = site_root(output)
        if rollback:
            try:
                version = rollback_site(output=root)
            except PublishError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(self.style.SUCCESS(f"Rolled back: {root / 'current'} now serves {version}."))
            return
        clock = Stopwatch()
        bar = BarProgress(enabled=progress_wanted(options), unit=" pages")
        result = publish(output=root, full=full, progress=bar)
        bar.finish()
        kind = "Full" if result.full else "Incremental"
        self.stdout.write(
            f"{kind} export {result.version}: {len(result.new_shards)} of {result.shards} shards new. "
            f"Open {root / 'current' / 'index.html'}"
        )
        counts = {"files_written": len(result.written), "linked": result.kept, "removed": len(result.removed)}
        self.stdout.write(self.style.SUCCESS(summary("publish_site", clock.seconds, **counts)))
