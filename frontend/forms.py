"""Forms of the staff interface: they validate and clean input, then the views call ``jps.services``.

None of them saves a model; the services own every write and every rule.
"""

from __future__ import annotations

import uuid
from typing import Any

import django_filters
from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from jps import filters, policy, selectors
from jps.models import (
    REVIEW_INTERVAL_DAYS,
    Action,
    Agency,
    Analysis,
    Assessment,
    Category,
    Classification,
    District,
    Neighbourhood,
    Participation,
    Problem,
    ProgressUpdate,
    Risk,
    Source,
    Stage,
    SupervisoryReview,
    Transfer,
    User,
)
from jps.models.fields import text_limit

from .govuk_forms import GovukDateField, GovukForm, drop_welsh_unless, welsh_field


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (or at the top of the form)."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            if name in form.fields:
                form.add_error(name, messages)
            else:
                form.add_error(None, [f"{name.replace('_', ' ').capitalize()}: {m}" for m in messages])
    else:
        form.add_error(None, error.messages)


def _with_blank(choices: list[tuple[str, str]], label: str = "Choose") -> list[tuple[str, str]]:
    return [("", label), *choices]


class LogProblemForm(GovukForm, forms.Form):
    """The short phone form: what, where, who raised it; location optional (from the phone's position)."""

    govuk_messages = {
        "source": {"required": "Select how the problem came to notice"},
        "originator": {"required": "Enter who raised the problem"},
        "title": {"required": "Enter a title for the problem"},
        "description": {"required": "Enter a description of the problem"},
        "client_key": {"invalid": "This draft's key is not valid: reload the page and send it again"},
    }

    neighbourhood = forms.ModelChoiceField(queryset=Neighbourhood.objects.none(), empty_label="Choose")
    category = forms.ModelChoiceField(queryset=Category.objects.all(), empty_label="Choose")
    source = forms.ChoiceField(choices=_with_blank(Source.choices), help_text="How the problem came to notice.")
    originator = forms.CharField(max_length=160, help_text="Who raised it: a person, a role or a body.")
    title = forms.CharField(max_length=200, help_text="A short name, e.g. 'Youths gathering at the parade'.")
    description = forms.CharField(
        max_length=text_limit(Problem, "description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Internal: never published.",
    )
    # the fieldset around it is "Location (optional)": the box is the street or place within it
    location = forms.CharField(max_length=200, required=False, label="Street or place")
    latitude = forms.DecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False)
    longitude = forms.DecimalField(max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False)
    #: The draft's idempotency key: the same draft sent twice (a double tap, a retry) logs one problem.
    client_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_key", uuid.uuid4())
        field = self.fields["neighbourhood"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.neighbourhoods_for_logging(user=user)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # a form's clean() returns its cleaned_data
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            missing = "longitude" if data.get("longitude") is None else "latitude"
            self.add_error(missing, f"Enter the {missing} as well, or leave both empty")
        return data


class ScanningForm(GovukForm, forms.Form):
    govuk_messages = {"risk": {"required": "Select the level of risk"}}

    problem_statement = forms.CharField(
        max_length=text_limit(Problem, "problem_statement"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The behaviour, the place and the time, e.g. 'youths gathering outside the off-licence on "
        "Station Road in the early evening, deterring customers'.",
    )
    classification = forms.ChoiceField(choices=_with_blank(Classification.choices, "Not classified"), required=False)
    risk = forms.ChoiceField(
        choices=Risk.choices,
        help_text=f"Reviewed every {REVIEW_INTERVAL_DAYS[Risk.HIGH]} days at high risk, "
        f"{REVIEW_INTERVAL_DAYS[Risk.MEDIUM]} at medium and {REVIEW_INTERVAL_DAYS[Risk.STANDARD]} at standard. "
        "Raising the risk brings the next review forward to no later than that many days from today.",
    )


class AnalysisForm(GovukForm, forms.ModelForm):
    class Meta:
        model = Analysis
        fields = list(policy.ANALYSIS_FIELDS)
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in fields}


class AssessmentForm(GovukForm, forms.ModelForm):
    """The assessment; its public outcome only for those the write policy lets publish."""

    class Meta:
        model = Assessment
        fields = list(policy.ASSESSMENT_FIELDS)
        widgets = {
            "displacement_notes": forms.Textarea(attrs={"rows": 2}),
            "objective_met": forms.Textarea(attrs={"rows": 2}),
            "evidence": forms.Textarea(attrs={"rows": 2}),
            "public_outcome": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, user: User, problem: Problem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        writable = policy.assessment_fields_writable(user, problem)
        for name in [n for n in self.fields if n not in writable]:
            del self.fields[name]


class PublicForm(GovukForm, forms.Form):
    """What the force says in public about a problem: for supervisors of the district and web editors."""

    public_priority = forms.BooleanField(
        required=False, label="Public priority", help_text="Untick to withdraw it from the public pages at once."
    )
    public_title = forms.CharField(
        max_length=text_limit(Problem, "public_title"), required=False, label="Title for the public"
    )
    adopted_on = GovukDateField(required=False, label="Date adopted")
    public_title_cy = welsh_field("Title for the public", max_length=text_limit(Problem, "public_title_cy"))
    public_outcome = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=text_limit(Assessment, "public_outcome"),
        label="Outcome for the public",
        help_text="Published when the problem closes. Nothing personal.",
    )
    public_outcome_cy = welsh_field(
        "Outcome for the public", max_length=text_limit(Assessment, "public_outcome_cy"), rows=2
    )

    @classmethod
    def for_problem(cls, problem: Problem, data: Any = None) -> PublicForm:
        """The form for this problem: with the Welsh fields beside the English where its force publishes in Welsh."""
        assessment = getattr(problem, "assessment", None)
        initial = {
            "public_priority": problem.public_priority,
            "public_title": problem.public_title,
            "public_title_cy": problem.public_title_cy,
            "adopted_on": problem.adopted_on,
            "public_outcome": assessment.public_outcome if assessment else "",
            "public_outcome_cy": assessment.public_outcome_cy if assessment else "",
        }
        form = cls(data, prefix="public", initial=initial)
        drop_welsh_unless(form, problem.force.welsh_enabled)
        return form

    def changes(self) -> dict[str, Any]:
        """Only what was changed, so an untouched field is not written (nor its history)."""
        return {name: self.cleaned_data[name] for name in self.changed_data}


class ActionAddForm(GovukForm, forms.Form):
    govuk_messages = {
        "action_type": {"required": "Select the type of action"},
        "description": {"required": "Enter what the action is"},
        "agency": {"required": "Select the agency that will do it"},
    }

    action_type = forms.ChoiceField(choices=_with_blank(Action.Type.choices), label="Type")
    description = forms.CharField(
        max_length=text_limit(Action, "description"), widget=forms.Textarea(attrs={"rows": 2})
    )
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), empty_label="Choose", label="Agency")
    due_on = GovukDateField(required=False, label="Due date")

    def __init__(self, *args: Any, problem: Problem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = policy.agencies_of_force(problem.force_id)


class ActionUpdateForm(GovukForm, forms.Form):
    status = forms.ChoiceField(choices=Action.Status.choices)
    result = forms.CharField(
        max_length=text_limit(Action, "result"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    due_on = GovukDateField(required=False, label="Due date")


class UpdateAddForm(GovukForm, forms.Form):
    text = forms.CharField(
        max_length=text_limit(ProgressUpdate, "text"), widget=forms.Textarea(attrs={"rows": 3}), label="Progress update"
    )
    propose_public = forms.BooleanField(
        required=False,
        label="Propose for the public page",
        help_text="A web editor checks the wording before it is published.",
    )


class TransitionForm(GovukForm, forms.Form):
    govuk_messages = {"to": {"required": "Select the stage to move to"}}

    to = forms.ChoiceField(choices=Stage.choices)
    reason = forms.CharField(
        max_length=text_limit(Problem, "closure_reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ReviewForm(GovukForm, forms.Form):
    govuk_messages = {"comment": {"required": "Enter your review comment"}}

    comment = forms.CharField(
        max_length=text_limit(SupervisoryReview, "comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Review comment",
    )
    decision = forms.ChoiceField(choices=SupervisoryReview.Decision.choices, widget=forms.RadioSelect)
    #: Each shown only under its decision (``change_owner``, ``move_stage``): see review.html.
    new_owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Choose")
    to_stage = forms.ChoiceField(choices=_with_blank(Stage.choices, "Choose"), required=False, label="Stage to move to")

    def __init__(self, *args: Any, problem: Problem, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["new_owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = policy.owner_choices(user, problem.district_id).order_by("last_name", "first_name")

    def clean(self) -> dict[str, Any]:
        """The owner and the stage are asked for only with their decision, and needed with it."""
        data = super().clean()
        assert data is not None
        Decision = SupervisoryReview.Decision
        if data.get("decision") == Decision.CHANGE_OWNER and not data.get("new_owner"):
            self.add_error("new_owner", "Select the new owner")
        if data.get("decision") == Decision.MOVE_STAGE and not data.get("to_stage"):
            self.add_error("to_stage", "Select the stage to move to")
        return data


class UpdateDecideForm(GovukForm, forms.Form):
    govuk_messages = {"decision": {"required": "Select whether to approve or reject the update"}}

    public_text = forms.CharField(
        max_length=text_limit(ProgressUpdate, "public_text"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Text to publish",
        help_text="Edit out anything personal before approving.",
    )
    public_text_cy = welsh_field("Text to publish", max_length=text_limit(ProgressUpdate, "public_text_cy"), rows=3)
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])

    def __init__(self, *args: Any, welsh: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        drop_welsh_unless(self, welsh)


YES_NO = forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")])


class ProblemFilterForm(GovukForm, forms.Form):
    """The problem list's filter form: GOV.UK messages for a choice that is not on the list."""


#: Seconds the problem list's filter choices are kept: neighbourhood, district, category and agency
#: names change rarely, and a new owner joins the owner list within this time.
FILTER_CHOICES_TTL = 300

Choices = list[tuple[str, str]]


def _choices(queryset: QuerySet[Any]) -> Choices:
    return [(str(obj.pk), str(obj)) for obj in queryset]


def problem_filter_choices(user: User, scope: QuerySet[Problem]) -> dict[str, Choices]:
    """The filter's select lists for ``user``, from the cache (``FILTER_CHOICES_TTL``).

    Built from the database they took a fifth to a third of the problem list page at national
    scale (docs/performance.md): every neighbourhood of the force, and the distinct owners of
    every problem in the user's scope. The force's lists are shared by its users; the owners
    are the user's own, since scopes differ (a partner's is its participations).
    """
    force_id = None if user.is_administrator or not user.force_id else user.force_id

    def force_lists() -> dict[str, Choices]:
        districts, neighbourhoods = District.objects.all(), Neighbourhood.objects.all()
        agencies = Agency.objects.all()
        if force_id:
            districts = districts.filter(force_id=force_id)
            neighbourhoods = neighbourhoods.filter(district__force_id=force_id)
            # the force and its partners, and national agencies: not every agency in the country
            agencies = policy.agencies_of_force(force_id)
        return {
            "district": _choices(districts),
            "neighbourhood": _choices(neighbourhoods),
            "category": _choices(Category.objects.all()),
            "agency": _choices(agencies.order_by("name")),
        }

    def owner_list() -> Choices:
        owners = User.objects.filter(pk__in=scope.values("owner_id")).order_by("last_name", "first_name")
        return _choices(owners)

    lists: dict[str, Choices] = cache.get_or_set(  # type: ignore[assignment]
        f"problem-filter:force:{force_id or 'all'}", force_lists, FILTER_CHOICES_TTL
    )
    owners: Choices = cache.get_or_set(f"problem-filter:owners:{user.pk}", owner_list, FILTER_CHOICES_TTL)  # type: ignore[assignment]
    return {**lists, "owner": owners}


class ProblemFilter(filters.ProblemFilter):
    """The problem list's filters: ``jps.filters.ProblemFilter`` as selects, their choices limited to
    the user's force (``problem_filter_choices``); the queryset it filters is always the user's scope,
    so an id that is on no list gives a GOV.UK error and one the user may not see an empty list."""

    class Meta(filters.ProblemFilter.Meta):
        form = ProblemFilterForm

    q = django_filters.CharFilter(method="filter_q", label="Search")
    neighbourhood = django_filters.ChoiceFilter(field_name="neighbourhood_id", empty_label="Any")
    district = django_filters.ChoiceFilter(field_name="district_id", empty_label="Any")
    stage = django_filters.ChoiceFilter(choices=Stage.choices, empty_label="Any")
    category = django_filters.ChoiceFilter(field_name="category_id", empty_label="Any")
    owner = django_filters.ChoiceFilter(field_name="owner_id", empty_label="Any")
    agency = django_filters.ChoiceFilter(method="filter_agency", empty_label="Any", label="Agency")
    overdue = django_filters.BooleanFilter(method="filter_overdue", widget=YES_NO, label="Review overdue")
    public_priority = django_filters.BooleanFilter(widget=YES_NO, label="Public priority")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.filters["updated_since"]  # the API's, for clients that sync; not a list filter
        for name, choices in problem_filter_choices(user, self.queryset).items():
            self.filters[name].extra["choices"] = choices


# --- casework: partners, hand-overs, contacts and merging (frontend/casework.py) ---------------------


def _partner_agencies(problem: Problem) -> QuerySet[Agency]:
    """Agencies that may be brought into a problem: those of its force area and the national ones."""
    return policy.agencies_of_force(problem.force_id)


class PartnerAddForm(GovukForm, forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), empty_label="Choose", label="Agency")

    def __init__(self, *args: Any, problem: Problem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taking_part = Participation.objects.filter(problem=problem).values("agency_id")
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _partner_agencies(problem).exclude(pk__in=taking_part).exclude(pk=problem.lead_agency_id)


class ProblemHandOverForm(GovukForm, forms.Form):
    """Hand the whole problem to a new owner; the owner's agency becomes the lead agency."""

    govuk_messages = {"reason": {"required": "Enter why the problem is being handed over"}}

    to_owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        empty_label="Choose",
        label="New owner",
        help_text="Staff of this force area's agencies who work in the problem's district.",
    )
    reason = forms.CharField(
        max_length=text_limit(Transfer, "reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why is it being handed over?",
    )

    def __init__(self, *args: Any, problem: Problem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            policy.owners_in_district(problem.district_id)
            .filter(agency__in=_partner_agencies(problem))
            .exclude(pk=problem.owner_id)
            .select_related("agency")
        )
        field.label_from_instance = lambda obj: f"{obj} ({obj.agency})"  # type: ignore[method-assign]


class ActionHandOverForm(GovukForm, forms.Form):
    govuk_messages = {
        "action": {"required": "Select the action to hand over"},
        "to_agency": {"required": "Select the agency to hand the action to"},
        "reason": {"required": "Enter why the action is being handed over"},
    }

    action = forms.ModelChoiceField(queryset=Action.objects.none(), empty_label="Choose", label="Action")
    to_agency = forms.ModelChoiceField(queryset=Agency.objects.none(), empty_label="Choose", label="Hand to")
    reason = forms.CharField(
        max_length=text_limit(Transfer, "reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why is it being handed over?",
    )

    def __init__(self, *args: Any, problem: Problem, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actions = self.fields["action"]
        agencies = self.fields["to_agency"]
        assert isinstance(actions, forms.ModelChoiceField) and isinstance(agencies, forms.ModelChoiceField)
        open_actions = problem.actions.filter(status__in=Action.OPEN_STATUSES)
        if not user.has_perm("jps.work_problem", problem):
            open_actions = open_actions.filter(Q(agency_id=user.agency_id))
        actions.queryset = open_actions.select_related("agency")
        actions.label_from_instance = lambda obj: f"{obj.description[:60]} ({obj.agency})"  # type: ignore[method-assign]
        agencies.queryset = _partner_agencies(problem)


class MergeForm(GovukForm, forms.Form):
    """Merge another open problem (the duplicate) into this one."""

    govuk_messages = {
        "duplicate": {"required": "Enter the reference of the duplicate problem"},
        "reason": {"required": "Enter why they are the same problem"},
    }

    duplicate = forms.CharField(
        max_length=40, label="Reference of the duplicate", help_text="For example KNT-2026-00012. It will be closed."
    )
    reason = forms.CharField(
        max_length=text_limit(Problem, "closure_reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why are they the same problem?",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_duplicate(self) -> Problem:
        reference = self.cleaned_data["duplicate"].strip().upper()
        found = selectors.problems_visible_to(self.user).filter(reference=reference).first()
        if found is None:
            raise ValidationError("No problem with that reference that you can see.")
        return found


class UpdateRejectForm(GovukForm, forms.Form):
    """The web editor's reason for not publishing an update: its author reads it on the problem page."""

    reason = forms.CharField(
        max_length=text_limit(ProgressUpdate, "reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why is this update not being published?",
        help_text="The officer who wrote it will see this next to their update.",
        error_messages={"required": "Enter why the update is not being published"},
    )
