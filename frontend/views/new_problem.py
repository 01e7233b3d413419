"""Logging a problem: the phone form, the duplicate question, attaching a report instead, and the
neighbourhood at the phone's position."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html

from jps import selectors, services
from jps.casework import field
from jps.models import Problem, User

from .. import forms as f
from ..http import AuthedHttpRequest

# --- logging a problem --------------------------------------------------------------------------


@login_required
def problem_create(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm("jps.log_problem"):
        raise PermissionDenied("Your role cannot log problems.")
    form = f.LogProblemForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        extra = {k: data[k] for k in ("location", "latitude", "longitude") if data.get(k) not in (None, "")}
        if request.POST.get("attach_to"):
            return _attach_report(request, user, form)
        if request.POST.get("edit"):  # back from the duplicate question, to change the report
            return render(request, "frontend/problem_create.html", {"form": form})
        resent = field.problem_for_key(by=user, client_key=data.get("client_key"))
        if not request.POST.get("confirm_new") and resent is None:
            suggestions = _duplicates_for(user, data)
            if suggestions:
                context = {"form": form, "suggestions": suggestions}
                return render(request, "frontend/problem_create_duplicates.html", context)
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
            messages.success(request, logged_message(user, problem, created=created))
            return redirect("problem", pk=problem.pk)
    return render(request, "frontend/problem_create.html", {"form": form})


def logged_message(user: User, problem: Problem, *, created: bool) -> str:
    """The banner's "Problem logged", with the next thing to do at first contact: add the victim.

    On a phone the people on the problem are three screens below the banner, under the plan and the
    updates; the banner links straight to adding one, for those who may (police staff working it).
    """
    text = f"Problem {'logged' if created else 'already logged'}: {problem.reference}."
    if not (user.has_perm("jps.work_problem", problem) and user.has_perm("jps.view_contacts", problem)):
        return text
    add = reverse("problem_person_add", args=[problem.pk])
    link = '<a class="govuk-notification-banner__link" href="{}">Add the victim or complainant</a>'
    return format_html("{} " + link + ".", text, add)


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
    """The htmx partial on the log form, above its button: open problems probably the same one."""
    user = request.user
    form = f.LogProblemForm(request.GET, user=user)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    suggestions = _duplicates_for(user, data) if data.get("category") and data.get("neighbourhood") else []
    return render(request, "frontend/_duplicates.html", {"suggestions": suggestions})


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
