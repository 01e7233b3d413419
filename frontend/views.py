"""The staff interface's views: thin. Forms validate, ``jps.services`` write, ``jps.selectors`` read.

Every problem is fetched through the user's scope, so one they may not see is a 404;
a refused permission raised by a service becomes the 403 page; a refused transition
or a ValidationError is shown next to the form that caused it, with what was typed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from itertools import islice
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LogoutView
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jps import selectors, services
from jps.casework import field
from jps.models import Action, Neighbourhood, Problem, ProblemView, ProgressUpdate, Stage, User
from jps.problems import workflow
from jps.services import TransitionRefused

from . import forms as f
from .http import AuthedHttpRequest

HOME_LIMIT = 25


def problem_for(
    request: AuthedHttpRequest, pk: int, *, perm: str = "", refused: str = "", log: bool = False, detail: bool = False
) -> Problem:
    """The problem ``pk`` as a page of the staff interface may use it: the one preamble of such views.

    A problem outside the user's scope is a 404 (never telling "exists" from "hidden"); one they may
    see but not ``perm`` is a 403 with ``refused``; with ``log`` the view goes into the access log
    (pages that show the record, not posts that change it). ``detail`` loads all the problem page shows.
    """
    fetch = selectors.problem_detail if detail else selectors.problem_get_for
    try:
        problem = fetch(request.user, pk)
    except Problem.DoesNotExist as missing:
        raise Http404("No such problem, or you cannot see it.") from missing
    if perm and not request.user.has_perm(perm, problem):
        raise PermissionDenied(refused)
    if log:
        log_problem_view(request, problem)
    return problem


def log_problem_view(request: AuthedHttpRequest, problem: Problem) -> None:
    """A page that shows one problem goes into the access log."""
    services.problem_view_record(
        user=request.user,
        problem=problem,
        channel=ProblemView.Channel.WEB,
        request_id=getattr(request, "request_id", ""),
    )


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- my work --------------------------------------------------------------------------------


@login_required
def home(request: AuthedHttpRequest) -> HttpResponse:
    """'My work': what this person should do next, by role."""
    user = request.user
    role = user.role
    Role = User.Role
    sections = ["owned", "actions_due", "reviews_due", "review_queue", "signoff", "agency_actions", "taking_part"]
    sections += ["to_evaluate", "pending_updates", "learning_needs", "open_problems"]
    ctx: dict[str, Any] = dict.fromkeys(sections) | {"role": role}
    if role in (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN) or user.is_administrator:
        ctx["owned"] = list(selectors.problems_owned_by(user=user)[:HOME_LIMIT])
        ctx["actions_due"] = list(selectors.actions_due_for_owner(user=user)[:HOME_LIMIT])
        ctx["reviews_due"] = list(selectors.reviews_due(user=user).filter(owner=user)[:HOME_LIMIT])
    if role == Role.SUPERVISOR or user.is_administrator:
        ctx["review_queue"] = list(selectors.reviews_overdue(user=user)[:HOME_LIMIT])
        ctx["signoff"] = list(selectors.closures_awaiting_signoff(user=user)[:HOME_LIMIT])
    if role == Role.PARTNER:
        ctx["agency_actions"] = list(selectors.actions_open_for_agency(user=user)[:HOME_LIMIT])
        ctx["taking_part"] = list(selectors.problems_taking_part(user=user)[:HOME_LIMIT])
    if role == Role.ANALYST or user.is_administrator:
        ctx["to_evaluate"] = list(selectors.evaluations_waiting(user=user)[:HOME_LIMIT])
    if role == Role.WEB_EDITOR or user.is_administrator:
        pending = list(selectors.updates_awaiting_approval(user=user)[:HOME_LIMIT])
        ctx["pending_updates"] = [
            (u, f.UpdateDecideForm(prefix=f"update-{u.pk}", initial={"public_text": u.text})) for u in pending
        ]
    if role == Role.TRAINING or user.is_administrator:
        ctx["learning_needs"] = list(selectors.learning_needs_visible_to(user)[:HOME_LIMIT])
    if role == Role.CALL_HANDLER:
        ctx["open_problems"] = list(selectors.problems_visible_to(user).open().order_by("neighbourhood__name")[:50])
    ctx["reminders"] = list(selectors.reminders_for(user)[:HOME_LIMIT])
    ctx["today"] = timezone.localdate()
    return render(request, "frontend/home.html", ctx)


@login_required
@require_POST
def update_decide(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A web editor approves (with the published wording) or rejects a proposed public update."""
    update = get_object_or_404(selectors.updates_awaiting_approval(user=request.user), pk=pk)
    form = f.UpdateDecideForm(request.POST, prefix=f"update-{pk}")
    if form.is_valid():
        try:
            services.update_decide(
                update=update,
                by=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                public_text=form.cleaned_data["public_text"],
            )
        except ValidationError as error:
            f.add_service_errors(form, error)
        else:
            verb = "approved" if update.status == ProgressUpdate.Status.APPROVED else "rejected"
            messages.success(request, f"Update on {update.problem.reference} {verb}.")
            return redirect("home")
    return render(request, "frontend/update_decide.html", {"update": update, "form": form})


# --- logging a problem --------------------------------------------------------------------------


@login_required
def problem_create(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm("jps.log_problem"):
        raise PermissionDenied("Your role cannot log problems.")
    form = f.LogProblemForm(request.POST or None, user=user)
    suggestions: list[Problem] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        extra = {k: data[k] for k in ("location", "latitude", "longitude") if data.get(k) not in (None, "")}
        if request.POST.get("attach_to"):
            return _attach_report(request, user, form)
        resent = field.problem_for_key(by=user, client_key=data.get("client_key"))
        if not request.POST.get("confirm_new") and resent is None:
            suggestions = _duplicates_for(user, data)
            if suggestions:
                return render(request, "frontend/problem_create.html", {"form": form, "suggestions": suggestions})
        try:
            problem, created = field.problem_create_once(
                by=user,
                client_key=data.get("client_key"),
                create=lambda: services.problem_create(
                    by=user,
                    neighbourhood=data["neighbourhood"],
                    category=data["category"],
                    source=data["source"],
                    originator=data["originator"],
                    title=data["title"],
                    description=data["description"],
                    **extra,
                ),
            )
        except ValidationError as error:
            f.add_service_errors(form, error)
        else:
            verb = "logged" if created else "already logged"
            messages.success(request, f"Problem {verb}: {problem.reference}.")
            return redirect("problem", pk=problem.pk)
    return render(request, "frontend/problem_create.html", {"form": form})


def _duplicates_for(user: User, data: dict[str, Any]) -> list[Problem]:
    return selectors.problems_possibly_duplicate(
        user,
        category=data.get("category"),
        neighbourhood=data.get("neighbourhood"),
        text=f"{data.get('title', '')} {data.get('description', '')} {data.get('location', '')}",
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
    )


def _attach_report(request: AuthedHttpRequest, user: User, form: f.LogProblemForm) -> HttpResponse:
    """The user chose an existing problem: their report becomes another report on it."""
    data = form.cleaned_data
    try:
        problem = selectors.problem_get_for(user, request.POST["attach_to"])
        report = field.problem_report_attach(
            problem=problem,
            by=user,
            source=data["source"],
            originator=data["originator"],
            text=f"{data['title']}\n\n{data['description']}",
            location=data.get("location") or "",
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
        )
    except (Problem.DoesNotExist, ValueError):
        raise Http404("No such problem.") from None
    except ValidationError as error:
        f.add_service_errors(form, error)
        return render(request, "frontend/problem_create.html", {"form": form})
    messages.success(request, f"Your report was added to {report.problem.reference}.")
    return redirect("problem", pk=problem.pk)


@login_required
def problem_duplicates(request: AuthedHttpRequest) -> HttpResponse:
    """The htmx partial under the log form: open problems that are probably the same one."""
    user = request.user
    form = f.LogProblemForm(request.GET, user=user)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    suggestions = _duplicates_for(user, data) if data.get("category") and data.get("neighbourhood") else []
    return render(request, "frontend/_duplicates.html", {"suggestions": suggestions, "partial": True})


@login_required
def neighbourhood_here(request: AuthedHttpRequest) -> JsonResponse:
    """The neighbourhood containing the phone's position, proposed on the log form."""
    try:
        latitude = float(request.GET["latitude"])
        longitude = float(request.GET["longitude"])
    except (KeyError, ValueError):
        return JsonResponse({"error": "Give latitude and longitude as numbers."}, status=400)
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return JsonResponse({"error": "Latitude or longitude out of range."}, status=400)
    place = selectors.neighbourhood_at(user=request.user, latitude=latitude, longitude=longitude)
    return JsonResponse({"id": place.pk, "name": str(place)} if place else {"id": None, "name": ""})


# --- the problem page ---------------------------------------------------------------------------


def _action_rows(user: Any, problem: Problem, bound: dict[int, forms.Form] | None = None) -> list[dict[str, Any]]:
    """Each action with its update form if the user may update it.

    The permission depends on the action's agency (and the problem, the same for all), so it is
    asked once per agency rather than once per action: the query count stays flat as actions grow.
    """
    may_by_agency: dict[int, bool] = {}
    rows = []
    for action in problem.actions.all():
        if action.agency_id not in may_by_agency:
            may_by_agency[action.agency_id] = user.has_perm("jps.update_action", action)
        form = None
        if may_by_agency[action.agency_id]:
            form = (bound or {}).get(action.pk) or f.ActionUpdateForm(
                prefix=f"action-{action.pk}",
                initial={"status": action.status, "result": action.result, "due_on": action.due_on},
            )
        rows.append({"action": action, "form": form})
    return rows


def _problem_context(request: AuthedHttpRequest, pk: int, **bound: Any) -> dict[str, Any]:
    user = request.user
    problem = problem_for(request, pk, log=True, detail=True)
    may_work = user.has_perm("jps.work_problem", problem)
    may_supervise = user.has_perm("jps.supervise_problem", problem)
    stage_index = workflow.progress_step(problem.stage)
    analysis = getattr(problem, "analysis", None)
    assessment = getattr(problem, "assessment", None)
    ctx: dict[str, Any] = {
        "problem": problem,
        "sara": [
            {"label": s.label, "state": "done" if i < stage_index else "current" if i == stage_index else ""}
            for i, s in enumerate(workflow.PROGRESS)
        ],
        "may_work": may_work,
        "may_supervise": may_supervise,
        "may_add_update": user.has_perm("jps.add_update", problem),
        "may_view_contacts": user.has_perm("jps.view_contacts", problem),
        "options": workflow.transition_options(problem, user),
        "history": selectors.problem_history(problem, limit=50),
        "actions": _action_rows(user, problem, bound.pop("action_forms", None)),
        "today": timezone.localdate(),
        "transition_error": bound.pop("transition_error", None),
    }
    if ctx["may_view_contacts"]:
        ctx["contacts"] = list(problem.contacts.all())
    if may_work:
        ctx["scanning_form"] = bound.pop("scanning_form", None) or f.ScanningForm(
            prefix="scanning",
            initial={
                "problem_statement": problem.problem_statement,
                "classification": problem.classification,
                "risk": problem.risk,
            },
        )
        ctx["analysis_form"] = bound.pop("analysis_form", None) or f.AnalysisForm(prefix="analysis", instance=analysis)
        ctx["action_form"] = bound.pop("action_form", None) or f.ActionAddForm(prefix="new-action", problem=problem)
        if problem.stage in (Stage.RESPONSE, Stage.ASSESSMENT):
            ctx["assessment_form"] = bound.pop("assessment_form", None) or f.AssessmentForm(
                prefix="assessment", instance=assessment, user=user, problem=problem
            )
    if user.has_perm("jps.publish_problem", problem):
        ctx["public_form"] = bound.pop("public_form", None) or f.PublicForm.for_problem(problem)
    if ctx["may_add_update"]:
        ctx["update_form"] = bound.pop("update_form", None) or f.UpdateAddForm(prefix="update")
    ctx.update(bound)
    return ctx


@login_required
def problem_page(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return render(request, "frontend/problem.html", _problem_context(request, pk))


def _problem_form_post(
    request: AuthedHttpRequest, pk: int, name: str, build: Any, act: Any, done: str, anchor: str
) -> HttpResponse:
    """The shared shape of a problem-page form: validate, call the service, show errors in place."""
    problem = problem_for(request, pk)
    form = build(problem)
    if form_act(request, form, lambda data: act(problem, data), done):
        return redirect(reverse("problem", args=[pk]) + f"#{anchor}")
    return render(request, "frontend/problem.html", _problem_context(request, pk, **{name: form}))


def form_act(request: AuthedHttpRequest, form: Any, act: Any, done: str) -> bool:
    """Validate ``form`` and call the service ``act`` with its data; refusals land on the form.

    True when the service succeeded (the confirmation ``done`` is queued for the next page).
    """
    if not form.is_valid():
        return False
    try:
        act(form.cleaned_data)
    except ValidationError as error:
        f.add_service_errors(form, error)
    except TransitionRefused as refused:
        form.add_error(None, refused.message)
    else:
        messages.success(request, done)
        return True
    return False


@login_required
@require_POST
def problem_scanning(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _problem_form_post(
        request,
        pk,
        "scanning_form",
        lambda p: f.ScanningForm(request.POST, prefix="scanning"),
        lambda p, d: services.problem_update(problem=p, by=request.user, **d),
        "Problem statement saved.",
        "scanning",
    )


@login_required
@require_POST
def problem_analysis(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _problem_form_post(
        request,
        pk,
        "analysis_form",
        lambda p: f.AnalysisForm(request.POST, prefix="analysis"),
        lambda p, d: services.analysis_save(problem=p, by=request.user, **d),
        "Analysis saved.",
        "analysis",
    )


@login_required
@require_POST
def problem_assessment(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _problem_form_post(
        request,
        pk,
        "assessment_form",
        lambda p: f.AssessmentForm(request.POST, prefix="assessment", user=request.user, problem=p),
        lambda p, d: services.assessment_save(problem=p, by=request.user, **d),
        "Assessment saved.",
        "assessment",
    )


@login_required
@require_POST
def problem_public(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A supervisor or web editor sets what residents read: adoption, title, outcome, or withdrawal."""
    problem = problem_for(request, pk)
    form = f.PublicForm.for_problem(problem, request.POST)
    done = "What the public sees is saved; the public pages are being updated."
    act = lambda data: services.problem_public_set(problem=problem, by=request.user, **form.changes())  # noqa: E731
    if form_act(request, form, act, done):
        return redirect(reverse("problem", args=[pk]) + "#public")
    return render(request, "frontend/problem.html", _problem_context(request, pk, public_form=form))


@login_required
@require_POST
def action_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _problem_form_post(
        request,
        pk,
        "action_form",
        lambda p: f.ActionAddForm(request.POST, prefix="new-action", problem=p),
        lambda p, d: services.action_add(problem=p, by=request.user, **d),
        "Action added to the plan.",
        "actions",
    )


@login_required
@require_POST
def update_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _problem_form_post(
        request,
        pk,
        "update_form",
        lambda p: f.UpdateAddForm(request.POST, prefix="update"),
        lambda p, d: services.update_add(problem=p, by=request.user, **d),
        "Update added.",
        "updates",
    )


@login_required
@require_POST
def action_update(request: AuthedHttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """Update one action inline; with htmx only the action's block is swapped."""
    user = request.user
    try:
        action = selectors.scoped_get(selectors.actions_visible_to(user), user=user, pk=action_pk, problem_id=pk)
    except Action.DoesNotExist:
        raise Http404("No such action, or you cannot see it.") from None
    form = f.ActionUpdateForm(request.POST, prefix=f"action-{action.pk}")
    saved = False
    if form.is_valid():
        try:
            services.action_update(action=action, by=user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            f.add_service_errors(form, error)
            action.refresh_from_db()
        else:
            saved = True
    if _is_htmx(request):
        action = selectors.actions_visible_to(user).get(pk=action.pk)
        if saved:
            form = f.ActionUpdateForm(
                prefix=f"action-{action.pk}",
                initial={"status": action.status, "result": action.result, "due_on": action.due_on},
            )
        row = {"action": action, "form": form, "saved": saved}
        return render(request, "frontend/includes/action.html", {"row": row, "problem": action.problem})
    if saved:
        messages.success(request, "Action updated.")
        return redirect(reverse("problem", args=[pk]) + f"#action-{action.pk}")
    return render(request, "frontend/problem.html", _problem_context(request, pk, action_forms={action.pk: form}))


@login_required
@require_POST
def problem_transition(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    problem = problem_for(request, pk)
    form = f.TransitionForm(request.POST)
    error = None
    if not form.is_valid():
        error = {"message": "Choose a stage to move to.", "missing": []}
    else:
        try:
            services.problem_transition(
                problem=problem, to=form.cleaned_data["to"], by=request.user, reason=form.cleaned_data["reason"]
            )
        except TransitionRefused as refused:
            error = {"message": refused.message, "missing": refused.missing, "to": form.cleaned_data["to"]}
        else:
            messages.success(request, f"{problem.reference} is now in {problem.get_stage_display().lower()}.")
            return redirect("problem", pk=pk)
    return render(request, "frontend/problem.html", _problem_context(request, pk, transition_error=error))


@login_required
@require_POST
def closure_request(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    problem = problem_for(request, pk)
    try:
        services.problem_request_closure(problem=problem, by=request.user)  # type: ignore[arg-type]
    except TransitionRefused as refused:
        error = {"message": refused.message, "missing": refused.missing}
        return render(request, "frontend/problem.html", _problem_context(request, pk, transition_error=error))
    messages.success(request, "Closure requested: the problem is in the supervisor's sign-off queue.")
    return redirect("problem", pk=pk)


@login_required
def problem_review(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The supervisor's review form; the decision is carried out with the review, or neither is."""
    problem = problem_for(
        request, pk, perm="jps.supervise_problem", refused="Only a supervisor of this district can review this problem."
    )
    form = f.ReviewForm(request.POST or None, problem=problem, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.review_record(
                problem=problem,
                by=request.user,
                comment=data["comment"],
                decision=data["decision"],
                new_owner=data["new_owner"],
                to_stage=data["to_stage"],
            )
        except ValidationError as error:
            f.add_service_errors(form, error)
        except TransitionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, f"Review of {problem.reference} recorded.")
            return redirect("problem", pk=pk)
    return render(request, "frontend/review.html", {"problem": problem, "form": form, "today": timezone.localdate()})


# --- the problem list --------------------------------------------------------------------------

SORTS = {
    "reference": "reference",
    "title": "title",
    "stage": "stage",
    "neighbourhood": "neighbourhood__name",
    "category": "category__name",
    "owner": "owner__last_name",
    "review": "next_review_due",
    "created": "created_at",
}


def _filtered(request: AuthedHttpRequest) -> tuple[f.ProblemFilter, QuerySet[Problem], str]:
    user = request.user
    filterset = f.ProblemFilter(request.GET or None, queryset=selectors.problems_visible_to(user), user=user)
    sort = request.GET.get("sort", "-created")
    key = SORTS.get(sort.lstrip("-"))
    if key is None:
        sort, key = "-created", "created_at"
    order = f"-{key}" if sort.startswith("-") else key
    return filterset, filterset.qs.order_by(order, "-id"), sort


@login_required
def problem_list(request: AuthedHttpRequest) -> HttpResponse:
    filterset, queryset, sort = _filtered(request)
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("sort", None)
    columns = []
    for name, label in [
        ("reference", "Reference"),
        ("title", "Title"),
        ("stage", "Stage"),
        ("neighbourhood", "Neighbourhood"),
        ("category", "Category"),
        ("owner", "Owner"),
        ("review", "Next review"),
    ]:
        current = sort.lstrip("-") == name
        descending = sort.startswith("-")
        next_sort = f"-{name}" if current and not descending else name
        aria = ("descending" if descending else "ascending") if current else "none"
        columns.append({"label": label, "sort": next_sort, "aria": aria})
    ctx = {
        "filter": filterset,
        "page": page,
        "columns": columns,
        "sort": sort,
        "query": params.urlencode(),
        "today": timezone.localdate(),
    }
    return render(request, "frontend/problem_list.html", ctx)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    """Text for a CSV cell; formulas are neutralised so a spreadsheet never runs a title."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


CSV_COLUMNS = [
    "reference",
    "title",
    "stage",
    "neighbourhood",
    "district",
    "category",
    "owner",
    "lead agency",
    "source",
    "originator",
    "risk",
    "public priority",
    "next review due",
    "days overdue",
    "logged",
]


#: Problems per access-log INSERT while a CSV streams (and per database fetch).
CSV_LOG_CHUNK = 500


def _logged_in_chunks(request: AuthedHttpRequest, problems: Iterator[Problem]) -> Iterator[Problem]:
    """The problems, each chunk written to the access log (one INSERT) before its rows go out.

    The CSV carries originators, so every row is a read of personal data; logging as it streams
    keeps memory flat on a national export, and a download cut short has logged what was sent.
    """
    while chunk := list(islice(problems, CSV_LOG_CHUNK)):
        services.problem_views_record(
            user=request.user,
            problem_ids=[p.pk for p in chunk],
            channel=ProblemView.Channel.CSV,
            request_id=getattr(request, "request_id", ""),
        )
        yield from chunk


@login_required
def problem_csv(request: AuthedHttpRequest) -> StreamingHttpResponse:
    """The filtered list as CSV, streamed row by row from the user's scope; every row is in the access log."""
    _, queryset, _ = _filtered(request)
    today = timezone.localdate()

    def rows() -> Iterator[list[str]]:
        yield CSV_COLUMNS
        for p in _logged_in_chunks(request, queryset.iterator(chunk_size=CSV_LOG_CHUNK)):
            yield [
                _cell(v)
                for v in (
                    p.reference,
                    p.title,
                    p.get_stage_display(),
                    p.neighbourhood.display_name,
                    p.district.name,
                    p.category.name,
                    p.owner,
                    p.lead_agency.name,
                    p.get_source_display(),
                    p.originator,
                    p.get_risk_display(),
                    "yes" if p.public_priority else "no",
                    p.next_review_due.isoformat() if p.next_review_due else "",
                    p.days_overdue(today),
                    timezone.localtime(p.created_at).strftime("%Y-%m-%d %H:%M"),
                )
            ]

    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in rows()), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="problems-{today.isoformat()}.csv"'
    return response


# --- neighbourhoods ----------------------------------------------------------------------------


@login_required
def neighbourhood_list(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    queryset = Neighbourhood.objects.select_related("district").order_by("district__name", "name")
    if not user.is_administrator:
        queryset = queryset.filter(Q(district__force_id=user.force_id))
    return render(request, "frontend/neighbourhood_list.html", {"neighbourhoods": queryset})


@login_required
def neighbourhood_page(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A neighbourhood's open problems on a map and in a list; the list is the page, the map a bonus."""
    neighbourhood = get_object_or_404(Neighbourhood.objects.select_related("district"), pk=pk)
    problems = list(selectors.neighbourhood_open_problems(user=request.user, neighbourhood=neighbourhood))
    points = [
        {
            "reference": p.reference,
            "title": p.title,
            "url": reverse("problem", args=[p.pk]),
            "lat": float(p.latitude),
            "lng": float(p.longitude),
        }
        for p in problems
        if p.latitude is not None and p.longitude is not None
    ]
    centre = None
    if neighbourhood.latitude is not None and neighbourhood.longitude is not None:
        centre = {"lat": float(neighbourhood.latitude), "lng": float(neighbourhood.longitude)}
    ctx = {
        "neighbourhood": neighbourhood,
        "problems": problems,
        "map": {"points": points, "centre": centre},
        "tiles_url": settings.JPS_MAP_TILES_URL,
        "today": timezone.localdate(),
    }
    return render(request, "frontend/neighbourhood.html", ctx)


class SignOutView(LogoutView):
    """Sign out, and tell the browser to drop cached pages (the installable app's offline copies of
    'My work' and the log form), so the next person on a shared phone sees none of them. Offline
    drafts not yet sent live in local storage, which ``"cache"`` leaves alone."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache"'
        return response
