"""The duplicate check before logging: open problems that are probably the one about to be logged
(same category, same or nearby neighbourhood, shared words), among those the user may see.
"""

from __future__ import annotations

import re
from typing import Any

from ..models import (
    Problem,
)
from ..problems.selectors import distance_metres, problems_visible_to

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
        # How a problem came to notice, not what it is: every priority agreed at a PACT meeting says so.
        "raised",
        "agreed",
        "meeting",
        "meetings",
        "pact",
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
