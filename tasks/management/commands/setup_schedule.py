from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tasks.schedule import install_schedule


class Command(BaseCommand):
    help = "Create the default periodic tasks (django-celery-beat); existing ones are kept unless --reset."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Restore the default times of existing tasks.")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, reset: bool, database: str, **options: Any) -> None:
        for name, what in install_schedule(using=database, reset=reset):
            self.stdout.write(f"{what:8} {name}")
