"""Quality scoring and best-practice marking: who may, when, and what is recorded."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jps import insight
from jps import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_supervisor_scores_at_review_and_the_total_is_computed(problem, supervisor):
    score = insight.quality_score_record(
        problem=problem,
        by=supervisor,
        occasion="review",
        specific_statement=True,
        analysis_triangle=True,
        partners_involved=True,
        comment="Needs a measurable objective.",
    )
    assert score.total == 3
    assert score.criteria()[2] == ("A measurable objective", False)
    assert score.history.first().history_user == supervisor
    assert list(insight.quality_scores_for(problem)) == [score]


def test_only_a_supervisor_of_the_district_scores(problem, pcso, other_supervisor, partner_user, analyst):
    for user in (pcso, other_supervisor, partner_user, analyst):
        with pytest.raises(PermissionDenied):
            insight.quality_score_record(problem=problem, by=user, occasion="review")
    assert not m.QualityScore.objects.exists()


def test_occasion_must_fit_the_stage(problem, supervisor):
    with pytest.raises(ValidationError) as error:
        insight.quality_score_record(problem=problem, by=supervisor, occasion="closure")
    assert "occasion" in error.value.message_dict
    with pytest.raises(ValidationError):
        insight.quality_score_record(problem=problem, by=supervisor, occasion="whenever")
    problem.stage = m.Stage.CLOSED
    problem.save()
    with pytest.raises(ValidationError):
        insight.quality_score_record(problem=problem, by=supervisor, occasion="review")
    assert (
        insight.quality_score_record(
            problem=problem, by=supervisor, occasion="closure", **dict.fromkeys(m.QUALITY_FIELDS, True)
        ).total
        == 6
    )


def test_suggestion_reads_the_record(problem, pcso, council):
    assert insight.quality_score_suggestion(problem) == {
        "specific_statement": True,
        "analysis_triangle": False,
        "measurable_objective": False,
        "responses_linked": False,
        "partners_involved": False,
        "assessment_evidence": False,
    }
    m.Analysis.objects.create(
        problem=problem, victim="Shop staff", offender="Teenagers", location="Parade", objective="Halve calls"
    )
    m.Action.objects.create(
        problem=problem, agency=council, action_type="prevention", description="Lighting", created_by=pcso
    )
    problem.refresh_from_db()
    suggested = insight.quality_score_suggestion(problem)
    assert suggested["analysis_triangle"] and suggested["measurable_objective"]
    assert suggested["responses_linked"] and suggested["partners_involved"]
    assert not suggested["assessment_evidence"]


@pytest.fixture
def closed_problem(problem):  # type: ignore[no-untyped-def]
    problem.stage = m.Stage.CLOSED
    problem.save()
    return problem


def evaluate(problem, analyst, rating="green"):  # type: ignore[no-untyped-def]
    from jps import services

    return services.evaluation_record(
        problem=problem, by=analyst, rating=rating, learning="Lighting and patrols worked."
    )


def test_analyst_or_supervisor_marks_green_evaluation_best_practice(closed_problem, analyst, supervisor):
    evaluate(closed_problem, analyst)
    evaluation = insight.best_practice_mark(problem=closed_problem, by=analyst)
    assert evaluation.best_practice and evaluation.transferable
    assert evaluation.history.first().history_change_reason == "Marked best practice"
    evaluation = insight.best_practice_mark(problem=closed_problem, by=supervisor, best_practice=False)
    assert not m.Evaluation.objects.get(pk=evaluation.pk).best_practice


def test_best_practice_needs_an_evaluation_and_green(closed_problem, analyst):
    with pytest.raises(PermissionDenied):
        insight.best_practice_mark(problem=closed_problem, by=analyst)
    evaluate(closed_problem, analyst, rating="amber")
    with pytest.raises(ValidationError) as error:
        insight.best_practice_mark(problem=closed_problem, by=analyst)
    assert "best_practice" in error.value.message_dict


def test_others_cannot_mark_best_practice(
    closed_problem, analyst, pcso, partner_user, other_supervisor, training_manager
):
    evaluate(closed_problem, analyst)
    for user in (pcso, partner_user, other_supervisor, training_manager):
        with pytest.raises(PermissionDenied):
            insight.best_practice_mark(problem=closed_problem, by=user)
    other_force_analyst = f.UserFactory(
        role=m.User.Role.ANALYST,
        agency=f.PoliceAgencyFactory(
            name="Sussex Police", force=f.ForceFactory(code="SXP", name="Sussex", slug="sussex")
        ),
    )
    with pytest.raises(PermissionDenied):
        insight.best_practice_mark(problem=closed_problem, by=other_force_analyst)
    assert not m.Evaluation.objects.get(problem=closed_problem).best_practice
