"""What closed problems teach: quality scores, best practice, the library and similar problems.

Writes (``quality_score_record``, ``best_practice_mark``) follow the house pattern of
``jps.services``: permission from ``jps.rules``, validation naming the field, the
acting user in the history row. Reads start from ``library_scope_q`` (the library) or
``problems_visible_to`` (everything else), so nobody learns of a problem they may not
see. Search is PostgreSQL full-text search over GIN-indexed expressions (migration
``0002_insight``), with an ``icontains`` fallback on SQLite.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from ..base import require, save
from ..models import (
    QUALITY_FIELDS,
    Action,
    BestPracticeTag,
    Evaluation,
    LearningNeed,
    Participation,
    Problem,
    QualityScore,
    Stage,
    User,
)
from ..problems.selectors import problems_visible_to
from ..rules import library_scope_q, problem_ids_visible_to

SEARCH_CONFIG = "english"

#: The text the library searches; the same expressions are GIN-indexed on PostgreSQL.
PROBLEM_SEARCH_FIELDS = ("title", "problem_statement")
EVALUATION_SEARCH_FIELDS = ("what_worked", "what_did_not", "learning")


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- quality score -------------------------------------------------------------------------------


@transaction.atomic
def quality_score_record(
    *,
    problem: Problem,
    by: User,
    occasion: str,
    specific_statement: bool = False,
    analysis_triangle: bool = False,
    measurable_objective: bool = False,
    responses_linked: bool = False,
    partners_involved: bool = False,
    assessment_evidence: bool = False,
    comment: str = "",
) -> QualityScore:
    """A supervisor scores the record against the checklist, at review or at closure.

    Scoring at review is for open problems, so weak practice shows before closure; at
    closure the problem is awaiting sign-off (in assessment) or just closed. Every
    scoring is a new row; the total is computed here, never typed in.
    """
    require(by, "jps.score_quality", problem)
    if occasion not in QualityScore.Occasion.values:
        raise ValidationError({"occasion": "Choose when the record is scored: at review or at closure."})
    if occasion == QualityScore.Occasion.REVIEW and not problem.is_open:
        raise ValidationError({"occasion": "A closed problem is scored at closure, not at review."})
    if occasion == QualityScore.Occasion.CLOSURE and problem.stage not in (Stage.ASSESSMENT, Stage.CLOSED):
        raise ValidationError({"occasion": "A problem is scored at closure once it is in assessment or closed."})
    score = QualityScore(
        problem=problem,
        scored_by=by,
        occasion=occasion,
        specific_statement=specific_statement,
        analysis_triangle=analysis_triangle,
        measurable_objective=measurable_objective,
        responses_linked=responses_linked,
        partners_involved=partners_involved,
        assessment_evidence=assessment_evidence,
        comment=comment,
    )
    score.total = score.count_met()
    save(score, by=by, reason=f"Quality scored {score.total}/{len(QUALITY_FIELDS)}")
    return score


def quality_score_suggestion(problem: Problem) -> dict[str, bool]:
    """What the record itself shows, to pre-tick the checklist; the supervisor has the last word."""
    analysis = getattr(problem, "analysis", None)
    assessment = getattr(problem, "assessment", None)
    has_actions = problem.actions.exists()
    return {
        "specific_statement": len(problem.problem_statement.split()) >= 8,
        "analysis_triangle": bool(
            analysis and analysis.victim.strip() and analysis.offender.strip() and analysis.location.strip()
        ),
        "measurable_objective": bool(analysis and analysis.objective.strip()),
        "responses_linked": bool(analysis and has_actions),
        "partners_involved": Participation.objects.filter(problem=problem).exists()
        or problem.actions.exclude(agency_id=problem.lead_agency_id).exists(),
        "assessment_evidence": bool(
            assessment
            and assessment.measure_before.strip()
            and assessment.measure_after.strip()
            and assessment.displacement_checked
        ),
    }


def quality_scores_for(problem: Problem) -> QuerySet[QualityScore]:
    """A problem's scorings, newest first (shown on the problem to anyone who can see it)."""
    return QualityScore.objects.filter(problem=problem).select_related("scored_by").order_by("-scored_at", "-id")


# --- best practice -----------------------------------------------------------------------------


@transaction.atomic
def best_practice_mark(*, problem: Problem, by: User, best_practice: bool = True) -> Evaluation:
    """A supervisor of the district or an analyst marks (or unmarks) an evaluated problem as best practice.

    Best practice must be effective and transferable: only a green evaluation may be
    marked, and one that is not yet flagged transferable becomes so, because the
    good-practice write-up is for sharing with other forces.
    """
    require(by, "jps.mark_best_practice", problem)
    evaluation = Evaluation.objects.select_for_update().get(problem=problem)
    if best_practice and evaluation.rating != Evaluation.Rating.GREEN:
        raise ValidationError({"best_practice": "Only an effective (green) evaluation can be marked best practice."})
    evaluation.best_practice = best_practice
    if best_practice:
        evaluation.transferable = True
    reason = "Marked best practice" if best_practice else "Best practice mark removed"
    save(evaluation, by=by, reason=reason, update_fields=["best_practice", "transferable"])
    return evaluation


# --- the best-practice library --------------------------------------------------------------


@dataclass(frozen=True)
class LibraryFilters:
    """What the library page filters by; empty values mean 'any'."""

    q: str = ""
    category: str = ""  # category slug
    tag: str = ""  # best-practice tag slug
    response_type: str = ""  # Action.Type value
    rating: str = ""  # Evaluation.Rating value
    district: int | None = None
    best_practice_only: bool = False

    @classmethod
    def from_query(cls, params: Any) -> LibraryFilters:
        """Read filters from a GET query; unknown values are dropped rather than failing."""
        district = params.get("district", "")
        response_type = params.get("response_type", "")
        rating = params.get("rating", "")
        return cls(
            q=params.get("q", "").strip()[:200],
            category=params.get("category", "").strip()[:120],
            tag=params.get("tag", "").strip()[:80],
            response_type=response_type if response_type in Action.Type.values else "",
            rating=rating if rating in Evaluation.Rating.values else "",
            district=int(district) if str(district).isdigit() else None,
            best_practice_only=params.get("best_practice", "") in {"1", "on", "true"},
        )


def library_visible_to(user: Any) -> QuerySet[Evaluation]:
    """Evaluations of the problems ``user`` may read in the library (see ``rules.library_scope_q``)."""
    readable = Problem.objects.filter(library_scope_q(user)).values("pk")
    return (
        Evaluation.objects.filter(problem_id__in=readable)
        .select_related(
            "problem",
            "problem__category",
            "problem__district",
            "problem__neighbourhood",
            "problem__assessment",
            "analyst",
        )
        .prefetch_related("tags")
    )


def _text_match(text: str) -> Q:
    """Evaluations whose problem or evaluation text contains every word of ``text``.

    A word may be in the problem (title, statement) or in the evaluation (what worked,
    what did not, learning). On PostgreSQL each word is two semi-joins, each answered
    by its own GIN index, with English stemming ("lights" finds "lighting"); on SQLite
    each word must appear, case-insensitively, in one of the same fields.
    """
    condition = Q()
    for word in _words(text, limit=8, min_length=2):
        if uses_postgres():
            query = SearchQuery(word, config=SEARCH_CONFIG)
            problems = (
                Problem.objects.annotate(document=SearchVector(*PROBLEM_SEARCH_FIELDS, config=SEARCH_CONFIG))
                .filter(document=query)
                .values("pk")
            )
            evaluations = (
                Evaluation.objects.annotate(document=SearchVector(*EVALUATION_SEARCH_FIELDS, config=SEARCH_CONFIG))
                .filter(document=query)
                .values("pk")
            )
            condition &= Q(problem_id__in=problems) | Q(pk__in=evaluations)
            continue
        any_field = Q()
        for name in PROBLEM_SEARCH_FIELDS:
            any_field |= Q(**{f"problem__{name}__icontains": word})
        for name in EVALUATION_SEARCH_FIELDS:
            any_field |= Q(**{f"{name}__icontains": word})
        condition &= any_field
    return condition


def library_search(*, user: Any, filters: LibraryFilters) -> QuerySet[Evaluation]:
    """The library as ``user`` sees it, filtered; best matches (or newest) first."""
    results = library_visible_to(user)
    if filters.category:
        results = results.filter(problem__category__slug=filters.category)
    if filters.tag:
        results = results.filter(tags__slug=filters.tag)
    if filters.response_type:
        typed = Action.objects.filter(problem_id=OuterRef("problem_id"), action_type=filters.response_type)
        results = results.filter(Exists(typed))
    if filters.rating:
        results = results.filter(rating=filters.rating)
    if filters.district:
        results = results.filter(problem__district_id=filters.district)
    if filters.best_practice_only:
        results = results.filter(best_practice=True)
    if filters.q:
        results = results.filter(_text_match(filters.q))
        if uses_postgres():
            document = SearchVector(
                *(f"problem__{name}" for name in PROBLEM_SEARCH_FIELDS),
                *EVALUATION_SEARCH_FIELDS,
                config=SEARCH_CONFIG,
            )
            query = SearchQuery(" ".join(_words(filters.q, limit=8, min_length=2)), config=SEARCH_CONFIG)
            results = results.annotate(rank=SearchRank(document, query))
            return results.order_by("-rank", "-best_practice", "-evaluated_at", "-pk").distinct()
    return results.order_by("-best_practice", "-evaluated_at", "-pk").distinct()


# --- similar problems -----------------------------------------------------------------------

_STOPWORDS = frozenset(
    """a about after again all also an and any are around as at be been before being between both but by
    can could did do does during each for from had has have he her here him his how in into is it its just
    more most near new no not of off on once only or other our out over own same she should so some such
    than that the their them then there these they this those through to too under until up very was we
    were what when where which while who why will with would you your youths people area""".split()  # noqa: SIM905
)
_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str, *, limit: int = 12, min_length: int = 3) -> list[str]:
    """Distinct significant words of ``text``, in order, lower-cased."""
    seen: list[str] = []
    for word in _WORD.findall(text.lower()):
        if len(word) >= min_length and word not in _STOPWORDS and word not in seen:
            seen.append(word)
        if len(seen) >= limit:
            break
    return seen


def similar_problems(*, user: Any, problem: Problem, limit: int = 5) -> QuerySet[Evaluation]:
    """Evaluated problems like ``problem``: same category, same kind of neighbourhood, shared words.

    Ranked by how much text they share (full-text rank on PostgreSQL, a count of
    shared words elsewhere), then best practice and green first. Only problems the
    user may read in the library are suggested.
    """
    words = _words(f"{problem.title} {problem.problem_statement}")
    if not words:
        return Evaluation.objects.none()
    candidates = (
        library_visible_to(user)
        .filter(
            problem__category_id=problem.category_id,
            problem__neighbourhood__character=problem.neighbourhood.character,
        )
        .exclude(problem_id=problem.pk)
    )
    green_first = Case(When(rating=Evaluation.Rating.GREEN, then=Value(0)), default=Value(1))
    if uses_postgres():
        document = SearchVector(*(f"problem__{name}" for name in PROBLEM_SEARCH_FIELDS), config=SEARCH_CONFIG)
        query = SearchQuery(" | ".join(words), config=SEARCH_CONFIG, search_type="raw")
        matched = (
            Problem.objects.annotate(document=SearchVector(*PROBLEM_SEARCH_FIELDS, config=SEARCH_CONFIG))
            .filter(document=query)
            .values("pk")
        )
        ranked = candidates.filter(problem_id__in=matched).annotate(shared=SearchRank(document, query))
    else:
        shared: Any = Value(0)
        for word in words:
            in_text = Q(problem__title__icontains=word) | Q(problem__problem_statement__icontains=word)
            shared = shared + Case(When(in_text, then=Value(1)), default=Value(0), output_field=IntegerField())
        ranked = candidates.annotate(shared=shared).filter(shared__gt=0)
    return ranked.order_by(F("shared").desc(), "-best_practice", green_first, "-evaluated_at")[:limit]


# --- the good-practice write-up ----------------------------------------------------------------


def good_practice_writeup(*, user: Any, problem_id: int | str) -> dict[str, Any]:
    """The recognised good-practice format for a best-practice problem the user may read.

    Raises ``Evaluation.DoesNotExist`` (callers answer 404) if the problem is not
    best practice or not readable by ``user``.
    """
    evaluation = (
        library_visible_to(user)
        .select_related("problem__owner", "problem__lead_agency")
        .get(problem_id=problem_id, best_practice=True)
    )
    problem = evaluation.problem
    # A missing reverse one-to-one raises an AttributeError subclass, so getattr's default applies.
    analysis = getattr(problem, "analysis", None)
    assessment = getattr(problem, "assessment", None)
    actions = list(problem.actions.select_related("agency").order_by("action_type", "id"))
    partners = sorted({a.agency.name for a in actions} | {p.agency.name for p in problem.participations.all()})
    return {
        "evaluation": evaluation,
        "problem": problem,
        "analysis": analysis,
        "assessment": assessment,
        "actions": actions,
        "partners": partners,
        "latest_quality": quality_scores_for(problem).first(),
        "generated_at": timezone.now(),
    }


# --- evaluation (the analyst's record of a closed problem) ------------------------------------


# --- evaluation -----------------------------------------------------------------------------

#: What recording an evaluation (again) writes: an analyst's re-evaluation replaces all of it.
EVALUATION_RECORDED = (
    "analyst",
    "rating",
    "learning",
    "what_worked",
    "what_did_not",
    "transferable",
    "best_practice",
)


@transaction.atomic
def evaluation_record(
    *,
    problem: Problem,
    by: User,
    rating: str,
    learning: str,
    what_worked: str = "",
    what_did_not: str = "",
    transferable: bool = False,
    best_practice: bool = False,
    tags: Iterable[str] = (),
    learning_needs: Iterable[dict[str, Any]] = (),
) -> Evaluation:
    """An analyst evaluates a closed problem: colour, learning, tags and learning needs."""
    require(by, "jps.evaluate_problem", problem)
    if problem.is_open:
        raise ValidationError({"problem": "Only closed problems are evaluated."})
    if best_practice and rating != Evaluation.Rating.GREEN:
        raise ValidationError({"best_practice": "Only an effective (green) evaluation can be best practice."})
    evaluation = Evaluation.objects.filter(problem=problem).first() or Evaluation(problem=problem, analyst=by)
    evaluation.analyst = by
    evaluation.rating = rating
    evaluation.learning = learning
    evaluation.what_worked = what_worked
    evaluation.what_did_not = what_did_not
    evaluation.transferable = transferable
    evaluation.best_practice = best_practice
    save(evaluation, by=by, update_fields=EVALUATION_RECORDED)
    tag_objects = []
    for name in {t.strip() for t in tags if t.strip()}:
        slug = "-".join(name.lower().split())[:80]
        tag, _ = BestPracticeTag.objects.get_or_create(slug=slug, defaults={"name": name[:80]})
        tag_objects.append(tag)
    evaluation.tags.set(tag_objects)
    for need in learning_needs:
        item = LearningNeed(evaluation=evaluation, district_id=problem.district_id, **need)
        save(item, by=by)
    return evaluation


# --- what an analyst or trainer sees -----------------------------------------------------------


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


def evaluations_visible_to(user: Any) -> QuerySet[Evaluation]:
    """Evaluations of problems the user can see (for analysts: their force's closed problems)."""
    visible = problem_ids_visible_to(user)
    return Evaluation.objects.filter(problem_id__in=visible)
