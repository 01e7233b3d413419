"""Staff pages for PACT meetings: the list, recording a meeting on a phone, the meeting record and its minutes.

Thin like the rest of the staff interface: forms validate, ``jps.meetings`` services
write (and check the rules), ``jps.meetings`` selectors read. Mounted under
``/meetings/`` by one ``include`` in ``frontend/urls.py``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from jps import meetings, policy
from jps.models import Agency, Assessment, Category, Meeting, MeetingItem, Problem, User
from jps.models.fields import text_limit
from jps.services import TransitionRefused

from .forms import add_service_errors
from .govuk_forms import GovukDateField, GovukForm, drop_welsh_unless, welsh_field
from .http import AuthedHttpRequest

Kind = MeetingItem.Kind
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


# --- forms ---------------------------------------------------------------------------------------


class MeetingForm(GovukForm, forms.Form):
    """Record (or schedule) a meeting: short enough to fill in on a phone at the end of the meeting."""

    govuk_messages = {
        "neighbourhoods": {"required": "Select the neighbourhoods the meeting was for"},
        "date": {"required": "Enter the date of the meeting", "invalid": "Date of the meeting must be a real date"},
        "starts": {"required": "Enter the time the meeting started, like 18:30"},
    }

    neighbourhoods = forms.ModelMultipleChoiceField(
        queryset=Meeting.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    date = GovukDateField()
    starts = forms.TimeField(widget=TIME_WIDGET, label="Start time")
    ends = forms.TimeField(widget=TIME_WIDGET, label="End time", required=False)
    online = forms.BooleanField(required=False, label="Held online")
    venue = forms.CharField(max_length=200, required=False, help_text="Published, e.g. 'Northgate Community Centre'.")
    address = forms.CharField(max_length=300, required=False, help_text="Published.")
    online_url = forms.URLField(
        required=False, assume_scheme="https", label="Link to join", help_text="For an online meeting."
    )
    chair_name = forms.CharField(
        max_length=160,
        required=False,
        label="Chair, if not you",
        help_text="Leave empty if you chaired it. Never published.",
    )
    agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.none(), widget=forms.CheckboxSelectMultiple, required=False, label="Agencies present"
    )
    residents_attending = forms.IntegerField(
        min_value=0, max_value=100000, required=False, help_text="A number only: never record residents' names."
    )
    public_agenda = forms.CharField(
        max_length=text_limit(Meeting, "public_agenda"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Purpose and agenda",
        help_text="Published.",
    )
    notes = forms.CharField(
        max_length=text_limit(Meeting, "notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Internal: never published or printed.",
    )
    status = forms.ChoiceField(choices=Meeting.Status.choices, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["neighbourhoods"].queryset = meetings.neighbourhoods_for_meetings(user=user)  # type: ignore[attr-defined]
        agencies = Agency.objects.filter(Q(force_id=user.force_id) | Q(force__isnull=True)).order_by("name")
        self.fields["agencies"].queryset = agencies  # type: ignore[attr-defined]

    def moments(self) -> tuple[datetime.datetime, datetime.datetime | None]:
        data = self.cleaned_data
        starts = timezone.make_aware(datetime.datetime.combine(data["date"], data["starts"]))
        ends = data.get("ends")
        return starts, timezone.make_aware(datetime.datetime.combine(data["date"], ends)) if ends else None


class AgreeForm(GovukForm, forms.Form):
    govuk_messages = {
        "neighbourhood": {"required": "Select the neighbourhood of the priority"},
        "title": {"required": "Enter a title for the priority"},
        "description": {"required": "Enter a description of the priority"},
    }

    neighbourhood = forms.ModelChoiceField(queryset=Meeting.objects.none(), empty_label="Choose")
    category = forms.ModelChoiceField(queryset=Category.objects.all(), empty_label="Choose")
    title = forms.CharField(max_length=200, help_text="A short name, e.g. 'Speeding outside the school'.")
    public_title = forms.CharField(
        max_length=200, required=False, label="Title for the public page", help_text="Leave empty to use the title."
    )
    description = forms.CharField(
        max_length=text_limit(Problem, "description"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Internal: never published.",
    )
    problem_statement = forms.CharField(
        max_length=text_limit(Problem, "problem_statement"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="The behaviour, the place and the time, if known.",
    )
    originator = forms.CharField(
        max_length=160, required=False, label="Raised by", help_text="Leave empty for 'Residents at the meeting'."
    )


class AdoptForm(GovukForm, forms.Form):
    govuk_messages = {"problem": {"required": "Select the problem to adopt as a priority"}}

    problem = forms.ModelChoiceField(queryset=Problem.objects.none(), empty_label="Choose")
    summary = forms.CharField(
        max_length=text_limit(MeetingItem, "summary"),
        required=False,
        label="What was agreed (published)",
        help_text="Leave empty to use the public title.",
    )


class CarryOverForm(GovukForm, forms.Form):
    govuk_messages = {"problem": {"required": "Select the priority to carry over"}}

    problem = forms.ModelChoiceField(queryset=Problem.objects.none(), empty_label="Choose")
    progress_note = forms.CharField(
        max_length=text_limit(MeetingItem, "note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Added to the problem's updates.",
    )
    public_response = forms.CharField(
        max_length=text_limit(MeetingItem, "public_response"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="What we told residents (published)",
    )
    propose_public = forms.BooleanField(required=False, label="Propose the progress note for the public page")


class SignOffForm(GovukForm, forms.Form):
    govuk_messages = {
        "problem": {"required": "Select the priority to sign off"},
        "public_outcome": {"required": "Enter what was done, for the public"},
    }

    problem = forms.ModelChoiceField(queryset=Problem.objects.none(), empty_label="Choose")
    public_outcome = forms.CharField(
        max_length=text_limit(Assessment, "public_outcome"),
        widget=forms.Textarea(attrs={"rows": 2}),
        label="What was done (published)",
        help_text="No personal data.",
    )
    outcome = forms.ChoiceField(choices=[("", "Choose"), *Assessment.Outcome.choices], required=False)
    objective_met = forms.CharField(
        max_length=text_limit(Assessment, "objective_met"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Against the objective",
    )
    evidence = forms.CharField(
        max_length=text_limit(Assessment, "evidence"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class RaiseForm(GovukForm, forms.Form):
    govuk_messages = {"summary": {"required": "Enter what residents raised"}}

    summary = forms.CharField(
        max_length=text_limit(MeetingItem, "summary"),
        label="What residents raised (published)",
        help_text="No names or addresses.",
    )
    public_response = forms.CharField(
        max_length=text_limit(MeetingItem, "public_response"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="What we said or did (published)",
    )


class PriorityDecideForm(GovukForm, forms.Form):
    """The web editor's card for a PACT priority: the words as they will be published, and the decision."""

    govuk_messages = {
        "decision": {"required": "Select whether to publish the priority"},
        "public_title": {"required": "Enter the title for the public page"},
        "summary": {"required": "Enter what was agreed, as residents will read it"},
    }

    public_title = forms.CharField(
        max_length=200,
        label="Title for the public page",
        help_text="No names, addresses or anything else that could identify a person.",
    )
    summary = forms.CharField(
        max_length=text_limit(MeetingItem, "summary"),
        widget=forms.Textarea(attrs={"rows": 2}),
        label="What was agreed, for “You said, we did”",
    )
    public_title_cy = welsh_field("Title for the public page", max_length=200)
    summary_cy = welsh_field("What was agreed", max_length=text_limit(MeetingItem, "summary_cy"), rows=2)
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Do not publish")])

    @property
    def approving(self) -> bool | None:
        """The decision pressed (``None`` if none): the words need to be right only to publish them."""
        decision = self.cleaned_data.get("decision") if hasattr(self, "cleaned_data") else None
        return None if not decision else decision == "approve"


class PriorityRejectForm(GovukForm, forms.Form):
    """Why a PACT priority is not being published: the officer who recorded it reads this on the meeting record."""

    reason = forms.CharField(
        max_length=text_limit(MeetingItem, "reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why is this priority not being published?",
        help_text="The officer who recorded the meeting will see this next to the priority.",
        error_messages={"required": "Enter why the priority is not being published"},
    )


def priority_decide_form(item: MeetingItem, data: Any = None) -> PriorityDecideForm:
    problem = item.problem
    initial = {
        "public_title": problem.public_name if problem else "",
        "summary": item.summary,
        "public_title_cy": problem.public_title_cy if problem else "",
        "summary_cy": item.summary_cy,
    }
    form = PriorityDecideForm(data, prefix=f"priority-{item.pk}", initial=initial)
    drop_welsh_unless(form, bool(problem and problem.force.welsh_enabled))
    return form


DECISIONS: dict[str, tuple[type[forms.Form], Any, str]] = {
    "agree": (AgreeForm, meetings.meeting_agree_new_priority, "Priority agreed"),
    "adopt": (AdoptForm, meetings.meeting_adopt_existing, "Priority adopted"),
    "carry-over": (CarryOverForm, meetings.meeting_carry_over, "Priority carried over"),
    "sign-off": (SignOffForm, meetings.meeting_sign_off, "Priority signed off"),
    "raise": (RaiseForm, meetings.meeting_raise, "Recorded"),
}
DECISION_KIND = {"adopt": Kind.AGREED, "carry-over": Kind.CARRIED_OVER, "sign-off": Kind.SIGNED_OFF}


def _decision_form(name: str, meeting: Meeting, user: User, data: Any = None) -> forms.Form:
    form_class = DECISIONS[name][0]
    form = form_class(data, prefix=name)
    if "neighbourhood" in form.fields:
        form.fields["neighbourhood"].queryset = meeting.neighbourhoods.all()  # type: ignore[attr-defined]
    if name in DECISION_KIND:
        choices = meetings.meeting_problem_choices(user=user, meeting=meeting, kind=DECISION_KIND[name])
        form.fields["problem"].queryset = choices  # type: ignore[attr-defined]
    return form


# --- views ---------------------------------------------------------------------------------------


def _get_meeting(user: Any, pk: int) -> Meeting:
    try:
        return meetings.meeting_detail(user, pk)
    except Meeting.DoesNotExist as missing:
        raise Http404("No such meeting, or you cannot see it.") from missing


@login_required
def meeting_list(request: AuthedHttpRequest) -> HttpResponse:
    """Upcoming and recent meetings the user can see, and the neighbourhoods missing the monthly standard."""
    user = request.user
    now = timezone.now()
    visible = meetings.meetings_visible_to(user)
    ctx = {
        "upcoming": list(visible.filter(starts_at__gt=now).order_by("starts_at", "id")[:50]),
        "past": list(visible.filter(starts_at__lte=now).order_by("-starts_at", "-id")[:50]),
        "failing": list(meetings.neighbourhoods_failing_meeting_standard(user=user, now=now)[:100])
        if user.has_perm("jps.record_meeting")
        else [],
        "month_ago": meetings.month_before(now),
    }
    return render(request, "frontend/meetings/list.html", ctx)


@login_required
def meeting_create(request: AuthedHttpRequest) -> HttpResponse:
    """Record a meeting that took place (then agree its priorities), or schedule the next one."""
    user = request.user
    if not user.has_perm("jps.record_meeting"):
        raise PermissionDenied("Your role cannot record meetings.")
    form = MeetingForm(request.POST or None, user=user, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts, ends = form.moments()
        try:
            meeting = meetings.meeting_create(
                by=user,
                neighbourhoods=data["neighbourhoods"],
                agencies=data["agencies"],
                starts_at=starts,
                ends_at=ends,
                **_meeting_fields(data, user=user, starts=starts),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if meeting.status == Meeting.Status.HELD:
                messages.success(request, "Meeting recorded. Now record what was agreed.")
                return redirect(f"{meeting_url(meeting)}#decisions")
            messages.success(request, "Meeting scheduled.")
            return redirect("meeting", pk=meeting.pk)
    return render(request, "frontend/meetings/form.html", {"form": form, "meeting": None})


def _meeting_fields(data: dict[str, Any], *, user: User, starts: datetime.datetime) -> dict[str, Any]:
    fields = {name: data[name] for name in policy.MEETING_DETAIL_FIELDS}
    fields["chair_name"] = data["chair_name"].strip()
    fields["chair"] = None if fields["chair_name"] or starts > timezone.now() else user
    return fields


@login_required
def meeting_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = _get_meeting(user, pk)
    if not user.has_perm("jps.change_meeting", meeting):
        raise PermissionDenied("Only officers and supervisors of the meeting's district can change it.")
    local = timezone.localtime(meeting.starts_at)
    initial = {
        "neighbourhoods": list(meeting.neighbourhoods.all()),
        "agencies": list(meeting.agencies.all()),
        "date": local.date(),
        "starts": local.time(),
        "ends": timezone.localtime(meeting.ends_at).time() if meeting.ends_at else None,
        "chair_name": meeting.chair_name,
        "status": meeting.status,
        **{n: getattr(meeting, n) for n in policy.MEETING_DETAIL_FIELDS},
    }
    form = MeetingForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts, ends = form.moments()
        fields = _meeting_fields(data, user=user, starts=starts)
        if meeting.chair_id and not fields["chair_name"]:
            fields["chair"] = meeting.chair
        status = data.get("status") or meeting.status
        if status == Meeting.Status.SCHEDULED and starts <= timezone.now():
            status = Meeting.Status.HELD
        try:
            meetings.meeting_update(
                meeting=meeting,
                by=user,
                neighbourhoods=data["neighbourhoods"],
                agencies=data["agencies"],
                starts_at=starts,
                ends_at=ends,
                status=status,
                **fields,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Meeting updated.")
            return redirect("meeting", pk=meeting.pk)
    return render(request, "frontend/meetings/form.html", {"form": form, "meeting": meeting})


def meeting_url(meeting: Meeting) -> str:
    from django.urls import reverse

    return reverse("meeting", args=[meeting.pk])


def _items_by_kind(user: User, meeting: Meeting) -> list[tuple[str, list[meetings.ItemSeen]]]:
    """The items as ``user`` may see them (the API's selector), grouped under each kind's heading."""
    items = meetings.meeting_items_for(user, meeting)
    return [(label, [i for i in items if i.kind == kind]) for kind, label in Kind.choices]


def _record_context(user: User, meeting: Meeting, bound: dict[str, forms.Form] | None = None) -> dict[str, Any]:
    can_change = user.has_perm("jps.change_meeting", meeting)
    decide = can_change and meeting.status != Meeting.Status.CANCELLED and meeting.starts_at <= timezone.now()
    forms_ = {name: _decision_form(name, meeting, user) for name in DECISIONS} if decide else {}
    forms_.update(bound or {})
    return {
        "meeting": meeting,
        "items_by_kind": _items_by_kind(user, meeting),
        "internal_notes": meetings.meeting_notes_for(user, meeting),
        "can_change": can_change,
        "decide": decide,
        "forms": forms_,
        "open_form": next(iter(bound)) if bound else "",
        "has_errors": any(form.errors for form in (bound or {}).values()),
    }


@login_required
def meeting_page(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The meeting record: what was raised, agreed, carried over and signed off, and the forms to record it."""
    user = request.user
    meeting = _get_meeting(user, pk)
    return render(request, "frontend/meetings/record.html", _record_context(user, meeting))


@login_required
@require_POST
def meeting_decide(request: AuthedHttpRequest, pk: int, decision: str) -> HttpResponse:
    """One decision at the meeting, through its service; errors are shown next to the form that caused them."""
    user = request.user
    meeting = _get_meeting(user, pk)
    if decision not in DECISIONS:
        raise Http404("No such decision.")
    if not user.has_perm("jps.change_meeting", meeting):
        raise PermissionDenied("Only officers and supervisors of the meeting's district can record decisions.")
    form = _decision_form(decision, meeting, user, request.POST)
    if decision == "agree" and request.POST.get("edit"):  # back from the duplicate question, to change it
        form.is_valid()
        context = _record_context(user, _get_meeting(user, pk), {decision: form})
        return render(request, "frontend/meetings/record.html", context)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "") or k == "propose_public"}
        if decision == "agree" and request.POST.get("confirm_new"):
            data["confirm_new"] = True
        try:
            item = DECISIONS[decision][1](meeting=meeting, by=user, **data)
        except meetings.PossibleDuplicates as found:
            return _agree_duplicates(request, meeting, form, found.problems)
        except ValidationError as error:
            add_service_errors(form, error)
        except TransitionRefused as refused:
            form.add_error(None, refused.message)
        else:
            reference = f": {item.problem.reference}" if item.problem else ""
            messages.success(request, f"{DECISIONS[decision][2]}{reference}.")
            return redirect(f"{meeting_url(meeting)}#decisions")
    meeting = _get_meeting(user, pk)
    return render(
        request, "frontend/meetings/record.html", _record_context(user, meeting, {decision: form}), status=400
    )


def _agree_duplicates(
    request: AuthedHttpRequest, meeting: Meeting, form: forms.Form, suggestions: list[Problem]
) -> HttpResponse:
    """The duplicate question as its own step, before a new priority is logged (as on "Log a problem").

    Each open problem like it can be adopted as the priority instead, if the meeting may adopt it;
    "It's new" sends the priority again, confirmed; "Change the priority" goes back to the form.
    """
    adoptable = set(
        meetings.meeting_problem_choices(user=request.user, meeting=meeting, kind=Kind.AGREED)
        .filter(pk__in=[p.pk for p in suggestions])
        .values_list("pk", flat=True)
    )
    data = form.cleaned_data
    context = {
        "meeting": meeting,
        "form": form,
        "suggestions": [(problem, problem.pk in adoptable) for problem in suggestions],
        "summary": data.get("summary") or data.get("public_title") or data.get("title", ""),
    }
    return render(request, "frontend/meetings/agree_duplicates.html", context)


@login_required
@require_POST
def priority_decide(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The web editor publishes a PACT priority (with the words as edited) or not, as for a public update.

    "Do not publish" on the card leads to a confirmation page asking why; the decision is made
    from there, with the reason the officer then reads on the meeting record.
    """
    user = request.user
    try:
        item = meetings.priorities_awaiting_approval(user=user).get(pk=pk)
    except MeetingItem.DoesNotExist:
        raise Http404("No such priority awaiting approval.") from None
    if not user.has_perm("jps.approve_priority", item):
        raise PermissionDenied("Only the force's web editor publishes priorities.")
    form = priority_decide_form(item, request.POST)
    valid = form.is_valid()
    approve = form.approving
    if approve is None or (approve and not valid):
        return render(request, "frontend/meetings/priority_decide.html", {"item": item, "form": form}, status=400)
    reject_form = None
    if not approve:
        reject_form = PriorityRejectForm(request.POST if "confirm_reject" in request.POST else None)
        if not reject_form.is_valid():
            status = 400 if reject_form.is_bound else 200
            context = {"item": item, "form": reject_form}
            return render(request, "frontend/meetings/priority_reject.html", context, status=status)
    try:
        meetings.meeting_priority_decide(
            item=item,
            by=user,
            approve=approve,
            public_title=form.cleaned_data.get("public_title", ""),
            summary=form.cleaned_data.get("summary", ""),
            public_title_cy=form.cleaned_data.get("public_title_cy", ""),
            summary_cy=form.cleaned_data.get("summary_cy", ""),
            reason=reject_form.cleaned_data["reason"] if reject_form else "",
        )
    except ValidationError as error:
        add_service_errors(reject_form or form, error)
        template = "priority_reject.html" if reject_form else "priority_decide.html"
        context = {"item": item, "form": reject_form or form}
        return render(request, f"frontend/meetings/{template}", context, status=400)
    assert item.problem is not None
    verb = "approved and published" if approve else "not published"
    messages.success(request, f"Priority {item.problem.reference} {verb}.")
    return redirect("home")


@login_required
def meeting_minutes(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The printable minutes: the public record of the meeting. No internal notes, no residents' details.

    Items about a problem the user may not see are shown as such, without their title, as on the record page.
    """
    user = request.user
    meeting = _get_meeting(user, pk)
    ctx = {
        "meeting": meeting,
        "items_by_kind": _items_by_kind(user, meeting),
        "chair": str(meeting.chair) if meeting.chair_id else ("Community chair" if meeting.chair_name else ""),
    }
    return render(request, "frontend/meetings/minutes.html", ctx)


urlpatterns = [
    path("", meeting_list, name="meeting_list"),
    path("new/", meeting_create, name="meeting_create"),
    path("<int:pk>/", meeting_page, name="meeting"),
    path("<int:pk>/edit/", meeting_edit, name="meeting_edit"),
    path("<int:pk>/minutes/", meeting_minutes, name="meeting_minutes"),
    path("<int:pk>/<slug:decision>/", meeting_decide, name="meeting_decide"),
    path("priorities/<int:pk>/decide/", priority_decide, name="priority_decide"),
]
