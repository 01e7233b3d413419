"""Who viewed which problem: an append-only access log, as accredited case systems keep."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyQuerySet(models.QuerySet["ProblemView"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("The access log is append-only.")

    def delete(self) -> NoReturn:
        raise PermissionError("The access log is append-only.")


class ProblemView(models.Model):
    """One view of a problem by a user. Never changed or deleted (a database trigger enforces it
    on PostgreSQL); the application offers no interface to do so, administrators included."""

    class Channel(models.TextChoices):
        """How the problem was read. ``export`` is kept so rows written before CSV and the
        subject-access export were told apart stay valid; nothing writes it now."""

        WEB = "web", "Web"
        API = "api", "API"
        CSV = "csv", "CSV export"
        ADMIN = "admin", "Admin"
        SAR = "sar", "Subject-access export"
        EXPORT = "export", "Export (before CSV and subject-access were told apart)"
        FILE = "file", "File download (an attachment)"

    problem = models.ForeignKey(
        "jps.Problem", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="views", db_constraint=True
    )
    #: Whose record was read: set when a person's details were shown, with ``problem`` the problem
    #: they were read through, or without it for a direct read of the person (police staff).
    person = models.ForeignKey(
        "jps.Person", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="views", db_constraint=True
    )
    #: Whose report was read: set when a resident's name and email on their report were shown (the
    #: triage page and the API), so a resident's subject-access request shows who read their report.
    resident_report = models.ForeignKey(
        "jps.ResidentReport",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="views",
        db_index=False,  # problemview_report_at leads with it
    )
    #: A message to a neighbourhood team whose sender's details were shown (``jps.residents.inbox``).
    team_message = models.ForeignKey(
        "jps.TeamMessage",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="views",
        db_index=False,  # problemview_team_message_at leads with it
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="problem_views")
    at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    request_id = models.CharField(max_length=64, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["problem", "-at"], name="problemview_problem_at"),
            models.Index(fields=["user", "-at"], name="problemview_user_at"),
            models.Index(fields=["person", "-at"], name="problemview_person_at"),
            models.Index(fields=["resident_report", "-at"], name="problemview_report_at"),
            models.Index(fields=["team_message", "-at"], name="problemview_team_message_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(problem__isnull=False)
                | models.Q(person__isnull=False)
                | models.Q(resident_report__isnull=False)
                | models.Q(team_message__isnull=False),
                name="problemview_names_what_was_read",
            )
        ]

    def __str__(self) -> str:
        what = (
            self.problem_id
            or (self.person_id and f"person {self.person_id}")
            or (self.resident_report_id and f"resident report {self.resident_report_id}")
            or f"team message {self.team_message_id}"
        )
        return f"{self.user_id} viewed {what} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("The access log is append-only.")
