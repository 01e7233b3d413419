"""The casework page of a problem: bring in partner agencies, hand over, agree contact, merge a duplicate.

One GET page shows the forms the user may use; each form posts to its own URL, which calls
the service and comes back to the page with the errors in place or a confirmation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jps import services
from jps.casework.field import problem_merge
from jps.models import Problem

from . import forms as f
from .contacts import ContactAgreeForm
from .http import AuthedHttpRequest
from .views import form_act, problem_for

FormBuilder = Callable[[AuthedHttpRequest, Problem, Any], forms.BaseForm]


def _builders() -> dict[str, tuple[str, FormBuilder]]:
    """Each form of the page: the permission it needs and how to build it (bound to ``data`` or not)."""
    return {
        "partner_form": ("jps.work_problem", lambda r, p, d: f.PartnerAddForm(d, problem=p, prefix="partner")),
        "handover_form": ("jps.work_problem", lambda r, p, d: f.ProblemHandOverForm(d, problem=p, prefix="handover")),
        "action_form": (
            "",
            lambda r, p, d: f.ActionHandOverForm(d, problem=p, user=r.user, prefix="action"),
        ),
        "contact_form": ("jps.view_contacts", lambda r, p, d: ContactAgreeForm(d, problem=p, prefix="contact")),
        "merge_form": ("jps.merge_problems", lambda r, p, d: f.MergeForm(d, user=r.user, prefix="merge")),
    }


def _page(request: AuthedHttpRequest, problem: Problem, **bound: forms.BaseForm) -> HttpResponse:
    ctx: dict[str, Any] = {"problem": problem}
    for name, (perm, build) in _builders().items():
        if not perm or request.user.has_perm(perm, problem):
            ctx[name] = bound.get(name) or build(request, problem, None)
    action_form = ctx.get("action_form")
    if action_form is not None and not action_form.fields["action"].queryset.exists():
        del ctx["action_form"]
    contact_form = ctx.get("contact_form")
    if contact_form is not None and not contact_form.is_bound and contact_form.nobody_to_agree_with:
        ctx["contact_form"], ctx["nobody_to_agree_with"] = None, True
    return render(request, "frontend/casework.html", ctx)


@login_required
def casework(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _page(request, problem_for(request, pk))


def _post(
    request: AuthedHttpRequest, pk: int, name: str, act: Callable[[Problem, dict[str, Any]], Any], done: str
) -> HttpResponse:
    problem = problem_for(request, pk)
    _perm, build = _builders()[name]  # the service checks the permission (and logs a refusal)
    form = build(request, problem, request.POST)
    if form_act(request, form, lambda data: act(problem, data), done):
        return redirect(reverse("problem", args=[pk]))
    return _page(request, problem, **{name: form})


@login_required
@require_POST
def partner_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        "partner_form",
        lambda p, d: services.problem_add_partner(problem=p, agency=d["agency"], by=request.user),
        "Agency brought into the problem.",
    )


@login_required
@require_POST
def problem_hand_over(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    def act(problem: Problem, data: dict[str, Any]) -> Any:
        owner = data["to_owner"]
        return services.problem_transfer(
            problem=problem, by=request.user, to_agency=owner.agency, to_owner=owner, reason=data["reason"]
        )

    return _post(request, pk, "handover_form", act, "Problem handed over.")


@login_required
@require_POST
def action_hand_over(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        "action_form",
        lambda p, d: services.action_transfer(
            action=d["action"], by=request.user, to_agency=d["to_agency"], reason=d["reason"]
        ),
        "Action handed over.",
    )


@login_required
@require_POST
def contact_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Agree contact with a victim or complainant on the problem (as the contacts' own page does)."""

    def act(problem: Problem, data: dict[str, Any]) -> Any:
        fields = {name: value for name, value in data.items() if name != "person"}
        return services.contact_agree(link=data["person"], by=request.user, **fields)

    return _post(request, pk, "contact_form", act, "Contact agreed.")


@login_required
@require_POST
def merge(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        "merge_form",
        lambda p, d: problem_merge(keep=p, merge=d["duplicate"], by=request.user, reason=d["reason"]),
        "Duplicate merged into this problem and closed.",
    )
