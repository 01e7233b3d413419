"""Neighbourhoods for staff, and signing out."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LogoutView
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from jps import selectors
from jps.models import Neighbourhood

from ..http import AuthedHttpRequest

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
        "may_change_team": request.user.has_perm("jps.change_team_details", neighbourhood),
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
