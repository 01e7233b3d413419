"""The problem record and everything worked on it through SARA."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .fields import REASON, TEXT, BoundedTextField
from .tiers import REVIEW_INTERVAL_DAYS, Risk, Tier, sergeant_days


class Stage(models.TextChoices):
    SCANNING = "scanning", "Scanning"
    ANALYSIS = "analysis", "Analysis"
    RESPONSE = "response", "Response"
    ASSESSMENT = "assessment", "Assessment"
    CLOSED = "closed", "Closed"
    CLOSED_NO_ACTION = "closed_no_action", "Closed without action"


OPEN_STAGES = (Stage.SCANNING, Stage.ANALYSIS, Stage.RESPONSE, Stage.ASSESSMENT)
CLOSED_STAGES = (Stage.CLOSED, Stage.CLOSED_NO_ACTION)


class Source(models.TextChoices):
    """How a problem came to notice; mandatory, so its origin is never lost."""

    PACT_MEETING = "pact", "PACT meeting"
    COMMUNITY_CONTACT = "community", "Community contact"
    PARTNER_REFERRAL = "partner", "Partner referral"
    CALL_INCIDENT = "call", "Call or incident data"
    ANALYSIS = "analysis", "Crime and incident analysis"
    OFFICER_OBSERVATION = "observation", "Officer observation"
    COMPLAINT = "complaint", "Complaint"
    RESIDENT_REPORT = "resident", "Resident report"
    OTHER = "other", "Other"


class Classification(models.TextChoices):
    CHRONIC = "chronic", "Chronic"
    SPIKE = "spike", "Spike"
    RECURRENT = "recurrent", "Recurrent low-level"


class Category(models.Model):
    """A kind of problem (ASB types, drugs, road safety...); reference data kept by administrators."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    group = models.CharField(max_length=80, blank=True, help_text="e.g. Anti-social behaviour")
    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class ReferenceCounter(models.Model):
    """The last reference number issued per force and year, claimed under a row lock."""

    force = models.ForeignKey("jps.Force", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["force", "year"], name="reference_counter_unique")]

    def __str__(self) -> str:
        return f"{self.force_id}/{self.year}: {self.last}"


def review_overdue_q(today: datetime.date) -> Q:
    """Open and past its supervisory review date on ``today``: the one definition of "overdue"."""
    return Q(stage__in=OPEN_STAGES, next_review_due__lt=today)


def public_name_expression(prefix: str = "") -> Coalesce:
    """``Problem.public_name`` in SQL: the public title, else the title (``prefix`` for a related problem)."""
    return Coalesce(NullIf(f"{prefix}public_title", Value("")), f"{prefix}title")


class ProblemQuerySet(models.QuerySet["Problem"]):
    def open(self) -> ProblemQuerySet:
        return self.filter(stage__in=OPEN_STAGES)

    def closed(self) -> ProblemQuerySet:
        return self.filter(stage__in=CLOSED_STAGES)

    def review_overdue(self, *, today: datetime.date | None = None) -> ProblemQuerySet:
        """Open problems whose supervisory review date has passed: a query, never a flag."""
        return self.filter(review_overdue_q(today or timezone.localdate()))

    def not_evaluated(self) -> ProblemQuerySet:
        """Problems with no evaluation, as ``NOT EXISTS``: the ``LEFT JOIN ... IS NULL`` of
        ``evaluation__isnull`` is estimated at one row, and a server-side cursor's fast-start plan
        then rescanned every evaluation per problem at national scale (docs/performance.md)."""
        from .evaluation import Evaluation

        return self.exclude(models.Exists(Evaluation.objects.filter(problem_id=models.OuterRef("pk"))))


class Problem(models.Model):
    """A local problem worked jointly through scanning, analysis, response and assessment."""

    reference = models.CharField(max_length=24, unique=True, editable=False)
    title = models.CharField(max_length=200)
    description = BoundedTextField(help_text="Internal: never published.")
    problem_statement = BoundedTextField(
        blank=True, help_text="The behaviour, the place and the time, e.g. 'youths gathering outside…'."
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="problems")
    classification = models.CharField(max_length=16, choices=Classification.choices, blank=True)
    risk = models.CharField(max_length=16, choices=Risk.choices, default=Risk.STANDARD)

    force = models.ForeignKey("jps.Force", on_delete=models.PROTECT, related_name="problems", editable=False)
    district = models.ForeignKey("jps.District", on_delete=models.PROTECT, related_name="problems", editable=False)
    neighbourhood = models.ForeignKey("jps.Neighbourhood", on_delete=models.PROTECT, related_name="problems")
    location = models.CharField(max_length=200, blank=True, help_text="Street or place; internal.")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    source = models.CharField(max_length=16, choices=Source.choices)
    originator = models.CharField(max_length=160, help_text="Who raised it: a person, a role or a body.")
    originator_agency = models.ForeignKey(
        "jps.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_problems")
    lead_agency = models.ForeignKey("jps.Agency", on_delete=models.PROTECT, related_name="led_problems")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False)

    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.SCANNING, editable=False)
    stage_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    review_interval_days = models.PositiveSmallIntegerField(default=REVIEW_INTERVAL_DAYS[Risk.STANDARD])
    next_review_due = models.DateField(null=True, blank=True, editable=False)
    closure_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    closure_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    closure_reason = BoundedTextField(max_length=REASON, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    risk_raised_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the risk last went up: the higher tiers' clocks restart."
    )
    personal_data_redacted_at = models.DateTimeField(null=True, blank=True, editable=False)

    public_priority = models.BooleanField(default=False)
    adopted_on = models.DateField(null=True, blank=True, help_text="Date adopted as a public priority.")
    public_title = models.CharField(max_length=200, blank=True, help_text="Title as shown to the public.")
    public_title_cy = models.CharField(
        max_length=200, blank=True, help_text="The public title in Welsh (forces that publish in Welsh)."
    )

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ProblemQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["district", "stage"], name="problem_district_stage"),
            models.Index(fields=["neighbourhood", "stage"], name="problem_nbhd_stage"),
            models.Index(fields=["owner", "stage"], name="problem_owner_stage"),
            models.Index(fields=["lead_agency", "stage"], name="problem_lead_agency_stage"),
            models.Index(fields=["updated_at"], name="problem_updated_at"),
            # Lists are newest first (-created_at, -id): the first page and keyset pages read 50 index entries.
            models.Index(fields=["created_at", "id"], name="problem_created"),
            models.Index(fields=["district", "created_at"], name="problem_district_created"),
            models.Index(fields=["force", "stage", "closed_at"], name="problem_force_stage_closed"),
            models.Index(
                fields=["next_review_due"],
                name="problem_open_review_due",
                condition=Q(stage__in=["scanning", "analysis", "response", "assessment"]),
            ),
            # The review tiers' reminders walk open medium- and high-risk problems (jps.reminders.escalation).
            models.Index(
                fields=["risk", "force"],
                name="problem_open_risk",
                condition=Q(stage__in=["scanning", "analysis", "response", "assessment"], risk__in=["medium", "high"]),
            ),
            models.Index(
                fields=["neighbourhood", "adopted_on"],
                name="problem_public_priority",
                condition=Q(public_priority=True),
            ),
            # The public home page counts each district's current priorities (an index-only scan).
            models.Index(
                fields=["district", "stage", "adopted_on"],
                name="problem_public_district",
                condition=Q(public_priority=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(public_priority=False) | Q(adopted_on__isnull=False),
                name="public_priority_has_adoption_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def public_name(self) -> str:
        """What the public calls it: its public title, else its title (``public_name_expression`` in SQL)."""
        return self.public_title or self.title

    @property
    def awaiting_web_editor(self) -> bool:
        """Agreed at a PACT meeting and not yet approved by the web editor: a priority, not yet on the public site."""
        return self.public_priority and self.meeting_items.filter(publication="pending").exists()

    @property
    def review_interval_for_risk(self) -> int:
        """Days between reviews for the risk: the force's sergeant tier, else national (else the current)."""
        return sergeant_days(self.force_id, self.risk) or self.review_interval_days

    def review_clock_from(self, today: datetime.date) -> datetime.date:
        """The next review date when the review clock (re)starts on ``today``: logged, reviewed, reopened."""
        return today + datetime.timedelta(days=self.review_interval_days)

    def is_review_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.next_review_due is not None and self.next_review_due < today

    def days_overdue(self, today: datetime.date | None = None) -> int:
        today = today or timezone.localdate()
        if not self.is_review_overdue(today):
            return 0
        assert self.next_review_due is not None
        return (today - self.next_review_due).days


class Participation(models.Model):
    """A partner agency taking part in a problem; gives its staff sight of the problem."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="participations")
    agency = models.ForeignKey("jps.Agency", on_delete=models.PROTECT, related_name="participations")
    joined_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["problem", "agency"], name="participation_unique")]
        indexes = [models.Index(fields=["agency", "problem"], name="participation_agency_problem")]

    def __str__(self) -> str:
        return f"{self.agency} on {self.problem.reference}"


class Analysis(models.Model):
    """The problem analysis triangle, the data used, the causes and a measurable objective."""

    problem = models.OneToOneField(Problem, on_delete=models.CASCADE, related_name="analysis")
    victim = BoundedTextField(blank=True, help_text="Victims or targets, and their guardians.")
    offender = BoundedTextField(blank=True, help_text="Offenders, and their handlers.")
    location = BoundedTextField(blank=True, help_text="The place, and its manager.")
    data_sources = BoundedTextField(blank=True)
    causes = BoundedTextField(blank=True)
    objective = BoundedTextField(blank=True, help_text="What success looks like, measurably.")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "analyses"

    def __str__(self) -> str:
        return f"Analysis of {self.problem.reference}"


class Action(models.Model):
    """One response, owned by an agency (and optionally a person), with a due date and a result."""

    class Type(models.TextChoices):
        ENFORCEMENT = "enforcement", "Enforcement"
        PREVENTION = "prevention", "Prevention"
        INTELLIGENCE = "intelligence", "Intelligence"
        COMMUNICATION = "communication", "Communication"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="actions")
    action_type = models.CharField(max_length=16, choices=Type.choices)
    description = BoundedTextField(max_length=TEXT)
    agency = models.ForeignKey("jps.Agency", on_delete=models.PROTECT, related_name="actions")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)
    result = BoundedTextField(max_length=TEXT, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["problem", "status"], name="action_problem_status"),
            models.Index(fields=["updated_at"], name="action_updated_at"),
            models.Index(
                fields=["agency", "due_on"],
                name="action_open_agency_due",
                condition=Q(status__in=["planned", "in_progress"]),
            ),
            models.Index(
                fields=["due_on"],
                name="action_open_due",
                condition=Q(status__in=["planned", "in_progress"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_type_display()}: {self.description[:60]}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Transfer(models.Model):
    """The explicit hand-over of an action or a whole problem to another agency."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="transfers")
    action = models.ForeignKey(Action, null=True, blank=True, on_delete=models.CASCADE, related_name="transfers")
    from_agency = models.ForeignKey("jps.Agency", on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey("jps.Agency", on_delete=models.PROTECT, related_name="+")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = BoundedTextField(max_length=REASON)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        what = f"action {self.action_id}" if self.action_id else "problem"
        return f"{self.problem.reference} {what}: {self.from_agency} → {self.to_agency}"


class Assessment(models.Model):
    """Did it work: the outcome against the objective, before/after measures, displacement."""

    class Outcome(models.TextChoices):
        ELIMINATED = "eliminated", "Eliminated"
        REDUCED = "reduced", "Reduced"
        LESS_SERIOUS = "less_serious", "Reduced in seriousness"
        HANDLED_BETTER = "handled_better", "Handled more efficiently"
        HANDED_OVER = "handed_over", "Handed to a better-placed agency"
        NO_CHANGE = "no_change", "No improvement"

    problem = models.OneToOneField(Problem, on_delete=models.CASCADE, related_name="assessment")
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    reduction_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    measure_before = models.CharField(max_length=200, blank=True)
    measure_after = models.CharField(max_length=200, blank=True)
    displacement_checked = models.BooleanField(default=False)
    displacement_notes = BoundedTextField(blank=True)
    objective_met = BoundedTextField(blank=True, help_text="The outcome against the objective.")
    evidence = BoundedTextField(blank=True)
    public_outcome = BoundedTextField(
        max_length=TEXT, blank=True, help_text="What happened, in words fit for the public."
    )
    public_outcome_cy = BoundedTextField(max_length=TEXT, blank=True, help_text="The public outcome in Welsh.")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        # The incremental public-site export asks which assessments changed since the last one.
        indexes = [models.Index(fields=["updated_at"], name="assessment_updated_at")]

    def __str__(self) -> str:
        return f"Assessment of {self.problem.reference}"


class SupervisoryReview(models.Model):
    """A supervisor's periodic review of an open problem; moves its next review date on."""

    class Decision(models.TextChoices):
        CONTINUE = "continue", "Continue"
        CHANGE_OWNER = "change_owner", "Change owner"
        MOVE_STAGE = "move_stage", "Move stage"
        CLOSE = "close", "Close"
        ESCALATE = "escalate", "Escalate"

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    reviewed_at = models.DateTimeField(default=timezone.now)
    comment = BoundedTextField(max_length=TEXT)
    decision = models.CharField(max_length=16, choices=Decision.choices)
    stage_at_review = models.CharField(max_length=20, choices=Stage.choices)
    #: The level the reviewer acted at (the district's inspector or chief inspector, else sergeant): the service's.
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.SERGEANT, editable=False)
    was_overdue_days = models.PositiveIntegerField(default=0)
    next_review_due = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reviewed_at"]
        indexes = [models.Index(fields=["problem", "-reviewed_at"], name="review_problem_recent")]

    def __str__(self) -> str:
        return f"Review of {self.problem.reference} on {self.reviewed_at:%Y-%m-%d}"


class ProgressUpdate(models.Model):
    """A dated note on a problem; a public one reaches residents only once a web editor approves it."""

    class Status(models.TextChoices):
        INTERNAL = "internal", "Internal"
        PENDING = "pending", "Awaiting approval"
        APPROVED = "approved", "Approved for publication"
        REJECTED = "rejected", "Not published"

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    text = BoundedTextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.INTERNAL)
    public_text = BoundedTextField(
        max_length=TEXT, blank=True, help_text="As edited for publication: no personal data."
    )
    public_text_cy = BoundedTextField(max_length=TEXT, blank=True, help_text="The published text in Welsh.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = BoundedTextField(
        max_length=TEXT, blank=True, help_text="Why a web editor did not publish it; the author reads this."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["problem", "-created_at"], name="update_problem_recent"),
            models.Index(fields=["created_at"], name="update_pending", condition=Q(status="pending")),
            models.Index(fields=["problem", "decided_at"], name="update_approved", condition=Q(status="approved")),
            # The incremental public-site export asks which updates were decided since the last one.
            models.Index(fields=["decided_at"], name="update_decided_at", condition=Q(decided_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"Update on {self.problem.reference} {self.created_at:%Y-%m-%d}"
