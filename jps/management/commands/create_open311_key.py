"""python manage.py create_open311_key NAME [--agency SLUG] — a key for a partner system to post Open311 requests.

The key is printed once, as the last word of the output (scripts take it with ``| awk '{print $NF}'``
or ``.split()[-1]``); only its SHA-256 is stored, so a lost key is replaced, not recovered. The
agency is matched by the slug of its name (``canterbury-city-council``), its name, or its id.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify

from jps.models import Agency
from jps.open311 import open311_key_create


def agency_named(wanted: str) -> Agency:
    found = [a for a in Agency.objects.all() if wanted in (slugify(a.name), a.name, str(a.pk))]
    if len(found) != 1:
        raise CommandError(f"No single agency matches {wanted!r}: give the slug of its name, e.g. {slugify(wanted)!r}.")
    return found[0]


class Command(BaseCommand):
    help = "Create an Open311 API key for a partner system; prints the key as the last word."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The partner system, e.g. 'Canterbury City Council CRM'.")
        parser.add_argument("--agency", help="The agency the system belongs to (slug of its name).")

    def handle(self, *args: Any, name: str, agency: str | None = None, **options: Any) -> None:
        if not name.strip():
            raise CommandError("Give the partner system a name.")
        owner = agency_named(agency) if agency else None
        key, raw = open311_key_create(name=name, agency=owner)
        who = f" ({owner.name})" if owner else ""
        self.stdout.write(f"Open311 key {key.pk} for {key.name}{who}; it is shown once, only its hash is kept: {raw}")
