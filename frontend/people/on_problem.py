"""People and places on a problem, from the problem page: search first (so the same person or flat is
not entered twice), then choose one and its role, or record a new one; and remove one.

Each step is a plain page with a plain form, so it works on any phone without JavaScript; htmx only
refreshes the search results as a name is typed. Every person shown is logged in the access log.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from jps import services
from jps.models import Problem, ProblemView
from jps.rules import sees_people_of_force

from ..http import AuthedHttpRequest
from ..views.common import form_act, problem_for
from . import forms as pf
from .kinds import Kind


def _problem(request: AuthedHttpRequest, pk: int, kind: Kind) -> Problem:
    refused = f"Only those working this problem can add or remove {kind.plural} on it."
    return problem_for(request, pk, perm="jps.work_problem", refused=refused)


def _back(problem: Problem, kind: Kind) -> str:
    return reverse("problem", args=[problem.pk]) + f"#{kind.plural}"


def log_reads(request: AuthedHttpRequest, reads: list[tuple[int, int | None]]) -> None:
    """The people a page shows go into the access log (one INSERT for the page)."""
    services.person_views_record(
        user=request.user, reads=reads, channel=ProblemView.Channel.WEB, request_id=getattr(request, "request_id", "")
    )


def search_rows(request: AuthedHttpRequest, kind: Kind, form: Any, exclude: int | None = None) -> list[dict[str, Any]]:
    """The records like the search, each with its repeat facts (one query); the people shown are logged."""
    if not form.is_valid():
        return []
    found = kind.search(request.user, form.cleaned_data["q"])
    if exclude is not None:
        found = found.exclude(pk=exclude)
    records = list(found[: pf.SEARCH_LIMIT])
    facts = kind.facts([r.pk for r in records])
    log_reads(request, kind.reads(request.user, [r.pk for r in records]))
    return [{"record": r, "facts": facts[r.pk]} for r in records]


@login_required
def record_add(request: AuthedHttpRequest, pk: int, kind: Kind) -> HttpResponse:
    """Search for the person or place; each one found says whether it is on this problem already."""
    problem = _problem(request, pk, kind)
    form = kind.search_form(request.GET if "q" in request.GET else None)
    rows = search_rows(request, kind, form)
    on_problem: dict[int, list[str]] = defaultdict(list)
    for link in kind.links(problem):
        on_problem[getattr(link, f"{kind.name}_id")].append(link.get_role_display().lower())
    for row in rows:
        row["on_problem"] = on_problem.get(row["record"].pk, [])
        row["choose_url"] = reverse(f"problem_{kind.name}_choose", args=[problem.pk, row["record"].pk])
    new_url = reverse(f"problem_{kind.name}_new", args=[problem.pk])
    if form.is_valid():  # the new record starts from what was searched for
        new_url += "?" + urlencode({"q": form.cleaned_data["q"]})
    context = {"problem": problem, "kind": kind, "form": form, "rows": rows, "new_url": new_url}
    context["contact_details"] = sees_people_of_force(request.user)
    return render(request, "frontend/people/add.html", context)


@login_required
def record_choose(request: AuthedHttpRequest, pk: int, record_pk: int, kind: Kind) -> HttpResponse:
    """The record chosen from the search, and its role on this problem."""
    problem = _problem(request, pk, kind)
    record = get_object_or_404(kind.visible(request.user), pk=record_pk)
    form = kind.role_form(request.POST if request.method == "POST" else None)

    def act(data: dict[str, Any]) -> None:
        kind.link(problem=problem, role=data["role"], by=request.user, **{kind.name: record})

    if request.method == "POST" and form_act(request, form, act, f"{record} added to {problem.reference}."):
        return redirect(_back(problem, kind))
    log_reads(request, kind.reads(request.user, [record.pk]))
    context = {"problem": problem, "kind": kind, "record": record, "facts": kind.facts([record.pk])[record.pk]}
    context |= {"form": form, "contact_details": sees_people_of_force(request.user)}
    return render(request, "frontend/people/choose.html", context)


@login_required
def record_new(request: AuthedHttpRequest, pk: int, kind: Kind) -> HttpResponse:
    """Record a new person or place and put it on the problem (both or neither)."""
    problem = _problem(request, pk, kind)
    data = request.POST if request.method == "POST" else None
    initial = {kind.text_field: request.GET.get("q", "")[:160]}
    form = kind.new_form(data, initial=initial, **kind.form_kwargs(problem.force_id))

    def act(cleaned: dict[str, Any]) -> None:
        kind.create(problem=problem, by=request.user, **cleaned)

    if data is not None and form_act(request, form, act, f"Recorded and added to {problem.reference}."):
        return redirect(_back(problem, kind))
    return render(request, "frontend/people/new.html", {"problem": problem, "kind": kind, "form": form})


@login_required
def record_remove(request: AuthedHttpRequest, pk: int, link_pk: int, kind: Kind) -> HttpResponse:
    """Take a person or place off the problem, after a question: the history keeps the link."""
    problem = _problem(request, pk, kind)
    link = get_object_or_404(kind.links(problem), pk=link_pk)
    record = getattr(link, kind.name)
    form = pf.UnlinkForm(request.POST if request.method == "POST" else None)

    def act(data: dict[str, Any]) -> None:
        kind.unlink(link=link, by=request.user, reason=data["reason"] and f"Removed: {data['reason']}")

    if request.method == "POST" and form_act(request, form, act, f"{record} removed from {problem.reference}."):
        return redirect(_back(problem, kind))
    context = {"problem": problem, "kind": kind, "link": link, "record": record, "form": form}
    return render(request, "frontend/people/remove.html", context)
