from django.core.management.base import BaseCommand, CommandParser

from jps.access_partitions import access_log_partitions_maintain


class Command(BaseCommand):
    help = (
        "PostgreSQL: create the access log's partitions for this month and the next months "
        "(JPS_ACCESS_LOG_MONTHS_AHEAD), and drop the months past JPS_ACCESS_LOG_RETENTION_DAYS. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months-ahead", type=int, default=None, help="Months to create after this one.")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        run = access_log_partitions_maintain(months_ahead=options["months_ahead"])
        for name in run.skipped:
            self.stderr.write(f"  not created (rows already in the default partition): {name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Access log partitions: {len(run.created)} created, {len(run.existing)} already there, "
                f"{len(run.skipped)} skipped, {len(run.dropped)} dropped past retention."
            )
        )
