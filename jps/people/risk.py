"""Victims' risk assessments (issue 18): the questionnaire in use, assessing a victim, who is at high risk.

The risk rule lives here, once:

- a victim's **current risk** is their latest assessment on that problem (``risk_assessments_current``);
- a problem's **risk** is the highest current risk of its victims, set by ``risk_assess`` through
  ``problems.services.problem_update``, so raising it brings the next review forward at once
  (``Problem.review_clock_from``: high, 14 days) and the problem's history says why;
- a **high-risk victim** is one whose current risk is high on an open problem
  (``high_risk_victims_for``, the supervisor's "My work"; ``jps.reminders.victims``, the digest).

Who may assess is ``jps.assess_risk`` and who may read the answers ``jps.view_risk`` / ``risk_scope_q``
(``jps.rules``): police staff who may see the problem's contacts, never a partner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery

from ..base import require, save
from ..models import (
    OPEN_STAGES,
    PersonRole,
    Problem,
    ProblemPerson,
    Risk,
    RiskAssessment,
    RiskQuestion,
    RiskQuestionnaire,
    User,
)
from ..models.risk import risk_rank
from ..problems.services import problem_update
from ..rules import risk_scope_q
from . import risk_questions

Occasion = RiskAssessment.Occasion

# --- reads ---------------------------------------------------------------------------------------


def risk_questionnaire_for(*, problem: Problem | None = None, force_id: int | None = None) -> RiskQuestionnaire | None:
    """The version in use for a problem's force (or ``force_id``): its own latest, else the national default.

    Its questions come prefetched, so checking and scoring answers costs no further query.
    """
    return RiskQuestionnaire.for_force(problem.force_id if problem is not None else force_id)


def risk_assessments_visible_to(user: Any) -> QuerySet[RiskAssessment]:
    """Every assessment ``user`` may read (``jps.rules.risk_scope_q``): none at all for a partner."""
    problems = Problem.objects.filter(risk_scope_q(user)).order_by().values("pk")
    return RiskAssessment.objects.filter(problem_id__in=problems).select_related(
        "link__person", "problem", "questionnaire", "assessed_by"
    )


def risk_assessments_current(queryset: QuerySet[RiskAssessment] | None = None) -> QuerySet[RiskAssessment]:
    """Each victim's latest assessment (by ``assessed_at``, then id): their current risk.

    A correlated subquery per row, answered by the index ``risk_latest_per_link`` (link, -assessed_at, -id).
    """
    latest = RiskAssessment.objects.filter(link_id=OuterRef("link_id")).order_by("-assessed_at", "-id").values("pk")
    queryset = RiskAssessment.objects.all() if queryset is None else queryset
    return queryset.filter(pk=Subquery(latest[:1]))


@dataclass(frozen=True)
class VictimRisk:
    """A victim on a problem and their current assessment (``None`` until they are assessed)."""

    link: ProblemPerson
    current: RiskAssessment | None


def risk_victims_on_problem(*, problem: Problem) -> list[VictimRisk]:
    """The problem's victims, each with their current risk (and its questionnaire's questions, for the
    maximum score): three queries, whatever the number of victims."""
    links = problem.person_links.filter(role=PersonRole.VICTIM).select_related("person").order_by("person__name")
    current = (
        risk_assessments_current(RiskAssessment.objects.filter(problem=problem))
        .select_related("questionnaire", "assessed_by")
        .prefetch_related("questionnaire__questions")
    )
    by_link = {a.link_id: a for a in current}
    return [VictimRisk(link, by_link.get(link.pk)) for link in links]


def high_risk_victims_for(*, user: Any) -> QuerySet[RiskAssessment]:
    """Victims at high risk now on open problems ``user`` may read: a supervisor's districts. One query.

    Each row is the victim's current (latest) assessment, with its person and problem.
    """
    return (
        risk_assessments_current(risk_assessments_visible_to(user))
        .filter(level=Risk.HIGH, problem__stage__in=OPEN_STAGES)
        .select_related("problem__neighbourhood")
        .order_by("-assessed_at", "-id")
    )


def _current_levels(problem: Problem) -> list[str]:
    return list(
        risk_assessments_current(RiskAssessment.objects.filter(problem=problem)).values_list("level", flat=True)
    )


# --- writes --------------------------------------------------------------------------------------


@transaction.atomic
def risk_questionnaire_default_ensure() -> RiskQuestionnaire:
    """The national default as shipped (``risk_questions``), created if there is no national version at all.

    Migration 0022 creates it; this puts it back where the tables were emptied since (a test database
    flushed between tests, a demo loaded into one), so the demo and the tests start from what ships.
    """
    existing = RiskQuestionnaire.objects.filter(force__isnull=True).order_by("-version").first()
    if existing is not None:
        return existing
    default = RiskQuestionnaire.objects.create(
        force=None,
        version=1,
        name=risk_questions.NAME,
        medium_threshold=risk_questions.MEDIUM_THRESHOLD,
        high_threshold=risk_questions.HIGH_THRESHOLD,
    )
    for position, (key, text, weight) in enumerate(risk_questions.QUESTIONS, start=1):
        RiskQuestion.objects.create(questionnaire=default, position=position, key=key, text=text, weight=weight)
    return default


@transaction.atomic
def risk_assess(
    *, link: ProblemPerson, answers: Mapping[str, Any], occasion: str, by: User, notes: str = ""
) -> RiskAssessment:
    """Assess a victim's risk: at first contact, at a supervisory review, or when circumstances change.

    1. checks ``jps.assess_risk`` on the problem (its owner, the district's officers and supervisors,
       administrators; never a partner; open problems only) — the problem's row is locked, so two
       assessments on one problem at once set its risk one after the other;
    2. takes the questionnaire in use for the problem's force and checks the answers against it:
       every question answered yes (true) or no (false), no unknown key; otherwise a
       ``ValidationError`` on ``answers`` and nothing is saved;
    3. scores them (the weights of the "yes" answers) and saves the assessment with the version it
       used, its history naming who assessed, on which occasion, and the level;
    4. sets the problem's risk to the highest current risk of its victims (``_problem_risk_follow``).
    """
    problem = Problem.objects.select_for_update().get(pk=link.problem_id)
    require(by, "jps.assess_risk", problem)
    if link.role != PersonRole.VICTIM:
        raise ValidationError({"link": "Only a victim on a problem is risk assessed."})
    questionnaire = risk_questionnaire_for(problem=problem)
    if questionnaire is None:
        raise ValidationError({"answers": "No risk questionnaire is in use for this force: ask an administrator."})
    checked = questionnaire.answers_check(answers)
    score = questionnaire.score(checked)
    assessment = RiskAssessment(
        link=link,
        problem=problem,
        questionnaire=questionnaire,
        answers=checked,
        score=score,
        level=questionnaire.level_for(score),
        occasion=occasion,
        notes=notes,
        assessed_by=by,
    )
    occasion_label = dict(Occasion.choices).get(occasion, occasion)
    save(assessment, by=by, reason=f"Risk assessed ({occasion_label}): {assessment.level}, score {score}")
    _problem_risk_follow(problem, by=by)
    return assessment


def _problem_risk_follow(problem: Problem, *, by: User) -> None:
    """The problem's risk becomes the highest current risk of its victims, up or down.

    Through ``problem_update``, the one way a problem's content changes: the review interval follows
    the risk, a higher risk brings the next review forward to no later than today plus the new
    interval, and a lower one leaves a review already booked where it is.
    """
    levels = _current_levels(problem)
    if not levels:
        return
    highest = max(levels, key=risk_rank)
    if highest != problem.risk:
        why = f"Risk set to {dict(Risk.choices)[highest].lower()}: the victims' highest current risk"
        problem_update(problem=problem, by=by, reason=why, risk=highest)
