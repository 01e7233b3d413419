from django.core.management.base import BaseCommand

from jps.privacy import meetings_redact, personal_data_redact, resident_reports_redact


class Command(BaseCommand):
    help = "Redact personal data past JPS_RETENTION_DAYS: of closed problems, meetings and residents' reports."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        total = 0
        while done := personal_data_redact():
            total += done
            self.stdout.write(f"  redacted {total} problem(s)...")
        meetings = meetings_redact()
        reports = resident_reports_redact()
        self.stdout.write(
            self.style.SUCCESS(
                f"Redacted {total} problem(s), {meetings} meeting(s), {reports} resident report(s) or message(s)."
            )
        )
