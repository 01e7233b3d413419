"""Agencies and the people who work in them."""

from __future__ import annotations

import secrets
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from simple_history.models import HistoricalRecords


def team_photo_path(instance: User, filename: str) -> str:
    """A random name: never the person's name or id, nor the name their camera gave the file."""
    return f"team_photos/{secrets.token_hex(16)}.jpg"


class Agency(models.Model):
    """An organisation taking part in joint problem solving: the police force itself or a partner."""

    class Kind(models.TextChoices):
        POLICE = "police", "Police"
        DISTRICT_COUNCIL = "district_council", "District or borough council"
        COUNTY_COUNCIL = "county_council", "County council"
        WARDENS = "wardens", "Community wardens"
        HOUSING = "housing", "Housing provider"
        FIRE = "fire", "Fire and rescue"
        HEALTH = "health", "Health"
        EDUCATION = "education", "School or education"
        YOUTH = "youth", "Youth services"
        TRADING_STANDARDS = "trading_standards", "Trading Standards"
        VOLUNTARY = "voluntary", "Voluntary group"
        OTHER = "other", "Other"

    name = models.CharField(max_length=160, unique=True)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    force = models.ForeignKey(
        "jps.Force",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
        help_text="The force area the agency works in; empty for national agencies.",
    )
    contact_email = models.EmailField(
        blank=True, help_text="Where action reminders (and their escalation, when no manager is named) go."
    )
    manager = models.ForeignKey(
        "jps.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_agencies",
        help_text="Hears when the agency's actions are overdue past the grace period.",
    )
    requires_two_factor = models.BooleanField(
        default=False,
        help_text="Everyone in this agency must sign in with a code from an authenticator app as well.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    @property
    def is_police(self) -> bool:
        return self.kind == self.Kind.POLICE


class User(AbstractUser):
    """A member of staff of one agency, with one role.

    Officers and partners work in neighbourhoods; supervisors cover districts. The
    districts a user may see are the union of both (see ``scope_district_ids``).
    """

    class Role(models.TextChoices):
        OFFICER = "officer", "Neighbourhood officer / PCSO"
        PARTNER = "partner", "Partner agency"
        SUPERVISOR = "supervisor", "Supervisor"
        ANALYST = "analyst", "Analyst"
        TRAINING = "training", "Training manager"
        WEB_EDITOR = "webeditor", "Web editor"
        CALL_HANDLER = "callhandler", "Call handler"
        ADMIN = "admin", "Administrator"

    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.OFFICER, db_index=True)
    districts = models.ManyToManyField("jps.District", blank=True, related_name="staff")
    neighbourhoods = models.ManyToManyField("jps.Neighbourhood", blank=True, related_name="staff")
    publish_on_team_page = models.BooleanField(
        default=False,
        help_text="This person agreed to be named, with their rank, as one of their neighbourhoods' team "
        "on the public site (data.police.uk 'people').",
    )
    rank = models.CharField(
        max_length=60, blank=True, help_text="Rank or title residents see on the team page, e.g. PCSO, PC, Sergeant."
    )
    team_photo = models.FileField(
        upload_to=team_photo_path,
        max_length=200,
        blank=True,
        help_text="Published only with consent (publish_on_team_page): re-encoded as a JPEG with no metadata.",
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.role == self.Role.ADMIN

    @property
    def two_factor_required(self) -> bool:
        """Must this person prove a second factor (TOTP) before using anything?

        Administrators always (anyone who can reach the Django admin, or sees everything);
        everyone else when their agency requires it. The one place this rule lives: the
        sign-in middleware, the API's token endpoint and the demo all ask it.
        """
        if self.is_administrator or self.is_staff:
            return True
        return bool(self.agency_id and self.agency and self.agency.requires_two_factor)

    @property
    def force_id(self) -> int | None:
        return self.agency.force_id if self.agency_id and self.agency else None

    @cached_property
    def scope_district_ids(self) -> frozenset[int]:
        """Districts this user works in: those named directly and those of their neighbourhoods."""
        direct = set(self.districts.values_list("id", flat=True))
        via = set(self.neighbourhoods.values_list("district_id", flat=True))
        return frozenset(direct | via)
