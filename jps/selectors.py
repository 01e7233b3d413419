"""Every read of the domain that depends on who is asking goes through here.

``problems_visible_to`` is the scope; lists for the web, the API, the tasks and the
exports start from it (or, for public output, from ``public_priorities``).
"""

from __future__ import annotations

import datetime
import math
import re
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Prefetch, Q, QuerySet
from django.utils import timezone

from . import policy
from .models import (
    Action,
    District,
    Evaluation,
    LearningNeed,
    Neighbourhood,
    Problem,
    ProblemQuerySet,
    ProgressUpdate,
    Reminder,
    Stage,
    SupervisoryReview,
    User,
)
from .rules import problem_ids_visible_to, problem_scope_q
from .security import refused

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


def actions_visible_to(user: Any) -> QuerySet[Action]:
    """Actions on problems the user can see."""
    visible = problem_ids_visible_to(user)
    return Action.objects.filter(problem_id__in=visible).select_related(
        "problem", "agency", "assignee", "problem__neighbourhood"
    )


def actions_open_for_agency(*, user: User) -> QuerySet[Action]:
    """A partner's to-do list: their agency's open actions, soonest due first."""
    return (
        actions_visible_to(user)
        .filter(agency_id=user.agency_id or 0, status__in=Action.OPEN_STATUSES)
        .order_by("due_on", "id")
    )


def updates_awaiting_approval(*, user: Any) -> QuerySet[ProgressUpdate]:
    visible = problem_ids_visible_to(user)
    return (
        ProgressUpdate.objects.filter(status=ProgressUpdate.Status.PENDING, problem_id__in=visible)
        .select_related("problem", "author", "problem__neighbourhood")
        .order_by("created_at")
    )


def evaluations_waiting(*, user: Any) -> QuerySet[Problem]:
    """Closed problems (with action) not yet evaluated, oldest closure first."""
    return problems_visible_to(user).not_evaluated().filter(stage=Stage.CLOSED).order_by("closed_at", "id")


def learning_needs_visible_to(user: Any) -> QuerySet[LearningNeed]:
    if not user.has_perm("jps.view_learning_needs"):
        return LearningNeed.objects.none()
    needs = LearningNeed.objects.select_related("district", "person", "evaluation__problem")
    if user.is_administrator:
        return needs
    return needs.filter(district__force_id=user.force_id)


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


def problem_history(problem: Problem, *, limit: int = 200) -> list[dict[str, Any]]:
    """Who changed what, when, from the audit trail, newest first, with the fields that changed."""
    records = list(problem.history.select_related("history_user").order_by("-history_date")[: limit + 1])
    entries = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        changed = []
        if older is not None:
            changed = [c.field for c in newer.diff_against(older).changes]
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


def reminders_for(user: Any) -> QuerySet[Reminder]:
    """The reminders sent (or waiting to be sent) to ``user``, newest first.

    Limited to problems the user can still see, so a reminder never shows a problem that
    has since moved out of their scope.
    """
    if not getattr(user, "is_authenticated", False):
        return Reminder.objects.none()
    visible = problem_ids_visible_to(user)
    districts = sorted(user.scope_district_ids) if not user.is_administrator else District.objects.values("pk")
    return (
        Reminder.objects.filter(recipient_id=user.pk)
        .filter(Q(problem_id__in=visible) | Q(problem__isnull=True, neighbourhood__district_id__in=districts))
        .select_related("problem", "problem__neighbourhood", "action", "neighbourhood")
        .order_by("-created_at", "-id")
    )


def actions_due_for_owner(*, user: User, within_days: int = 14, today: datetime.date | None = None) -> QuerySet[Action]:
    """An officer's 'actions due': open actions on the problems they own, due soon or overdue."""
    today = today or timezone.localdate()
    return (
        actions_visible_to(user)
        .filter(
            problem__owner=user,
            status__in=Action.OPEN_STATUSES,
            due_on__lte=today + datetime.timedelta(days=within_days),
        )
        .order_by("due_on", "id")
    )


def problems_taking_part(*, user: User) -> QuerySet[Problem]:
    """A partner's open problems: those their agency leads or takes part in (the partner scope, open only)."""
    return problems_visible_to(user).open().order_by("next_review_due", "id")


def neighbourhoods_for_logging(*, user: Any) -> QuerySet[Neighbourhood]:
    """Where ``user`` may log a problem: the write policy's one rule (``jps.policy.log_scope_q``)."""
    return policy.neighbourhoods_for_logging(user).select_related("district").order_by("district__name", "name")


def neighbourhood_open_problems(*, user: Any, neighbourhood: Neighbourhood) -> QuerySet[Problem]:
    """The open problems of one neighbourhood that ``user`` may see, for the staff neighbourhood page."""
    return problems_visible_to(user).open().filter(neighbourhood=neighbourhood).order_by("-created_at")


# --- API lists (appended for the REST API, issue 4) ----------------------------------------


def reviews_visible_to(user: Any) -> QuerySet[SupervisoryReview]:
    """Supervisory reviews of problems the user can see (they are part of the problem record)."""
    visible = problem_ids_visible_to(user)
    return SupervisoryReview.objects.filter(problem_id__in=visible).select_related("reviewer")


def updates_visible_to(user: Any) -> QuerySet[ProgressUpdate]:
    """Progress updates on problems the user can see."""
    visible = problem_ids_visible_to(user)
    return ProgressUpdate.objects.filter(problem_id__in=visible).select_related("author")


def evaluations_visible_to(user: Any) -> QuerySet[Evaluation]:
    """Evaluations of problems the user can see (for analysts: their force's closed problems)."""
    visible = problem_ids_visible_to(user)
    return Evaluation.objects.filter(problem_id__in=visible)


# --- duplicate suggestions (issue 11) ----------------------------------------------------

#: Two problems this close (in metres) count as "nearby" for duplicate suggestions.
DUPLICATE_RADIUS_METRES = 400
#: At most this many open problems are scored in Python; the query narrows them first.
DUPLICATE_CANDIDATES = 300

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "near",
        "of",
        "off",
        "on",
        "or",
        "our",
        "out",
        "over",
        "the",
        "their",
        "there",
        "they",
        "this",
        "to",
        "up",
        "was",
        "were",
        "with",
        "without",
        "outside",
        "inside",
        "every",
        "night",
        "nights",
        "day",
        "days",
        "evening",
        "evenings",
        "late",
        "people",
        "person",
        "problem",
        "problems",
        "reported",
        "report",
        "residents",
        "resident",
        "again",
        "being",
        "been",
    ]
)


def _singular(word: str) -> str:
    """Fold the common English plurals, so "benches" meets "bench" and "parties" meets "party"."""
    if len(word) <= 4 or not word.endswith("s") or word.endswith("ss"):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    return word[:-1]


def significant_words(text: str) -> set[str]:
    """Lower-case words of three letters or more, stop-words dropped, plurals folded."""
    words = set()
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        if len(word) < 3 or word in _STOPWORDS:
            continue
        words.add(_singular(word))
    return words


def distance_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance; good to a metre or so at neighbourhood scale."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def problems_possibly_duplicate(
    user: Any,
    *,
    category: Any,
    neighbourhood: Any,
    text: str,
    latitude: float | None = None,
    longitude: float | None = None,
    exclude_pk: int | None = None,
    limit: int = 5,
) -> list[Problem]:
    """Open problems ``user`` can see that are probably the one being logged.

    Probably the same means: the same category, in the same neighbourhood or within
    ``DUPLICATE_RADIUS_METRES`` of the given point (neighbourhoods of the same district),
    and sharing at least one significant word of the title or description. Closed
    problems are never suggested. Candidates come from the indexed (district, stage)
    query; distance and words are scored in Python on that bounded set. Each returned
    problem carries ``shared_words`` and ``distance_m`` (or ``None``) for display.
    """
    words = significant_words(text)
    if not words or category is None or neighbourhood is None:
        return []
    candidates = (
        problems_visible_to(user)
        .open()
        .filter(district_id=neighbourhood.district_id, category=category)
        .order_by("-created_at")
    )
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    scored: list[tuple[float, Problem]] = []
    for problem in candidates[:DUPLICATE_CANDIDATES]:
        distance = None
        if (
            latitude is not None
            and longitude is not None
            and problem.latitude is not None
            and problem.longitude is not None
        ):
            distance = distance_metres(
                float(latitude),
                float(longitude),
                float(problem.latitude),
                float(problem.longitude),  # type: ignore[arg-type]
            )
        nearby = distance is not None and distance <= DUPLICATE_RADIUS_METRES
        if problem.neighbourhood_id != neighbourhood.pk and not nearby:
            continue
        shared = words & significant_words(f"{problem.title} {problem.description} {problem.location}")
        if not shared:
            continue
        problem.shared_words = sorted(shared)  # type: ignore[attr-defined]
        problem.distance_m = round(distance) if distance is not None else None  # type: ignore[attr-defined]
        score = len(shared) + (2 if nearby else 0) + (1 if problem.neighbourhood_id == neighbourhood.pk else 0)
        scored.append((score, problem))
    scored.sort(key=lambda pair: -pair[0])
    return [problem for _, problem in scored[:limit]]


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


def neighbourhood_at(*, user: Any, latitude: float, longitude: float) -> Neighbourhood | None:
    """The neighbourhood (of those ``user`` may log in) containing the point, from its boundary;
    failing that, the one whose centre point is nearest within 5 km; ``None`` when neither."""
    places = list(neighbourhoods_for_logging(user=user))
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
