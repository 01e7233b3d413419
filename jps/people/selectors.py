"""Reads of people and places: what a user may see, search, and the repeat facts.

Visibility is ``jps.rules.person_scope_q`` / ``place_scope_q`` (the one rule); the links shown
are always those on problems the user may see (``problem_ids_visible_to``), whoever asks. The
repeat rule ("victim in N problems in the last 12 months", "linked to N problems",
"vulnerable") lives once, in ``person_repeat_counts`` and ``place_repeat_counts``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Value
from django.utils import timezone

from ..models import OPEN_STAGES, Person, PersonRole, Place, ProblemPerson, ProblemPlace
from ..rules import person_scope_q, place_scope_q, problem_ids_visible_to, sees_people_of_force

#: "In the last 12 months": a problem counts if it was open at any time in this window.
REPEAT_WINDOW = datetime.timedelta(days=365)


def people_visible_to(user: Any) -> QuerySet[Person]:
    return Person.objects.filter(person_scope_q(user))


def places_visible_to(user: Any) -> QuerySet[Place]:
    return Place.objects.filter(place_scope_q(user)).select_related("neighbourhood")


def person_links_visible_to(user: Any) -> QuerySet[ProblemPerson]:
    """Links on problems ``user`` may see, and only those: a partner never learns of the others.
    Asked for a page of people at a time, so the visible problems are given as a set whose size
    PostgreSQL knows (``distinct``), and the page's links are checked against it."""
    visible = problem_ids_visible_to(user, distinct=True)
    return ProblemPerson.objects.filter(problem_id__in=visible).select_related("person", "problem")


def place_links_visible_to(user: Any) -> QuerySet[ProblemPlace]:
    visible = problem_ids_visible_to(user, distinct=True)
    return ProblemPlace.objects.filter(problem_id__in=visible).select_related("place", "problem")


def _matching(queryset: QuerySet[Any], column: str, q: str) -> QuerySet[Any]:
    """On PostgreSQL, records with the words of ``q`` in them, a slip allowed, best first: pg_trgm's
    word similarity (``%>``, 0.6 by default), ``q`` against the closest run of words in the name or
    address, so a street is found inside a whole address ("Menor Drive" finds "11 Manor Drive,
    Bolton"), a surname inside a full name, and words in any order ("Jones Ann"). Answered from the
    trigram index that leads with the force (migration 0026). On SQLite, every word ``icontains``."""
    q = q.strip()
    if not q:
        return queryset
    if connection.vendor == "postgresql":
        from django.contrib.postgres.lookups import TrigramWordSimilar
        from django.contrib.postgres.search import TrigramWordSimilarity

        return (
            queryset.filter(TrigramWordSimilar(F(column), Value(q)))
            .annotate(similarity=TrigramWordSimilarity(q, column))
            .order_by("-similarity", column, "id")
        )
    for word in q.split():
        queryset = queryset.filter(**{f"{column}__icontains": word})
    return queryset


def person_search(user: Any, q: str) -> QuerySet[Person]:
    """People ``user`` may see whose name is like ``q``: so the same family is not entered twice.
    Records merged into another are left out (the kept record stands for them)."""
    return _matching(people_visible_to(user).filter(merged_into__isnull=True), "name", q)


def place_search(user: Any, q: str) -> QuerySet[Place]:
    return _matching(places_visible_to(user), "address", q)


def person_read_through(user: Any, person_ids: Iterable[int]) -> list[tuple[int, int | None]]:
    """(person, problem) pairs for the access log when ``user`` reads these people.

    Police staff of the force read a person directly (problem ``None``); anyone else reads them
    only through problems, so each visible problem linking them is logged with them.
    """
    ids = list(dict.fromkeys(person_ids))
    if sees_people_of_force(user):
        return [(pk, None) for pk in ids]
    links = person_links_visible_to(user).filter(person_id__in=ids).values_list("person_id", "problem_id")
    return list(dict.fromkeys(links))


@dataclass(frozen=True)
class PersonFacts:
    victim_recent: int  # problems active in the last 12 months on which the person is a victim
    problems: int  # problems the person is linked to, in any role
    vulnerable: bool


@dataclass(frozen=True)
class PlaceFacts:
    problems: int  # problems the place is linked to
    open_problems: int


def _active_since(prefix: str, now: datetime.datetime) -> Q:
    """Problems open at some time in the window: still open, or logged or closed within it."""
    since = now - REPEAT_WINDOW
    return (
        Q(**{f"{prefix}stage__in": OPEN_STAGES})
        | Q(**{f"{prefix}created_at__gte": since})
        | Q(**{f"{prefix}closed_at__gte": since})
    )


def person_repeat_counts(*, person_ids: Iterable[int], now: datetime.datetime | None = None) -> dict[int, PersonFacts]:
    """The repeat and vulnerable facts for many people at once: one aggregate query.

    Counted over every problem of the person's record, not only those the reader may see:
    that a victim is a repeat victim is the safeguarding fact, and it names no other problem.
    """
    now = now or timezone.now()
    victim = Q(links__role=PersonRole.VICTIM) & _active_since("links__problem__", now)
    rows = (
        Person.objects.filter(pk__in=list(person_ids))
        .annotate(
            victim_recent=Count("links__problem", filter=victim, distinct=True),
            problems=Count("links__problem", distinct=True),
        )
        .values_list("pk", "vulnerabilities", "victim_recent", "problems")
    )
    return {pk: PersonFacts(victim_recent, problems, bool(flags)) for pk, flags, victim_recent, problems in rows}


def place_repeat_counts(*, place_ids: Iterable[int]) -> dict[int, PlaceFacts]:
    """ "This address is linked to N problems" (N open) for many places at once: one aggregate query."""
    rows = (
        Place.objects.filter(pk__in=list(place_ids))
        .annotate(
            problems=Count("links__problem", distinct=True),
            open_problems=Count("links__problem", filter=Q(links__problem__stage__in=OPEN_STAGES), distinct=True),
        )
        .values_list("pk", "problems", "open_problems")
    )
    return {pk: PlaceFacts(problems, open_problems) for pk, problems, open_problems in rows}
