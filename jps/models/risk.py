"""The victim's risk assessment at first contact (issue 18): a scored questionnaire per victim.

Modelled on the national ASB victim risk assessment (the Home Office and ACPO "focus on the
victim" approach): yes/no questions, each with a weight, and two thresholds that turn the score
into the problem's ``Risk`` levels (standard, medium, high). The questions and thresholds are data
a force's administrator maintains; a version once used is never changed, so every completed
assessment keeps the questions it was scored against (editing a used version makes a new one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .fields import TEXT, BoundedTextField
from .problems import Risk

#: A question's weight: how much a "yes" adds to the score.
MIN_WEIGHT, MAX_WEIGHT = 1, 5
#: The problem's risk levels, lowest first: the order "highest current victim risk" compares in.
RISK_ORDER: tuple[str, ...] = (Risk.STANDARD, Risk.MEDIUM, Risk.HIGH)


def risk_rank(level: str) -> int:
    return RISK_ORDER.index(level)


class RiskQuestionnaire(models.Model):
    """One version of a force's questions and thresholds, or of the national default (no force).

    The questionnaire used for a problem is the latest active version of its force, else the
    latest active national default (``RiskQuestionnaire.objects.for_force``).
    """

    force = models.ForeignKey(
        "jps.Force",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_questionnaires",
        help_text="Empty for the national default, which a force without its own uses.",
    )
    version = models.PositiveIntegerField(editable=False)
    name = models.CharField(max_length=120, default="ASB victim risk assessment")
    medium_threshold = models.PositiveSmallIntegerField(help_text="A score of at least this is medium risk.")
    high_threshold = models.PositiveSmallIntegerField(help_text="A score of at least this is high risk.")
    is_active = models.BooleanField(
        default=True, help_text="Only active versions are offered; the latest active one is used."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["force_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "version"], condition=Q(force__isnull=False), name="riskquestionnaire_force_version"
            ),
            models.UniqueConstraint(
                fields=["version"], condition=Q(force__isnull=True), name="riskquestionnaire_national_version"
            ),
            models.CheckConstraint(
                condition=Q(medium_threshold__gte=1, high_threshold__gt=F("medium_threshold")),
                name="riskquestionnaire_thresholds_rise",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version} ({self.force or 'national default'})"

    @classmethod
    def for_force(cls, force_id: int | None) -> RiskQuestionnaire | None:
        """The version in use for a force: its latest active one, else the latest active national default.

        Its questions come prefetched: checking and scoring answers then costs no query.
        """
        candidates = cls.objects.filter(Q(force_id=force_id) | Q(force__isnull=True), is_active=True)
        ordered = candidates.order_by(F("force_id").desc(nulls_last=True), "-version")
        return ordered.prefetch_related("questions").first()

    @classmethod
    def next_version(cls, force_id: int | None) -> int:
        latest = cls.objects.filter(force_id=force_id).order_by("-version").values_list("version", flat=True).first()
        return (latest or 0) + 1

    @property
    def is_used(self) -> bool:
        """A version some assessment was scored against: never changed again (a change is a new version)."""
        return self.pk is not None and self.assessments.exists()

    @property
    def max_score(self) -> int:
        return sum(q.weight for q in self.questions.all())

    def clean(self) -> None:
        if self.medium_threshold is not None and self.medium_threshold < 1:
            raise ValidationError({"medium_threshold": "The medium threshold must be 1 or more."})
        if None not in (self.medium_threshold, self.high_threshold) and self.high_threshold <= self.medium_threshold:
            raise ValidationError({"high_threshold": "The high threshold must be above the medium threshold."})

    def answers_check(self, answers: Any) -> dict[str, bool]:
        """The answers as ``{key: bool}`` if they answer every question of this version and nothing else.

        Raises a ``ValidationError`` on ``answers`` saying which questions are missing, unknown or
        not answered yes or no: a partial assessment is not an assessment.
        """
        keys = [q.key for q in self.questions.all()]
        if not isinstance(answers, Mapping):
            raise ValidationError({"answers": "Give the answers as yes (true) or no (false) for each question."})
        problems = []
        if missing := [k for k in keys if k not in answers]:
            problems.append(f"Answer every question; not answered: {', '.join(missing)}.")
        if unknown := sorted(set(answers) - set(keys)):
            problems.append(f"No such question in version {self.version}: {', '.join(map(str, unknown))}.")
        if not_bool := [k for k in keys if k in answers and not isinstance(answers[k], bool)]:
            problems.append(f"Answer yes (true) or no (false): {', '.join(not_bool)}.")
        if problems:
            raise ValidationError({"answers": problems})
        return {k: answers[k] for k in keys}

    def score(self, answers: Mapping[str, bool]) -> int:
        """The sum of the weights of the questions answered yes."""
        return sum(q.weight for q in self.questions.all() if answers.get(q.key) is True)

    def level_for(self, score: int) -> str:
        if score >= self.high_threshold:
            return Risk.HIGH
        if score >= self.medium_threshold:
            return Risk.MEDIUM
        return Risk.STANDARD


class RiskQuestion(models.Model):
    """One yes/no question of a questionnaire version, with the weight a "yes" adds."""

    questionnaire = models.ForeignKey(RiskQuestionnaire, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    key = models.SlugField(max_length=40, help_text="Stable name of the question in answers, e.g. 'hate'.")
    text = models.CharField(max_length=300)
    weight = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(MIN_WEIGHT), MaxValueValidator(MAX_WEIGHT)]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "key"], name="riskquestion_unique_key")]

    def __str__(self) -> str:
        return f"{self.key} ({self.weight})"


class RiskAssessment(models.Model):
    """One completed assessment of a victim on a problem: the answers, and the score and level they gave.

    Hung on the victim's link (``ProblemPerson``, role victim); ``problem`` is copied from the link
    so lists scope and filter on it directly. A victim's current risk is their latest assessment
    (``assessed_at``, then id): the index ``risk_latest_per_link`` answers it.
    """

    class Occasion(models.TextChoices):
        FIRST_CONTACT = "first_contact", "First contact"
        REVIEW = "review", "Supervisory review"
        CHANGED = "changed", "Circumstances changed"

    link = models.ForeignKey("jps.ProblemPerson", on_delete=models.CASCADE, related_name="risk_assessments")
    problem = models.ForeignKey(
        "jps.Problem", on_delete=models.CASCADE, related_name="risk_assessments", editable=False
    )
    questionnaire = models.ForeignKey(RiskQuestionnaire, on_delete=models.PROTECT, related_name="assessments")
    answers = models.JSONField(help_text="Each question's key: true (yes) or false (no).")
    score = models.PositiveSmallIntegerField(editable=False)
    level = models.CharField(max_length=16, choices=Risk.choices, editable=False)
    occasion = models.CharField(max_length=16, choices=Occasion.choices)
    notes = BoundedTextField(max_length=TEXT, blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_at", "-id"]
        indexes = [
            models.Index(fields=["link", "-assessed_at", "-id"], name="risk_latest_per_link"),
            models.Index(fields=["problem", "-assessed_at"], name="risk_problem_recent"),
            models.Index(fields=["problem"], name="risk_high_problem", condition=Q(level="high")),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} risk ({self.score}) on link {self.link_id}"

    @property
    def questionnaire_version(self) -> int:
        return self.questionnaire.version

    def clean(self) -> None:
        from .persons import PersonRole

        if self.link_id is None:
            return
        if self.link.role != PersonRole.VICTIM:
            raise ValidationError({"link": "Only a victim on a problem is risk assessed."})
        if self.problem_id != self.link.problem_id:
            raise ValidationError({"link": "This victim is on another problem."})
        if self.questionnaire_id is not None:
            questionnaire = self.questionnaire
            answers = questionnaire.answers_check(self.answers)
            if self.score != questionnaire.score(answers) or self.level != questionnaire.level_for(self.score):
                raise ValidationError({"answers": "The score and level do not follow from these answers."})
