"""The problem page and the forms on it: statement, analysis, actions, assessment, what the public
sees, updates, stage changes, closure and the supervisor's review."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jps import selectors, services
from jps.models import CLOSED_STAGES, Action, Problem, Stage
from jps.problems import workflow
from jps.services import TransitionRefused

from .. import forms as f
from ..http import AuthedHttpRequest
from ..people.panel import problem_people_panel
from .common import _is_htmx, form_act, problem_for

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


def _stage_panel(user: Any, problem: Problem) -> dict[str, Any]:
    """What the stage panel needs: the moves from here, and whether the user works or supervises."""
    return {
        "problem": problem,
        "options": workflow.transition_options(problem, user),
        "may_work": user.has_perm("jps.work_problem", problem),
        "may_supervise": user.has_perm("jps.supervise_problem", problem),
    }


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
        "resident_feedback": list(selectors.resident_feedback_on(problem=problem)),
    }
    from ..attachments import panel as attachment_panel  # frontend.attachments imports these views

    ctx.update(attachment_panel(request, problem))
    if ctx["may_view_contacts"]:
        ctx["contacts"] = selectors.contact_agreements_for(problem)
        ctx.update(problem_people_panel(request, problem))
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

    def act(data: dict[str, Any]) -> None:  # only what was changed, so an untouched field keeps its history quiet
        services.problem_public_set(problem=problem, by=request.user, **form.changes())

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
        return render(request, "frontend/includes/action_swap.html", {"row": row, **_stage_panel(user, action.problem)})
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
    elif (open_actions := _open_actions_to_confirm(request, problem, form.cleaned_data["to"])) is not None:
        context = {"problem": problem, "open_actions": open_actions, "reason": form.cleaned_data["reason"]}
        return render(request, "frontend/problem_close_confirm.html", context)
    else:
        try:
            services.problem_transition(
                problem=problem, to=form.cleaned_data["to"], by=request.user, reason=form.cleaned_data["reason"]
            )
        except TransitionRefused as refused:
            error = {"message": refused.message, "missing": refused.missing, "to": form.cleaned_data["to"]}
        else:
            messages.success(request, _moved(problem))
            return redirect("problem", pk=pk)
    return render(request, "frontend/problem.html", _problem_context(request, pk, transition_error=error))


def _open_actions_to_confirm(request: AuthedHttpRequest, problem: Problem, to: str) -> list[Action] | None:
    """Closing while actions are still open (a partner's work in progress) asks once more first.

    None when there is nothing to confirm: not a closure, no open action, already confirmed, or a
    closure the service will refuse anyway (which then says why).
    """
    if to != Stage.CLOSED or request.POST.get("confirm_open_actions"):
        return None
    options = workflow.transition_options(problem, request.user)
    if not any(o.transition.target == Stage.CLOSED and o.allowed for o in options):
        return None
    open_actions = list(problem.actions.filter(status__in=Action.OPEN_STATUSES).select_related("agency"))
    return open_actions or None


def _moved(problem: Problem) -> str:
    """'KNT-2026-00012 is now in analysis', but 'is now closed': a closed problem is in no stage."""
    stage = problem.get_stage_display().lower()
    return (
        f"{problem.reference} is now {stage}."
        if problem.stage in CLOSED_STAGES
        else f"{problem.reference} is now in {stage}."
    )


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
