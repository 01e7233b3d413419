"""People and places as records of their own, linked to many problems with a role (issue 18, first slice).

A person or a place is one record across every problem it appears in (as ECINS and Sentinel
hold them), so "this person has been a victim in N problems" is a count, not a search of free
text. Each belongs to a force, the scope of every staff list at national scale. Links carry
the role; later slices (risk assessments, contact agreements) hang off ``ProblemPerson``, the
victim on a problem.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .fields import BoundedTextField


class Vulnerability(models.TextChoices):
    """Why a person may be vulnerable: a few flags an officer ticks, with a note for the rest."""

    DISABILITY = "disability", "Disability"
    MENTAL_HEALTH = "mental_health", "Mental health"
    AGE = "age", "Age (child or older person)"
    REPEAT_VICTIM = "repeat_victim", "Repeat victim"
    OTHER = "other", "Other (see note)"


class Person(models.Model):
    """A victim, complainant, witness or subject, held once however many problems name them."""

    force = models.ForeignKey("jps.Force", on_delete=models.PROTECT, related_name="people")
    name = models.CharField(max_length=160)
    date_of_birth = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = BoundedTextField(blank=True, max_length=500)
    vulnerabilities = models.JSONField(default=list, blank=True, help_text="Any of: " + ", ".join(Vulnerability.values))
    vulnerability_note = BoundedTextField(blank=True, max_length=2000)
    preferred_language = models.CharField(max_length=40, blank=True)
    needs = BoundedTextField(blank=True, max_length=2000, help_text="Interpreter, access, communication needs.")
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from", editable=False
    )
    merged_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["force", "name"], name="person_force_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_vulnerable(self) -> bool:
        return bool(self.vulnerabilities)

    def clean(self) -> None:
        flags = self.vulnerabilities
        if not isinstance(flags, list) or not set(flags) <= set(Vulnerability.values):
            raise ValidationError({"vulnerabilities": f"Choose from: {', '.join(Vulnerability.values)}."})
        self.vulnerabilities = sorted(set(flags))


class Place(models.Model):
    """An address or location: a flat, a shop, a park, linked to every problem about it."""

    force = models.ForeignKey("jps.Force", on_delete=models.PROTECT, related_name="places")
    address = models.CharField(max_length=300)
    uprn = models.CharField("UPRN", max_length=12, blank=True, help_text="Unique Property Reference Number.")
    latitude = models.FloatField(null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)])
    neighbourhood = models.ForeignKey(
        "jps.Neighbourhood", null=True, blank=True, on_delete=models.PROTECT, related_name="places"
    )
    #: Set when this record turned out to be another's (the same flat entered twice): see ``place_merge``.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from", editable=False
    )
    merged_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["address", "id"]
        indexes = [
            models.Index(fields=["force", "address"], name="place_force_address"),
            models.Index(fields=["uprn"], name="place_uprn"),
        ]

    def __str__(self) -> str:
        return self.address

    def clean(self) -> None:
        if self.neighbourhood is not None and self.force_id and self.neighbourhood.district.force_id != self.force_id:
            raise ValidationError({"neighbourhood": "This neighbourhood is in another force."})


class PersonRole(models.TextChoices):
    VICTIM = "victim", "Victim"
    COMPLAINANT = "complainant", "Complainant"
    WITNESS = "witness", "Witness"
    SUBJECT = "subject", "Subject (alleged perpetrator)"


class PlaceRole(models.TextChoices):
    LOCATION = "location", "Location of the problem"
    PREMISES = "premises", "Premises of concern"
    VICTIM_HOME = "victim_home", "Victim's home"


class ProblemPerson(models.Model):
    """A person on a problem, in a role: the row later slices hang a victim's risk assessment on."""

    Role = PersonRole

    problem = models.ForeignKey("jps.Problem", on_delete=models.PROTECT, related_name="person_links")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="links")
    role = models.CharField(max_length=16, choices=PersonRole.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["problem", "person", "role"], name="problemperson_unique"),
        ]
        indexes = [
            models.Index(fields=["person", "role"], name="problemperson_person_role"),
            models.Index(fields=["problem", "role"], name="problemperson_problem_role"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} as {self.role} on {self.problem_id}"


class ProblemPlace(models.Model):
    """A place on a problem, in a role."""

    Role = PlaceRole

    problem = models.ForeignKey("jps.Problem", on_delete=models.PROTECT, related_name="place_links")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="links")
    role = models.CharField(max_length=16, choices=PlaceRole.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["problem", "place", "role"], name="problemplace_unique"),
        ]
        indexes = [
            models.Index(fields=["place", "role"], name="problemplace_place_role"),
            models.Index(fields=["problem", "role"], name="problemplace_problem_role"),
        ]

    def __str__(self) -> str:
        return f"{self.place_id} as {self.role} on {self.problem_id}"
