"""A person's and a place's own pages: who or what they are, the repeat facts, and the problems they
appear in that the reader may see (and only those); editing one; merging two records of one.

A person out of the reader's sight is a 404, never "exists but hidden" (``selectors.person_profile``
starts from ``jps.rules.person_scope_q``). Every page showing a person logs the read.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from jps import selectors, services
from jps.models import Person, PersonRole, Place, ProblemView, Risk, Vulnerability

from ..http import AuthedHttpRequest
from ..views.common import form_act
from .kinds import Kind
from .on_problem import log_reads, search_rows


@login_required
def person_page(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    try:
        profile = selectors.person_profile(user, pk)
    except Person.DoesNotExist:
        raise Http404("No such person, or you cannot see them.") from None
    log_reads(request, profile.reads)
    person = profile.person
    rows = [
        {"link": link, "risk": Risk(profile.risks[link.pk]).label if link.role == PersonRole.VICTIM else ""}
        for link in profile.links
    ]
    context = {
        "person": person,
        "profile": profile,
        "rows": rows,
        "vulnerabilities": [Vulnerability(v).label for v in person.vulnerabilities if v in Vulnerability.values],
        "may_change": user.has_perm("jps.change_person", person) and not person.merged_into_id,
        "may_merge": user.has_perm("jps.merge_people", person) and not person.merged_into_id,
    }
    return render(request, "frontend/people/person.html", context)


@login_required
def place_page(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A place names no person; the problems it shows it is on go into the access log, as a list of
    them read by the reader (an address on a problem can be a victim's home)."""
    user = request.user
    try:
        profile = selectors.place_profile(user, pk)
    except Place.DoesNotExist:
        raise Http404("No such place, or you cannot see it.") from None
    services.problem_views_record(
        user=user,
        problem_ids=[link.problem_id for link in profile.links],
        channel=ProblemView.Channel.WEB,
        request_id=getattr(request, "request_id", ""),
    )
    place = profile.place
    context = {
        "place": place,
        "profile": profile,
        "may_change": user.has_perm("jps.change_person", place) and not place.merged_into_id,
        "may_merge": user.has_perm("jps.merge_places", place) and not place.merged_into_id,
    }
    return render(request, "frontend/people/place.html", context)


def _record(request: AuthedHttpRequest, pk: int, kind: Kind, perm: str, refused: str) -> Any:
    """A record the user may see (else 404) and act on with ``perm`` (else 403)."""
    record = get_object_or_404(kind.visible(request.user), pk=pk)
    if not request.user.has_perm(perm, record):
        raise PermissionDenied(refused)
    return record


@login_required
def record_edit(request: AuthedHttpRequest, pk: int, kind: Kind) -> HttpResponse:
    """Change a person's or a place's details: the force's officers and supervisors."""
    refused = f"Only officers and supervisors of the force can change a {kind.noun}'s details."
    record = _record(request, pk, kind, "jps.change_person", refused)
    data = request.POST if request.method == "POST" else None
    form = kind.edit_form(data, initial=model_to_dict(record), **kind.form_kwargs(record.force_id))

    def act(cleaned: dict[str, Any]) -> None:
        kind.update(by=request.user, **{kind.name: record}, **form.changes())  # type: ignore[attr-defined]

    if data is not None and form_act(request, form, act, "Details saved."):
        return redirect(kind.name, pk=record.pk)
    log_reads(request, kind.reads(request.user, [record.pk]))
    return render(request, "frontend/people/edit.html", {"kind": kind, "record": record, "form": form})


@login_required
def record_merge(request: AuthedHttpRequest, pk: int, kind: Kind) -> HttpResponse:
    """Find the duplicate of this record (its own name or address is searched first)."""
    refused = f"Only a supervisor of the force can merge two records of one {kind.noun}."
    keep = _record(request, pk, kind, kind.merge_perm, refused)
    form = kind.search_form(request.GET if "q" in request.GET else {"q": getattr(keep, kind.text_field)})
    rows = search_rows(request, kind, form, exclude=keep.pk)
    for row in rows:
        row["choose_url"] = reverse(f"{kind.name}_merge_confirm", args=[keep.pk, row["record"].pk])
    facts = kind.facts([keep.pk])[keep.pk]
    log_reads(request, kind.reads(request.user, [keep.pk]))
    context = {"kind": kind, "keep": keep, "facts": facts, "form": form, "rows": rows}
    return render(request, "frontend/people/merge.html", context)


@login_required
def record_merge_confirm(request: AuthedHttpRequest, pk: int, other_pk: int, kind: Kind) -> HttpResponse:
    """Both records side by side, and why they are one: the duplicate's problems move to the kept one."""
    refused = f"Only a supervisor of the force can merge two records of one {kind.noun}."
    keep = _record(request, pk, kind, kind.merge_perm, refused)
    duplicate = _record(request, other_pk, kind, kind.merge_perm, refused)
    form = kind.merge_form(request.POST if request.method == "POST" else None)

    def act(data: dict[str, Any]) -> None:
        kind.merge(keep=keep, merge=duplicate, by=request.user, reason=data["reason"])

    if request.method == "POST" and form_act(request, form, act, f"The duplicate was merged into this {kind.noun}."):
        return redirect(kind.name, pk=keep.pk)
    facts = kind.facts([keep.pk, duplicate.pk])
    log_reads(request, kind.reads(request.user, [keep.pk, duplicate.pk]))
    records = [("Keep", keep, facts[keep.pk]), ("Merge into it", duplicate, facts[duplicate.pk])]
    context = {"kind": kind, "keep": keep, "duplicate": duplicate, "records": records, "form": form}
    return render(request, "frontend/people/merge_confirm.html", context)
