"""What every staff view shares: the problem a user may see (with a permission, logged), and a
form that calls a service and shows its refusal in place."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest

from jps import selectors, services
from jps.models import Problem, ProblemView
from jps.services import TransitionRefused

from .. import forms as f
from ..http import AuthedHttpRequest

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
