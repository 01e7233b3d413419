"""Reads of people and places: what a user may see, search, and the repeat facts.

Visibility is ``jps.rules.person_scope_q`` / ``place_scope_q`` (the one rule); the links shown
are always those on problems the user may see (``problem_ids_visible_to``), whoever asks. The
repeat rule ("victim in N problems in the last 12 months", "linked to N problems",
"vulnerable") lives once, in ``person_repeat_counts`` and ``place_repeat_counts``; the risk to a
victim on a problem, once, in ``person_link_risks``. The person and place pages and the call
handler's lookup are built here from those (``person_profile``, ``place_profile``, ``lookup``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone

from ..models import OPEN_STAGES, Person, PersonRole, Place, Problem, ProblemPerson, ProblemPlace, Risk, RiskAssessment
from ..rules import person_scope_q, place_scope_q, problem_ids_visible_to, problem_scope_q, sees_people_of_force

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
    trigram index that leads with the force (migration 0031). On SQLite, every word ``icontains``."""
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
    """Places ``user`` may see whose address is like ``q``; merged records are left out, as for people."""
    return _matching(places_visible_to(user).filter(merged_into__isnull=True), "address", q)


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


def person_link_risks(links: Iterable[ProblemPerson]) -> dict[int, str]:
    """The risk to each person on a problem (a ``Risk`` value), by link id: the one place it is read.

    A victim's latest risk assessment (``RiskAssessment``, issue 18) where there is one; else the
    problem's own risk (``Problem.risk``, so the links need their problem loaded). One query for
    all the links. The person page, the place page and the lookup all ask here.
    """
    links = list(links)
    latest = RiskAssessment.objects.filter(link=OuterRef("pk")).order_by("-assessed_at", "-id").values("level")[:1]
    assessed = dict(
        ProblemPerson.objects.filter(pk__in=[link.pk for link in links])
        .annotate(level=Subquery(latest))
        .filter(level__isnull=False)
        .values_list("pk", "level")
    )
    return {link.pk: assessed.get(link.pk) or link.problem.risk for link in links}


# --- the person and place pages ---------------------------------------------------------------


@dataclass(frozen=True)
class PersonProfile:
    person: Person
    facts: PersonFacts
    links: list[ProblemPerson]  # on problems the reader may see, and only those
    risks: dict[int, str]  # by link (``person_link_risks``)
    contact_details: bool  # whether the reader may see ``PERSON_CONTACT_FIELDS``
    reads: list[tuple[int, int | None]]  # for the access log (``person_read_through``)


@dataclass(frozen=True)
class PlaceProfile:
    place: Place
    facts: PlaceFacts
    links: list[ProblemPlace]  # on problems the reader may see, and only those


def person_profile(user: Any, pk: int) -> PersonProfile:
    """A person as ``user`` may read them; ``Person.DoesNotExist`` when out of their sight."""
    person = people_visible_to(user).select_related("merged_into").get(pk=pk)
    links = list(
        person_links_visible_to(user)
        .filter(person=person)
        .select_related("problem__owner", "problem__neighbourhood")
        .order_by("-added_at", "-id")
    )
    return PersonProfile(
        person=person,
        facts=person_repeat_counts(person_ids=[person.pk])[person.pk],
        links=links,
        risks=person_link_risks(links),
        contact_details=sees_people_of_force(user),
        reads=person_read_through(user, [person.pk]),
    )


def place_profile(user: Any, pk: int) -> PlaceProfile:
    """A place as ``user`` may read it; ``Place.DoesNotExist`` when out of their sight."""
    place = places_visible_to(user).select_related("merged_into", "neighbourhood__district").get(pk=pk)
    links = list(
        place_links_visible_to(user)
        .filter(place=place)
        .select_related("problem__owner", "problem__neighbourhood")
        .order_by("-added_at", "-id")
    )
    return PlaceProfile(place=place, facts=place_repeat_counts(place_ids=[place.pk])[place.pk], links=links)


# --- the call handler's lookup ----------------------------------------------------------------

LOOKUP_LIMIT = 20  # people or places matched
LOOKUP_PROBLEMS = 50  # open problems listed


@dataclass
class FoundProblem:
    problem: Problem
    how: list[str]  # "Ann Jones (victim)", "12 Station Road (location of the problem)"


@dataclass(frozen=True)
class AtRisk:
    link: ProblemPerson
    risk: str
    facts: PersonFacts

    @property
    def high_risk(self) -> bool:
        return self.risk == Risk.HIGH


@dataclass(frozen=True)
class Lookup:
    people: list[tuple[Person, PersonFacts]]
    places: list[tuple[Place, PlaceFacts]]
    problems: list[FoundProblem]
    at_risk: list[AtRisk]  # high-risk or vulnerable victims on those problems
    reads: list[tuple[int, int | None]]  # the people shown, for the access log


def _found(problems: dict[int, FoundProblem], problem: Problem, how: str) -> None:
    problems.setdefault(problem.pk, FoundProblem(problem, [])).how.append(how)


def _open_problems_for_people(user: Any, people: list[Person]) -> dict[int, FoundProblem]:
    links = person_links_visible_to(user).filter(person__in=people, problem__stage__in=OPEN_STAGES)
    found: dict[int, FoundProblem] = {}
    for link in links.select_related("problem__owner").order_by("-problem__created_at")[:LOOKUP_PROBLEMS]:
        _found(found, link.problem, f"{link.person.name} ({link.get_role_display().lower()})")
    return found


def _open_problems_at(user: Any, places: list[Place], q: str) -> dict[int, FoundProblem]:
    """Open problems linked to these places, then those whose location names the street."""
    links = place_links_visible_to(user).filter(place__in=places, problem__stage__in=OPEN_STAGES)
    found: dict[int, FoundProblem] = {}
    for link in links.select_related("problem__owner").order_by("-problem__created_at")[:LOOKUP_PROBLEMS]:
        _found(found, link.problem, f"{link.place.address} ({link.get_role_display().lower()})")
    named = Problem.objects.filter(problem_scope_q(user), stage__in=OPEN_STAGES, location__icontains=q.strip())
    for problem in named.select_related("owner").order_by("-created_at")[:LOOKUP_PROBLEMS]:
        _found(found, problem, f"location: {problem.location}")
    return found


def lookup(user: Any, *, q: str, kind: str) -> Lookup:
    """What a call handler needs about a street or a caller, read-only, in a handful of queries.

    ``kind`` is ``"person"`` (a name) or ``"address"`` (a street or an address). The people or
    places matching (``person_search`` / ``place_search``, so never one out of sight), the open
    problems with them or there that ``user`` may see (reference, title, stage, owner), and the
    victims on those problems who are at high risk (``person_link_risks``) or vulnerable; every
    repeat fact from ``person_repeat_counts`` / ``place_repeat_counts``, as the problem page and
    the API show them.
    """
    people: list[Person] = []
    places: list[Place] = []
    if not q.strip():
        return Lookup(people=[], places=[], problems=[], at_risk=[], reads=[])
    if kind == "person":
        people = list(person_search(user, q)[:LOOKUP_LIMIT])
        found = _open_problems_for_people(user, people)
    else:
        places = list(place_search(user, q)[:LOOKUP_LIMIT])
        found = _open_problems_at(user, places, q)
    victims = list(
        ProblemPerson.objects.filter(problem_id__in=list(found), role=PersonRole.VICTIM).select_related(
            "person", "problem"
        )
    )
    risks = person_link_risks(victims)
    shown = [link for link in victims if risks[link.pk] == Risk.HIGH or link.person.is_vulnerable]
    shown.sort(key=lambda link: (risks[link.pk] != Risk.HIGH, link.person.name, link.problem_id))
    facts = person_repeat_counts(person_ids=[p.pk for p in people] + [link.person_id for link in shown])
    place_facts = place_repeat_counts(place_ids=[p.pk for p in places])
    return Lookup(
        people=[(p, facts[p.pk]) for p in people],
        places=[(p, place_facts[p.pk]) for p in places],
        problems=sorted(found.values(), key=lambda f: f.problem.created_at, reverse=True)[:LOOKUP_PROBLEMS],
        at_risk=[AtRisk(link, risks[link.pk], facts[link.person_id]) for link in shown],
        reads=person_read_through(user, [p.pk for p in people]) + [(v.person_id, v.problem_id) for v in shown],
    )
