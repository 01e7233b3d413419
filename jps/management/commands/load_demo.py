import secrets

from django.core.management.base import BaseCommand

from jps.demo import data
from jps.demo.loader import DemoLoader


class Command(BaseCommand):
    help = (
        "Load the demo force, partners, users (one per role) and problems. Safe to run again."
        " Publishes nothing: run publish_site --full afterwards (make demo does)."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--password", help="Password for every demo login (random when omitted).")

    def handle(self, *args, password=None, **options):  # type: ignore[no-untyped-def]
        password = password or secrets.token_urlsafe(12)
        DemoLoader(password=password, log=self.stdout.write).load()
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {password}):"))
        for username, (role, agency, *_rest) in data.USERS.items():
            self.stdout.write(f"  {username:<16} {role:<12} {agency}")
        secret = data.DEMO_TOTP_SECRET
        self.stdout.write(
            f"admin also enters a code (two-factor): add the secret {secret} to an authenticator app,"
            f" or run: oathtool --totp -b {secret}"
        )
