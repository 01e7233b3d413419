import json

from django.core.management.base import BaseCommand, CommandError

from jps.models import User
from jps.privacy import subject_access_export


class Command(BaseCommand):
    help = (
        "Export, as JSON, everything held about a named person (for a subject access request). "
        "--by names the user answering the request: every problem exported is written to the "
        "access log under that user (channel 'sar')."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--phone", default="")
        parser.add_argument(
            "--by",
            required=True,
            metavar="USERNAME",
            help="Required: the username of the active user answering the request, recorded in the access log.",
        )
        parser.add_argument("--output", help="File to write (default: standard output).")

    def handle(self, *args, name, email, phone, by, output=None, **options):  # type: ignore[no-untyped-def]
        requester = User.objects.filter(username=by, is_active=True).first()
        if requester is None:
            raise CommandError(f"--by: no active user with the username {by!r}.")
        try:
            data = subject_access_export(by=requester, name=name, email=email, phone=phone)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        text = json.dumps(data, indent=2)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stdout.write(self.style.SUCCESS(f"Written to {output}."))
        else:
            self.stdout.write(text)
