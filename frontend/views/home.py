""" "My work" for every role, and the web editor's decisions on public updates."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from jps import selectors, services
from jps.models import ProblemView, ProgressUpdate, RiskAssessment, User

from .. import forms as f
from ..http import AuthedHttpRequest
from .common import HOME_LIMIT

# --- my work --------------------------------------------------------------------------------


@login_required
def home(request: AuthedHttpRequest) -> HttpResponse:
    """'My work': what this person should do next, by role."""
    user = request.user
    role = user.role
    Role = User.Role
    sections = ["high_risk_victims", "owned", "actions_due", "reviews_due", "escalations", "review_queue"]
    sections += ["signoff", "agency_actions", "taking_part"]
    sections += ["to_evaluate", "pending_updates", "learning_needs", "open_problems"]
    ctx: dict[str, Any] = dict.fromkeys(sections) | {
        "role": role,
        "resident_reports": None,
        "team_messages": None,
        "pledge_misses": None,
    }
    if role in (Role.OFFICER, Role.SUPERVISOR) or user.is_administrator:
        ctx["resident_reports"] = list(selectors.resident_reports_to_triage(user=user)[:HOME_LIMIT])
        ctx["triage_due_before"] = timezone.now() - datetime.timedelta(days=settings.JPS_RESIDENT_TRIAGE_DAYS)
        ctx["team_messages"] = selectors.team_messages_waiting_count(user=user)
    if role in (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN) or user.is_administrator:
        ctx["owned"] = list(selectors.problems_owned_by(user=user)[:HOME_LIMIT])
        ctx["actions_due"] = list(selectors.actions_due_for_owner(user=user)[:HOME_LIMIT])
        ctx["reviews_due"] = list(selectors.reviews_due(user=user).filter(owner=user)[:HOME_LIMIT])
    if role == Role.SUPERVISOR or user.is_administrator:
        ctx["escalations"] = list(selectors.escalations_awaiting(user)[:HOME_LIMIT])
        ctx["high_risk_victims"] = _high_risk_victims(user)
        ctx["review_queue"] = list(selectors.reviews_overdue(user=user)[:HOME_LIMIT])
        ctx["signoff"] = list(selectors.closures_awaiting_signoff(user=user)[:HOME_LIMIT])
    if role == Role.SUPERVISOR:  # the Pledge's months missed with no "why not" yet (jps.pledge)
        ctx["pledge_misses"] = selectors.pledge_misses_for(user=user)
    if role == Role.PARTNER:
        ctx["agency_actions"] = list(selectors.actions_open_for_agency(user=user)[:HOME_LIMIT])
        ctx["taking_part"] = selectors.problems_taking_part(user=user, limit=HOME_LIMIT)
    if role == Role.ANALYST or user.is_administrator:
        ctx["to_evaluate"] = list(selectors.evaluations_waiting(user=user)[:HOME_LIMIT])
    if role == Role.WEB_EDITOR or user.is_administrator:
        pending = list(selectors.updates_awaiting_approval(user=user)[:HOME_LIMIT])
        ctx["pending_updates"] = [
            (u, f.UpdateDecideForm(prefix=f"update-{u.pk}", initial={"public_text": u.text}, welsh=_welsh(u)))
            for u in pending
        ]
    if role == Role.TRAINING or user.is_administrator:
        ctx["learning_needs"] = list(selectors.learning_needs_visible_to(user)[:HOME_LIMIT])
    if role == Role.CALL_HANDLER:
        ctx["open_problems"] = list(selectors.problems_visible_to(user).open().order_by("neighbourhood__name")[:50])
    ctx["reminders"] = list(selectors.reminders_for(user)[:HOME_LIMIT])
    ctx["today"] = timezone.localdate()
    return render(request, "frontend/home.html", ctx)


def _high_risk_victims(user: User) -> list[RiskAssessment]:
    """Victims at high risk on open problems in the supervisor's districts; their names read are logged."""
    victims = list(selectors.high_risk_victims_for(user=user)[:HOME_LIMIT])
    reads = [(a.link.person_id, a.problem_id) for a in victims]
    services.person_views_record(user=user, reads=reads, channel=ProblemView.Channel.WEB)
    return victims


@login_required
@require_POST
def update_decide(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A web editor approves (with the published wording) or rejects a proposed public update.

    "Reject" on the card leads to a confirmation page asking why; the rejection is made from there,
    with the reason the author then reads.
    """
    update = get_object_or_404(selectors.updates_awaiting_approval(user=request.user), pk=pk)
    form = f.UpdateDecideForm(request.POST, prefix=f"update-{pk}", welsh=_welsh(update))
    if not form.is_valid():
        return render(request, "frontend/update_decide.html", {"update": update, "form": form})
    approve = form.cleaned_data["decision"] == "approve"
    reject_form = None
    if not approve:
        reject_form = f.UpdateRejectForm(request.POST if "confirm_reject" in request.POST else None)
        if not reject_form.is_valid():
            return render(request, "frontend/update_reject.html", {"update": update, "form": reject_form})
    try:
        services.update_decide(
            update=update,
            by=request.user,
            approve=approve,
            public_text=form.cleaned_data["public_text"],
            public_text_cy=form.cleaned_data.get("public_text_cy", ""),
            reason=reject_form.cleaned_data["reason"] if reject_form else "",
        )
    except ValidationError as error:
        f.add_service_errors(reject_form or form, error)
        template = "frontend/update_reject.html" if reject_form else "frontend/update_decide.html"
        return render(request, template, {"update": update, "form": reject_form or form})
    verb = "approved" if update.status == ProgressUpdate.Status.APPROVED else "rejected"
    messages.success(request, f"Update on {update.problem.reference} {verb}.")
    return redirect("home")


def _welsh(update: ProgressUpdate) -> bool:
    """Is the update's force one that publishes in Welsh (its approval form then asks for the Welsh too)?"""
    return update.problem.force.welsh_enabled
