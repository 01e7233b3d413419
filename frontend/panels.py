"""Staff pages for multi-agency case panels: the list, arranging a panel, and the panel itself — its
agenda built by JPS and the minutes each reader may see, with the forms for what they may do at the table.

Thin like the rest of the staff interface: forms validate, ``jps.services`` writes (and checks the
rules), ``jps.selectors`` reads (a panel out of sight is a 404; its items are the reader's cases only).
Mounted under ``/panels/`` by one ``include`` in ``frontend/urls.py``.
"""

from __future__ import annotations

import datetime
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
from jps.models import Action, Agency, District, Panel, PanelItem, Problem, User

from .forms import add_service_errors
from .govuk_forms import GovukDateField, GovukForm
from .http import AuthedHttpRequest

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")

# --- forms ---------------------------------------------------------------------------------------


class PanelForm(GovukForm, forms.Form):
    """Arrange a panel: the area, the kind, when and where, and the agencies at the table."""

    govuk_messages = {"starts": {"required": "Enter the time the panel starts, like 10:00"}}

    district = forms.ModelChoiceField(queryset=District.objects.none(), label="Community safety partnership area")
    kind = forms.ChoiceField(choices=Panel.Kind.choices, widget=forms.RadioSelect, label="Kind of panel")
    title = forms.CharField(max_length=200, required=False, label="Title", help_text="Leave blank for the usual one.")
    date = GovukDateField(label="Date")
    starts = forms.TimeField(widget=TIME_WIDGET, label="Start time")
    online = forms.BooleanField(required=False, label="Meets online")
    venue = forms.CharField(max_length=200, required=False, label="Venue")
    agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Agencies at the table",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = selectors.panel_districts_for(user)  # type: ignore[attr-defined]
        self.fields["agencies"].queryset = policy.agencies_of_force(user.force_id)  # type: ignore[attr-defined]


class DecisionForm(GovukForm, forms.Form):
    govuk_messages = {"decision": {"required": "Enter what the panel decided"}}

    decision = forms.CharField(widget=forms.Textarea, max_length=5000, label="What the panel decided")


class ActionForm(GovukForm, forms.Form):
    description = forms.CharField(widget=forms.Textarea, max_length=5000, label="Action")
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label="Agency responsible")
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Person responsible")
    due_on = GovukDateField(label="Due date")
    action_type = forms.ChoiceField(choices=Action.Type.choices, initial=Action.Type.PREVENTION, label="Kind")
    problem = forms.ModelChoiceField(queryset=Problem.objects.none(), required=False, label="Problem")


class ReviewHeldForm(GovukForm, forms.Form):
    govuk_messages = {"findings": {"required": "Enter what the case review found"}}

    findings = forms.CharField(widget=forms.Textarea, max_length=5000, label="What the case review found")


class RecommendForm(GovukForm, forms.Form):
    problem = forms.ModelChoiceField(queryset=Problem.objects.none(), label="Problem")
    text = forms.CharField(widget=forms.Textarea, max_length=5000, label="Recommendation")
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label="Agency responsible")
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Person responsible")
    due_on = GovukDateField(label="Due date")


#: What can be done about an item at the table: its form, its service, and whether it is a case review's.
STEPS: dict[str, tuple[type[forms.Form], Any, bool]] = {
    "decide": (DecisionForm, services.panel_decide, False),
    "action": (ActionForm, services.panel_action_take, False),
    "review": (ReviewHeldForm, services.panel_case_review_held, True),
    "recommend": (RecommendForm, services.panel_case_review_recommend, True),
}


def _form(step: str, item: PanelItem, data: Any = None) -> forms.Form:
    form = STEPS[step][0](data, prefix=f"item-{item.pk}-{step}")
    agencies = policy.agencies_of_force(item.panel.force_id)
    if "agency" in form.fields:
        form.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        form.fields["assignee"].queryset = User.objects.filter(agency__in=agencies, is_active=True)  # type: ignore[attr-defined]
    if "problem" in form.fields:
        if item.case_review_id is not None:
            assert item.case_review is not None
            form.fields["problem"].queryset = item.case_review.problems.all()  # type: ignore[attr-defined]
            form.fields["problem"].required = True
        else:
            del form.fields["problem"]
    return form


def _steps(user: User, item: PanelItem) -> dict[str, forms.Form]:
    """The forms for what ``user`` may do about ``item`` now."""
    panel = item.panel
    if panel.status == Panel.Status.CANCELLED or panel.starts_at > timezone.now():
        return {}
    if not user.has_perm("jps.minute_panel_item", item):
        return {}
    review = item.case_review
    offered = {"decide", "action"}
    if review is not None and user.has_perm("jps.work_case_review", review):
        offered |= {"review"} if review.state == review.State.THRESHOLD_MET else set()
        offered |= {"recommend"} if review.state == review.State.MEETING_HELD else set()
    if review is not None and not review.problems.exists():
        offered.discard("action")
    return {step: _form(step, item) for step in STEPS if step in offered}


# --- views ---------------------------------------------------------------------------------------


def _get(request: AuthedHttpRequest, pk: int) -> Panel:
    try:
        return selectors.panel_get_for(request.user, pk)
    except Panel.DoesNotExist:
        raise Http404("No such panel.") from None


@login_required
def panel_list(request: AuthedHttpRequest) -> HttpResponse:
    panels = selectors.panels_visible_to(request.user)[:100]
    return render(request, "frontend/panels/list.html", {"panels": panels})


@login_required
def panel_new(request: AuthedHttpRequest) -> HttpResponse:
    if not request.user.has_perm("jps.record_panel"):
        raise PermissionDenied("Panels are arranged by the area's police and its community-safety lead.")
    form = PanelForm(request.POST or None, user=request.user, initial={"kind": Panel.Kind.ASB_RISK})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts = timezone.make_aware(datetime.datetime.combine(data["date"], data["starts"]))
        try:
            panel = services.panel_create(
                by=request.user, district=data["district"], kind=data["kind"], title=data["title"], starts_at=starts,
                online=data["online"], venue=data["venue"], agencies=data["agencies"], chair=request.user,
            )  # fmt: skip
            services.panel_agenda_build(panel=panel, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{panel.title} arranged; JPS has built its agenda.")
            return redirect("panel", pk=panel.pk)
    return render(request, "frontend/panels/form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def panel_page(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    panel = _get(request, pk)
    return _page(request, panel, {})


def _page(request: AuthedHttpRequest, panel: Panel, posted: dict[tuple[int, str], forms.Form]) -> HttpResponse:
    minutes = selectors.panel_minutes(request.user, panel)
    rows = []
    for item in minutes.items:
        steps = _steps(request.user, item)
        steps.update({step: form for (pk, step), form in posted.items() if pk == item.pk})
        rows.append((item, steps))
    context = {
        "panel": panel, "rows": rows, "others": minutes.others,
        "can_change": request.user.has_perm("jps.change_panel", panel),
    }  # fmt: skip
    return render(request, "frontend/panels/panel.html", context, status=400 if posted else 200)


@login_required
@require_POST
def panel_build(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    panel = _get(request, pk)
    try:
        added = services.panel_agenda_build(panel=panel, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Agenda built: {len(added)} new item{'s' if len(added) != 1 else ''}.")
    return redirect("panel", pk=panel.pk)


@login_required
@require_POST
def panel_item_step(request: AuthedHttpRequest, pk: int, item_pk: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404("No such step.")
    panel = _get(request, pk)
    items = {i.pk: i for i in selectors.panel_minutes(request.user, panel).items}
    item = items.get(item_pk)
    if item is None or (STEPS[step][2] and item.case_review is None):
        raise Http404("No such item.")
    form = _form(step, item, request.POST)
    if form.is_valid():
        try:
            STEPS[step][1](item=item, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("panel", pk=panel.pk)
    return _page(request, panel, {(item.pk, step): form})


urlpatterns = [
    path("", panel_list, name="panel_list"),
    path("new/", panel_new, name="panel_new"),
    path("<int:pk>/", panel_page, name="panel"),
    path("<int:pk>/agenda/", panel_build, name="panel_build"),
    path("<int:pk>/items/<int:item_pk>/<slug:step>/", panel_item_step, name="panel_item_step"),
]
