"""Reads of problems: every list starts from ``problems_visible_to(user)`` (the one visibility rule,
``jps.rules.problem_scope_q``), and a single problem is fetched with ``scoped_get`` so an id out of
sight is a 404 like a missing one, and logged.
"""

from __future__ import annotations

import datetime
import math
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db.models import Model, Prefetch, QuerySet
from django.utils import timezone

from .. import policy
from ..models import (
    Action,
    Neighbourhood,
    Problem,
    ProblemQuerySet,
    ProgressUpdate,
    Stage,
    User,
)
from ..rules import problem_scope_q
from ..security import refused

M = TypeVar("M", bound=Model)


def problems_visible_to(user: Any) -> ProblemQuerySet:
    """The problems ``user`` may see, with the relations every list shows."""
    return Problem.objects.filter(problem_scope_q(user)).select_related(
        "neighbourhood", "district", "category", "owner", "lead_agency"
    )


def scoped_get(queryset: QuerySet[M], *, user: Any, **lookup: Any) -> M:
    """``queryset.get(**lookup)`` on a queryset already limited to what ``user`` may see.

    An object that exists but lies out of sight raises ``DoesNotExist`` like a missing one
    (callers answer 404, so ids cannot be probed), and the attempt is logged on
    ``jps.security``: guessing ids is how someone would look for others' problems.
    """
    try:
        return queryset.get(**lookup)
    except ObjectDoesNotExist:
        if queryset.model._default_manager.filter(**lookup).exists():
            target = f"{queryset.model.__name__}:{lookup.get('pk', lookup)}"
            refused("out-of-scope object requested", user=user, object=target)
        raise


def problem_get_for(user: Any, pk: int | str) -> Problem:
    """One problem if ``user`` may see it; ``Problem.DoesNotExist`` otherwise, so callers answer 404."""
    return scoped_get(problems_visible_to(user), user=user, pk=pk)


def reviews_overdue(*, user: Any, today: datetime.date | None = None) -> QuerySet[Problem]:
    """A supervisor's review queue: open problems in scope past their review date, most overdue first."""
    return problems_visible_to(user).review_overdue(today=today).order_by("next_review_due", "id")


def reviews_due(*, user: Any, within_days: int = 7, today: datetime.date | None = None) -> QuerySet[Problem]:
    today = today or timezone.localdate()
    return (
        problems_visible_to(user)
        .open()
        .filter(next_review_due__lte=today + datetime.timedelta(days=within_days))
        .order_by("next_review_due", "id")
    )


def closures_awaiting_signoff(*, user: Any) -> QuerySet[Problem]:
    return (
        problems_visible_to(user)
        .filter(stage=Stage.ASSESSMENT, closure_requested_at__isnull=False)
        .order_by("closure_requested_at")
    )


def problems_owned_by(*, user: User) -> QuerySet[Problem]:
    return problems_visible_to(user).open().filter(owner=user).order_by("next_review_due", "id")


def problem_detail(user: Any, pk: int | str) -> Problem:
    """One problem with everything its page shows, in a fixed number of queries."""
    actions = Action.objects.select_related("agency", "assignee").order_by("due_on", "id")
    updates = ProgressUpdate.objects.select_related("author", "decided_by")
    queryset = (
        problems_visible_to(user)
        .select_related("analysis", "assessment", "closed_by", "originator_agency", "created_by")
        .prefetch_related(
            Prefetch("actions", queryset=actions),
            Prefetch("updates", queryset=updates),
            "reviews__reviewer",
            "participations__agency",
            "transfers__from_agency",
            "transfers__to_agency",
        )
    )
    return scoped_get(queryset, user=user, pk=pk)


def _field_name(name: str) -> str:
    """A changed field as people call it ("review interval (days)"), not its column name."""
    try:
        return str(getattr(Problem._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name.replace("_", " ")


def problem_history(problem: Problem, *, limit: int = 200) -> list[dict[str, Any]]:
    """Who changed what, when, from the audit trail, newest first, with the fields that changed."""
    records = list(problem.history.select_related("history_user").order_by("-history_date")[: limit + 1])
    entries = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        changed = []
        if older is not None:
            changed = [_field_name(c.field) for c in newer.diff_against(older).changes]
        entries.append(
            {
                "when": newer.history_date,
                "who": newer.history_user,
                "kind": newer.get_history_type_display(),
                "reason": newer.history_change_reason or "",
                "fields": changed,
            }
        )
    return entries[:limit]


def problems_taking_part(*, user: User, limit: int) -> list[Problem]:
    """A partner's first ``limit`` open problems by review date: those their agency leads or takes part in."""
    return first_rows(problems_visible_to(user).open().order_by("next_review_due", "id"), limit)


def first_rows(queryset: QuerySet[M], limit: int) -> list[M]:
    """The first ``limit`` rows of an ordered queryset, chosen before their related rows are joined.

    Over a partner's scope (a union of three lookups) PostgreSQL joins every ``select_related``
    table to each of the agency's open problems (1,218 at national scale) before its top-N sort.
    Choosing the ids first and then reading those rows with their relations joins ``limit`` rows:
    a partner's "My work" list 48–58 ms → 37 ms at national scale (docs/performance.md).
    """
    ids = list(queryset.values_list("pk", flat=True)[:limit])
    return list(queryset.filter(pk__in=ids)) if ids else []


def neighbourhoods_for_logging(*, user: Any) -> QuerySet[Neighbourhood]:
    """Where ``user`` may log a problem: the write policy's one rule (``jps.policy.log_scope_q``)."""
    return policy.neighbourhoods_for_logging(user).select_related("district").order_by("district__name", "name")


def neighbourhood_open_problems(*, user: Any, neighbourhood: Neighbourhood) -> QuerySet[Problem]:
    """The open problems of one neighbourhood that ``user`` may see, for the staff neighbourhood page."""
    return problems_visible_to(user).open().filter(neighbourhood=neighbourhood).order_by("-created_at")


# --- where am I: the neighbourhood containing a position (issue 11) -----------------------


def _in_ring(x: float, y: float, ring: list[list[float]]) -> bool:
    """Ray casting: count the edges a ray from (x, y) to the east crosses; odd means inside."""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def geometry_contains(geometry: dict[str, Any], *, latitude: float, longitude: float) -> bool:
    """Whether a GeoJSON Polygon or MultiPolygon (or a Feature of one) contains the point; holes count."""
    if geometry.get("type") == "Feature":
        geometry = geometry.get("geometry") or {}
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    for rings in polygons:
        rings = [[[float(p[0]), float(p[1])] for p in ring] for ring in rings]
        inside = rings and _in_ring(longitude, latitude, rings[0])
        if inside and not any(_in_ring(longitude, latitude, hole) for hole in rings[1:]):
            return True
    return False


def distance_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance; good to a metre or so at neighbourhood scale."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def neighbourhood_at(*, user: Any, latitude: float, longitude: float) -> Neighbourhood | None:
    """The neighbourhood (of those ``user`` may log in) containing the point, from its boundary;
    failing that, the one whose centre point is nearest within 5 km; ``None`` when neither."""
    return neighbourhood_among(list(neighbourhoods_for_logging(user=user)), latitude=latitude, longitude=longitude)


def neighbourhood_among(places: list[Neighbourhood], *, latitude: float, longitude: float) -> Neighbourhood | None:
    """Of ``places``, the one whose boundary contains the point; else the nearest centre within 5 km."""
    for place in places:
        if place.boundary and geometry_contains(place.boundary, latitude=latitude, longitude=longitude):
            return place
    centred = [
        (distance_metres(latitude, longitude, float(p.latitude), float(p.longitude)), p)
        for p in places
        if p.latitude is not None and p.longitude is not None and not p.boundary
    ]
    nearest = min(centred, key=lambda pair: pair[0], default=None)
    return nearest[1] if nearest and nearest[0] <= 5000 else None
