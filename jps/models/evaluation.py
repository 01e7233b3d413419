"""What closed problems teach: evaluations, best-practice tags and learning needs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .fields import TEXT, BoundedTextField


class BestPracticeTag(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Evaluation(models.Model):
    """An analyst's judgement of a closed problem, colour-coded so best practice can be found."""

    class Rating(models.TextChoices):
        GREEN = "green", "Green — effective and transferable"
        AMBER = "amber", "Amber — partly effective, or learning identified"
        RED = "red", "Red — not effective"

    problem = models.OneToOneField("jps.Problem", on_delete=models.CASCADE, related_name="evaluation")
    analyst = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluations")
    evaluated_at = models.DateTimeField(default=timezone.now)
    rating = models.CharField(max_length=8, choices=Rating.choices)
    what_worked = BoundedTextField(blank=True)
    what_did_not = BoundedTextField(blank=True)
    learning = BoundedTextField()
    transferable = models.BooleanField(default=False)
    best_practice = models.BooleanField(default=False)
    tags = models.ManyToManyField(BestPracticeTag, blank=True, related_name="evaluations")
    history = HistoricalRecords(m2m_fields=[tags])

    class Meta:
        indexes = [models.Index(fields=["rating", "best_practice"], name="evaluation_rating_bp")]

    def __str__(self) -> str:
        return f"Evaluation of {self.problem.reference}: {self.rating}"


class LearningNeed(models.Model):
    """A training need found at evaluation, for training managers to act on."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="learning_needs")
    district = models.ForeignKey("jps.District", on_delete=models.PROTECT, related_name="learning_needs")
    role = models.CharField(max_length=16, blank=True, help_text="Who needs it, by role.")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="learning_needs"
    )
    skill = models.CharField(max_length=160)
    notes = BoundedTextField(max_length=TEXT, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["district", "skill"], name="learning_need_district_skill")]

    def __str__(self) -> str:
        return f"{self.skill} ({self.district})"
