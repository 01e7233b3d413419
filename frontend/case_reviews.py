"""Staff pages for ASB case reviews: the list, recording an application, the application with its
threshold evidence and the form for its next step, the outcome letter, and the CSV exports.

Thin like the rest of the staff interface: forms validate, ``jps.services`` writes (and checks the
rules), ``jps.selectors`` reads (an application out of sight is a 404). Mounted under
``/case-reviews/`` by one ``include`` in ``frontend/urls.py``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from jps import policy, selectors, services
from jps.db_router import replica_reads
from jps.models import OPEN_CASE_REVIEW_STATES, Action, Agency, CaseReviewApplication, District, Person, Problem, User
from jps.rules import sees_people_of_force

from .forms import add_service_errors
from .govuk_forms import GovukDateField, GovukForm
from .http import AuthedHttpRequest, csv_response, in_chunks
from .people.on_problem import log_reads

State = CaseReviewApplication.State

# --- forms ---------------------------------------------------------------------------------------


class ApplicationForm(GovukForm, forms.Form):
    """Record an application as it is received: who asks, for whom, what they cite."""

    govuk_messages = {
        "applicant_name": {"required": "Enter the applicant's name, or find them by searching"},
        "applicant": {"invalid_choice": "Find the applicant again by searching"},
        "behalf_of": {"invalid_choice": "Find the person again by searching"},
    }

    district = forms.ModelChoiceField(queryset=District.objects.none(), label="Community safety partnership area")
    # Chosen by the search above the form (``_chosen``), never from a list of every person: hidden here.
    applicant = forms.ModelChoiceField(queryset=Person.objects.none(), required=False, widget=forms.HiddenInput)
    applicant_name = forms.CharField(max_length=160, required=False, label="Or a new applicant's name")
    applicant_phone = forms.CharField(max_length=40, required=False, label="New applicant's phone")
    on_behalf = forms.BooleanField(required=False, label="The applicant asks on someone else's behalf")
    behalf_of = forms.ModelChoiceField(queryset=Person.objects.none(), required=False, widget=forms.HiddenInput)
    received_on = GovukDateField(label="Date received")
    channel = forms.ChoiceField(choices=CaseReviewApplication.Channel.choices, label="How it was received")
    summary = forms.CharField(widget=forms.Textarea, max_length=5000, label="What the applicant says")
    lead_agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label="Lead agency")
    problems = forms.ModelMultipleChoiceField(
        queryset=Problem.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label="Problems"
    )
    incident_on = GovukDateField(required=False, label="Date of an incident not in JPS")
    incident = forms.CharField(widget=forms.Textarea, max_length=5000, required=False, label="What happened")
    incident_hate = forms.BooleanField(required=False, label="A hate incident")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        districts = (
            District.objects.all()
            if user.is_administrator
            else District.objects.filter(pk__in=sorted(user.scope_district_ids) or [0])
        )
        if not user.is_administrator and not user.scope_district_ids and user.force_id:
            districts = District.objects.filter(force_id=user.force_id)
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
        people = selectors.people_visible_to(user).filter(merged_into__isnull=True)
        self.fields["applicant"].queryset = people  # type: ignore[attr-defined]
        self.fields["behalf_of"].queryset = people  # type: ignore[attr-defined]
        self.fields["lead_agency"].queryset = policy.agencies_of_force(user.force_id)  # type: ignore[attr-defined]
        open_problems = selectors.problems_visible_to(user).open().order_by("-created_at")[:200]
        self.fields["problems"].queryset = Problem.objects.filter(pk__in=[p.pk for p in open_problems])  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("applicant") and not data.get("applicant_name"):
            self.add_error("applicant_name", "Enter the applicant's name, or find them by searching")
        if data.get("on_behalf") and not data.get("behalf_of"):
            self.add_error("on_behalf", "Find the person the applicant asks for by searching")
        if data.get("incident") and not data.get("incident_on"):
            self.add_error("incident_on", "Enter the date of the incident")
        return data


class DecisionForm(GovukForm, forms.Form):
    met = forms.TypedChoiceField(
        choices=[("yes", "Met"), ("no", "Not met")], coerce=lambda v: v == "yes", widget=forms.RadioSelect,
        label="Is the threshold met?",
    )  # fmt: skip
    reasons = forms.CharField(widget=forms.Textarea, max_length=2000, required=False, label="Reasons")


class MeetingForm(GovukForm, forms.Form):
    held_on = GovukDateField(label="Date of the review meeting")
    agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.none(), widget=forms.CheckboxSelectMultiple, label="Agencies present"
    )
    findings = forms.CharField(widget=forms.Textarea, max_length=5000, label="What the review found")


class RecommendForm(GovukForm, forms.Form):
    problem = forms.ModelChoiceField(queryset=Problem.objects.none(), label="Problem")
    text = forms.CharField(widget=forms.Textarea, max_length=5000, label="Recommendation")
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label="Agency responsible")
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Person responsible")
    due_on = GovukDateField(label="Due date")
    action_type = forms.ChoiceField(choices=Action.Type.choices, initial=Action.Type.PREVENTION, label="Kind")


class OutcomeForm(GovukForm, forms.Form):
    text = forms.CharField(widget=forms.Textarea, max_length=5000, label="What the applicant is told")


class HandlingReviewForm(GovukForm, forms.Form):
    requested_on = GovukDateField(label="Date the applicant asked")


class CloseForm(GovukForm, forms.Form):
    handling_outcome = forms.CharField(
        widget=forms.Textarea, max_length=5000, required=False, label="What the handling review decided"
    )


class AcknowledgeForm(GovukForm, forms.Form):
    on = GovukDateField(required=False, label="Date acknowledged")


class LeadForm(GovukForm, forms.Form):
    lead_officer = forms.ModelChoiceField(queryset=User.objects.none(), label="Lead officer")


class IncidentForm(GovukForm, forms.Form):
    govuk_messages = {"description": {"required": "Enter what happened"}}

    occurred_on = GovukDateField(label="Date of the incident")
    description = forms.CharField(widget=forms.Textarea, max_length=5000, label="What happened")
    problem = forms.ModelChoiceField(queryset=Problem.objects.none(), required=False, label="The problem it is on")
    hate_incident = forms.BooleanField(required=False, label="A hate incident")


def _incident_add(*, application: CaseReviewApplication, by: User, **fields: Any) -> None:
    services.incident_add(application=application, by=by, incident=services.Incident(**fields))


#: Each step: its form, its service, the states it is offered in, its permission.
_WORK, _DECIDE = "jps.work_case_review", "jps.decide_case_review"
STEPS: dict[str, tuple[type[forms.Form], Any, tuple[str, ...], str]] = {
    "acknowledge": (AcknowledgeForm, services.case_review_acknowledge, (State.RECEIVED,), _WORK),
    "decide": (DecisionForm, services.case_review_decide, (State.RECEIVED, State.ACKNOWLEDGED), _DECIDE),
    "meeting": (MeetingForm, services.case_review_meeting, (State.THRESHOLD_MET,), _WORK),
    "recommend": (RecommendForm, services.case_review_recommend, (State.MEETING_HELD,), _WORK),
    "outcome": (OutcomeForm, services.case_review_outcome, (State.MEETING_HELD, State.THRESHOLD_NOT_MET), _WORK),
    "handling_review": (HandlingReviewForm, services.case_review_handling_review, (State.OUTCOME_SENT,), _WORK),
    "close": (CloseForm, services.case_review_close, (State.OUTCOME_SENT, State.HANDLING_REVIEW), _WORK),
    "lead": (LeadForm, services.case_review_lead_set, OPEN_CASE_REVIEW_STATES, _WORK),
    "incident": (IncidentForm, _incident_add, OPEN_CASE_REVIEW_STATES, _WORK),
}


def _form(step: str, application: CaseReviewApplication, data: Any = None) -> forms.Form:
    form = STEPS[step][0](data, auto_id=f"{step}-%s")  # one page holds several steps: ids apart, names as sent
    agencies = policy.agencies_of_force(application.force_id)
    if step == "meeting":
        form.fields["agencies"].queryset = agencies  # type: ignore[attr-defined]
    if step == "lead":
        form.fields["lead_officer"].queryset = User.objects.filter(agency=application.lead_agency, is_active=True)  # type: ignore[attr-defined]
        form.fields["lead_officer"].initial = application.lead_officer_id
    if step == "incident":
        form.fields["problem"].queryset = application.problems.all()  # type: ignore[attr-defined]
    if step == "recommend":
        form.fields["problem"].queryset = application.problems.all()  # type: ignore[attr-defined]
        form.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        form.fields["assignee"].queryset = User.objects.filter(agency__in=agencies, is_active=True)  # type: ignore[attr-defined]
    return form


def _steps(user: User, application: CaseReviewApplication) -> dict[str, forms.Form]:
    """The forms for the steps this user may take now."""
    return {
        step: _form(step, application)
        for step, (_, _, states, perm) in STEPS.items()
        if application.state in states and user.has_perm(perm, application)
    }


# --- views ---------------------------------------------------------------------------------------


def _get(request: AuthedHttpRequest, pk: int) -> CaseReviewApplication:
    try:
        return selectors.case_review_get_for(request.user, pk)
    except CaseReviewApplication.DoesNotExist:
        raise Http404("No such case review.") from None


@login_required
def case_review_list(request: AuthedHttpRequest) -> HttpResponse:
    applications = selectors.case_reviews_visible_to(request.user)[:200]
    return render(request, "frontend/case_reviews/list.html", {"applications": applications})


class PersonSearchForm(GovukForm, forms.Form):
    """Find the applicant (or whom they ask for) among the people JPS holds: ``selectors.person_search``."""

    q = forms.CharField(max_length=160, label="Name", required=True)
    role = forms.ChoiceField(choices=[("applicant", "Applicant"), ("behalf_of", "Whom they ask for")], required=False)


def _chosen(request: AuthedHttpRequest, source: Any) -> dict[str, Person | None]:
    """The applicant and the person asked for, chosen so far (by id, among the people the user sees)."""
    people = selectors.people_visible_to(request.user).filter(merged_into__isnull=True)
    chosen: dict[str, Person | None] = {}
    for name in ("applicant", "behalf_of"):
        value = str(source.get(name) or "")
        chosen[name] = people.filter(pk=value).first() if value.isdigit() else None
    return chosen


def _search(request: AuthedHttpRequest) -> tuple[PersonSearchForm, list[Person]]:
    """The people like the name searched for (at most 20), their reads logged as every page showing a person."""
    search = PersonSearchForm(request.GET if "q" in request.GET else None)
    if not search.is_valid():
        return search, []
    found = list(selectors.person_search(request.user, search.cleaned_data["q"])[:20])
    log_reads(request, selectors.person_read_through(request.user, [p.pk for p in found]))
    return search, found


@login_required
def case_review_new(request: AuthedHttpRequest) -> HttpResponse:
    """Record an application. The applicant is found by a name search (a GET form, refreshed by htmx as a
    name is typed; it works without JavaScript) and chosen by a link, or recorded as someone new."""
    if not request.user.has_perm("jps.record_case_review"):
        raise PermissionDenied("Case reviews are recorded by the staff of an agency of the area.")
    chosen = _chosen(request, request.POST or request.GET)
    initial = {name: person.pk for name, person in chosen.items() if person is not None}
    if chosen["behalf_of"] is not None:
        initial["on_behalf"] = True
    form = ApplicationForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            applicant = data["applicant"] or services.person_create(
                by=request.user, name=data["applicant_name"], phone=data["applicant_phone"]
            )
            incidents = []
            if data["incident"]:
                incidents = [services.Incident(occurred_on=data["incident_on"], description=data["incident"],
                                               hate_incident=data["incident_hate"])]  # fmt: skip
            application = services.case_review_create(
                by=request.user, district=data["district"], applicant=applicant, on_behalf=data["on_behalf"],
                behalf_of=data["behalf_of"], received_on=data["received_on"], channel=data["channel"],
                summary=data["summary"], lead_agency=data["lead_agency"], problems=data["problems"],
                incidents=incidents,
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Case review {application.reference} recorded.")
            return redirect("case_review", pk=application.pk)
    search, found = _search(request)
    if chosen["applicant"] is not None or chosen["behalf_of"] is not None:
        log_reads(request, selectors.person_read_through(request.user, [p.pk for p in chosen.values() if p]))
    role = "behalf_of" if request.GET.get("role") == "behalf_of" else "applicant"
    context = {"form": form, "search": search, "found": found, "chosen": chosen, "role": role}
    return render(request, "frontend/case_reviews/form.html", context)


@login_required
def case_review_page(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    application = _get(request, pk)
    return _page(request, application, _steps(request.user, application))


def _page(request: AuthedHttpRequest, application: CaseReviewApplication, steps: dict[str, Any]) -> HttpResponse:
    check = selectors.threshold_check(application=application, user=request.user)
    visible = set(selectors.problems_visible_to(request.user).filter(
        pk__in=application.problems.values("pk")).values_list("pk", flat=True))  # fmt: skip
    context = {
        "application": application,
        "check": check,
        "steps": steps,
        "problems": [p for p in application.problems.all() if p.pk in visible],
        "recommendations": application.recommendations.select_related("action__agency", "action__assignee"),
        "deadline": application.next_deadline(),
        "contact": sees_people_of_force(request.user),  # the applicant's details: the people rule
    }  # fmt: skip
    return render(request, "frontend/case_reviews/application.html", context, status=400 if any(
        f.errors for f in steps.values()) else 200)  # fmt: skip


@login_required
@require_POST
def case_review_step(request: AuthedHttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404("No such step.")
    application = _get(request, pk)
    form = _form(step, application, request.POST)
    if form.is_valid():
        try:
            STEPS[step][1](application=application, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("case_review", pk=application.pk)
    steps = _steps(request.user, application) | {step: form}
    return _page(request, application, steps)


@login_required
def case_review_letter(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The outcome letter for the applicant: a page to print (or save as PDF from the browser)."""
    application = _get(request, pk)
    recommendations = application.recommendations.select_related("action__agency")
    return render(request, "frontend/case_reviews/letter.html", {
        "application": application, "recommendations": recommendations, "today": timezone.localdate(),
        "victim": application.victim,
    })  # fmt: skip


@login_required
@replica_reads()
def case_review_csv(request: AuthedHttpRequest) -> HttpResponse:
    """The applications the user sees (no applicant's details: a list to work from, not a register)."""
    rows = (
        (a.reference, a.district.name, a.get_state_display(), a.received_on.isoformat(), a.lead_agency.name,
         str(a.lead_officer or ""), a.next_deadline()[0], (a.next_deadline()[1] or "") and str(a.next_deadline()[1]))
        for a in in_chunks(selectors.case_reviews_visible_to(request.user))
    )  # fmt: skip
    columns = ("Reference", "CSP area", "State", "Received", "Lead agency", "Lead officer", "Next step", "Due")
    return csv_response("case-reviews.csv", columns, rows)


@login_required
@replica_reads()
def case_review_figures_csv(request: AuthedHttpRequest) -> HttpResponse:
    rows = selectors.case_review_figures(districts=selectors.figures_scope(request.user))
    return csv_response("case-review-figures.csv", selectors.FIGURE_COLUMNS, selectors.figure_table(rows))


urlpatterns = [
    path("", case_review_list, name="case_review_list"),
    path("new/", case_review_new, name="case_review_new"),
    path("export.csv", case_review_csv, name="case_review_csv"),
    path("figures.csv", case_review_figures_csv, name="case_review_figures_csv"),
    path("<int:pk>/", case_review_page, name="case_review"),
    path("<int:pk>/letter/", case_review_letter, name="case_review_letter"),
    path("<int:pk>/<slug:step>/", case_review_step, name="case_review_step"),
]
