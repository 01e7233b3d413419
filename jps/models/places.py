"""Where problems happen: force → district → neighbourhood."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords


class Force(models.Model):
    """A police force; its code prefixes every problem reference (``KNT-2026-00042``)."""

    code = models.CharField(max_length=8, unique=True, help_text="Short upper-case code, e.g. KNT.")
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    welsh_enabled = models.BooleanField(default=False, help_text="Publish public pages in Welsh too.")
    name_cy = models.CharField(max_length=120, blank=True, help_text="Its name in Welsh, e.g. Heddlu Dyfed-Powys.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """A district: a basic command unit and community safety partnership area."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="districts")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)
    escalation_email = models.EmailField(
        blank=True, help_text="Where escalations and review tiers go when no inspector or chief inspector is named."
    )
    inspector = models.ForeignKey(
        "jps.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspected_districts",
        help_text="The next level of supervision for this district.",
    )
    community_safety_lead = models.ForeignKey(
        "jps.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="community_safety_districts",
        help_text="Hears of ASB case reviews due or suggested in this CSP area; else its supervisors do.",
    )
    chief_inspector = models.ForeignKey(
        "jps.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chief_inspected_districts",
        help_text="The level above the inspector: reviews high-risk problems at the chief inspector's tier.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["force", "slug"], name="district_unique_slug_per_force"),
        ]

    def __str__(self) -> str:
        return self.name


class Neighbourhood(models.Model):
    """A ward-based neighbourhood, with the public name residents know it by."""

    class Character(models.TextChoices):
        URBAN = "urban", "Urban"
        SUBURBAN = "suburban", "Suburban"
        TOWN_CENTRE = "town_centre", "Town centre"
        RURAL = "rural", "Rural"
        COASTAL = "coastal", "Coastal"

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="neighbourhoods")
    name = models.CharField(max_length=120)
    public_name = models.CharField(max_length=160, blank=True)
    public_name_cy = models.CharField(max_length=160, blank=True, help_text="Its name in Welsh, where it differs.")
    slug = models.SlugField(max_length=120)
    character = models.CharField(max_length=16, choices=Character.choices, default=Character.URBAN)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    boundary = models.JSONField(null=True, blank=True, help_text="GeoJSON geometry of the ward.")
    team_email = models.EmailField(
        blank=True, help_text="Published: the neighbourhood team's shared address (contact details on the public site)."
    )
    history = HistoricalRecords(excluded_fields=["boundary"])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "slug"], name="neighbourhood_unique_slug_per_district"),
        ]

    def __str__(self) -> str:
        return self.public_name or self.name

    @property
    def display_name(self) -> str:
        return self.public_name or self.name
