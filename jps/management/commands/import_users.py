from django.core.management.base import BaseCommand, CommandError

from jps.models import Force
from jps.user_import import users_import_csv


class Command(BaseCommand):
    help = (
        "Import staff from a CSV with columns username, email, name, role, agency, district and/or neighbourhood "
        "(several areas separated by ';'). A file with any bad row imports nothing."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("csv_file")
        parser.add_argument("--force", help="Force code (e.g. KNT) that new districts and agencies belong to.")
        parser.add_argument(
            "--create-missing", action="store_true", help="Create agencies, districts and neighbourhoods not known yet."
        )

    def handle(self, csv_file, force=None, create_missing=False, **options):  # type: ignore[no-untyped-def]
        force_obj = None
        if force:
            force_obj = Force.objects.filter(code__iexact=force).first()
            if force_obj is None:
                raise CommandError(f"No force with code '{force}'.")
        try:
            with open(csv_file, newline="", encoding="utf-8-sig") as stream:
                result = users_import_csv(stream=stream, force=force_obj, create_missing=create_missing)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {csv_file}: {exc}") from exc
        if not result.ok:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(result.errors)} problem(s) found; nothing was imported.")
        self.stdout.write(self.style.SUCCESS(f"Created {len(result.created)} user(s), updated {len(result.updated)}."))
        for name in sorted(result.created_agencies | result.created_areas):
            self.stdout.write(f"  created {name}")
