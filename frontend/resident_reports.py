"""Triage of residents' reports by the neighbourhood's team (issue 20): the report, its photos, three decisions.

A report outside the user's team is a 404 (never telling "exists" from "hidden"), its photos too: they
are streamed from storage through this view only, never from a public URL. The queue itself is on
"My work" (``frontend.views.home``). Each decision is one service call (``jps.services``).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from jps import selectors, services
from jps.models import Problem, ProblemView, ResidentReport

from .forms import add_service_errors
from .govuk_forms import GovukForm
from .http import AuthedHttpRequest

T = "frontend/residents/"


class AcceptForm(GovukForm, forms.Form):
    govuk_messages = {"title": {"required": "Enter a title for the new problem"}}

    title = forms.CharField(
        label="Title of the new problem",
        max_length=200,
        help_text="Name the behaviour, the place and the time, e.g. “Youths gathering outside the off-licence "
        "on Station Road in the early evening”.",
    )


class AttachForm(GovukForm, forms.Form):
    problem = forms.ModelChoiceField(queryset=Problem.objects.none(), label="Problem it is a further report of")

    def __init__(self, *args: object, report: ResidentReport, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["problem"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            selectors.problems_visible_to(user)
            .open()
            .filter(district_id=report.neighbourhood.district_id)
            .order_by("-created_at")
        )
        field.label_from_instance = lambda p: f"{p.reference}: {p.title}"  # type: ignore[method-assign, assignment]


class DeclineForm(GovukForm, forms.Form):
    govuk_messages = {"reason": {"required": "Enter the reason the resident will receive"}}

    reason = forms.CharField(
        label="Reason the resident will receive",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="It is emailed to them as you write it: no names, nothing internal. Say where else they can go.",
    )


def _report(request: AuthedHttpRequest, pk: int) -> ResidentReport:
    try:
        return selectors.resident_reports_visible_to(request.user).get(pk=pk)
    except ResidentReport.DoesNotExist as missing:
        raise Http404("No such report, or it is not your team's.") from missing


def _page(request: AuthedHttpRequest, report: ResidentReport, status: int = 200, **forms_: forms.Form) -> HttpResponse:
    services.resident_report_views_record(
        user=request.user,
        reports=[report],
        channel=ProblemView.Channel.WEB,
        request_id=getattr(request, "request_id", ""),
    )
    context = {
        "report": report,
        "accept_form": forms_.get("accept") or AcceptForm(initial={"title": report.description[:80]}),
        "attach_form": forms_.get("attach") or AttachForm(report=report, user=request.user),
        "decline_form": forms_.get("decline") or DeclineForm(),
        "may_triage": request.user.has_perm("jps.triage_resident_report", report),
    }
    return render(request, T + "report.html", context, status=status)


@login_required
def report_page(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _page(request, _report(request, pk))


@login_required
def photo(request: AuthedHttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """A photo of a report the user's team holds, from storage (private: no URL of its own)."""
    stored = get_object_or_404(_report(request, pk).photos.all(), pk=photo_pk)
    response = FileResponse(stored.file.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def decide(request: AuthedHttpRequest, pk: int, decision: str) -> HttpResponse:
    report = _report(request, pk)
    form: forms.Form
    try:
        if decision == "accept":
            form = AcceptForm(request.POST)
            if form.is_valid():
                problem = services.resident_report_accept(
                    report=report, by=request.user, title=form.cleaned_data["title"]
                )
                messages.success(request, f"Report {report.reference} accepted as {problem.reference}.")
                return redirect("problem", pk=problem.pk)
        elif decision == "attach":
            form = AttachForm(request.POST, report=report, user=request.user)
            if form.is_valid():
                services.resident_report_attach(report=report, by=request.user, problem=form.cleaned_data["problem"])
                messages.success(
                    request, f"Report {report.reference} attached to {form.cleaned_data['problem'].reference}."
                )
                return redirect("problem", pk=form.cleaned_data["problem"].pk)
        elif decision == "decline":
            form = DeclineForm(request.POST)
            if form.is_valid():
                services.resident_report_decline(report=report, by=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, f"Report {report.reference} declined; the resident will be told why.")
                return redirect("home")
        else:
            raise Http404("No such decision.")
    except ValidationError as error:
        add_service_errors(form, error)
    return _page(request, report, 400, **{decision: form})


urlpatterns = [
    path("<int:pk>/", report_page, name="resident_report_triage"),
    path("<int:pk>/photos/<int:photo_pk>/", photo, name="resident_report_photo"),
    path("<int:pk>/<str:decision>/", decide, name="resident_report_decide"),
]
