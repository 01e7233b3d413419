"""Every dashboard figure against the hand-counted world in conftest.py, and who sees what."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jps import models as m
from jps.insight import figures as mi
from tests import factories as f

from .conftest import NOW, TODAY, at

pytestmark = pytest.mark.django_db


def rows(figure):  # type: ignore[no-untyped-def]
    return [tuple(r) for r in figure.rows]


def test_by_stage_admin_sees_every_problem(world, admin_user):
    figure = mi.problems_by_stage(user=admin_user)
    assert rows(figure) == [
        ("Scanning", 1),
        ("Analysis", 1),
        ("Response", 1),
        ("Assessment", 1),
        ("Closed", 1),
        ("Closed without action", 1),
    ]
    assert figure.total == 6
    assert figure.extra == {"open": 4, "closed": 2}


def test_by_stage_partner_sees_only_problems_their_agency_takes_part_in(world, partner_user, other_partner):
    # The council leads P2 and takes part in P4; nothing else.
    figure = mi.problems_by_stage(user=partner_user)
    assert dict(rows(figure)) == {
        "Scanning": 0,
        "Analysis": 1,
        "Response": 1,
        "Assessment": 0,
        "Closed": 0,
        "Closed without action": 0,
    }
    # Housing takes part only in the closed P3.
    assert figure.extra == {"open": 2, "closed": 0}
    assert mi.problems_by_stage(user=other_partner).extra == {"open": 0, "closed": 1}


def test_by_stage_supervisor_sees_own_district(world, supervisor):
    assert mi.problems_by_stage(user=supervisor).extra == {"open": 2, "closed": 1}


def test_by_category(world, admin_user, partner_user):
    assert rows(mi.problems_by(user=admin_user, dimension="category")) == [
        ("Anti-social behaviour: rowdy and inconsiderate", 4, 0, 4),
        ("Drug dealing", 0, 2, 2),
    ]
    assert rows(mi.problems_by(user=partner_user, dimension="category")) == [
        ("Anti-social behaviour: rowdy and inconsiderate", 2, 0, 2),
    ]


def test_by_source_uses_the_readable_labels(world, admin_user):
    assert rows(mi.problems_by(user=admin_user, dimension="source")) == [
        ("PACT meeting", 2, 1, 3),
        ("Call or incident data", 1, 0, 1),
        ("Community contact", 0, 1, 1),
        ("Partner referral", 1, 0, 1),
    ]


def test_by_district_and_neighbourhood(world, admin_user, supervisor):
    assert rows(mi.problems_by(user=admin_user, dimension="district")) == [
        ("Canterbury", 2, 1, 3),
        ("Dover", 2, 1, 3),
    ]
    assert rows(mi.problems_by(user=supervisor, dimension="neighbourhood")) == [("Northgate", 2, 1, 3)]


def test_unknown_dimension_is_a_clear_error(admin_user):
    with pytest.raises(ValueError, match="Unknown dimension"):
        mi.problems_by(user=admin_user, dimension="colour")


def test_reviews_overdue(world, admin_user, partner_user):
    figure = mi.reviews_overdue_by_district(user=admin_user, today=TODAY)
    # P1 and P4 are past due; P6 is due today, which is not overdue; closed problems never are.
    assert rows(figure) == [("Canterbury", 1, 2), ("Dover", 1, 2)]
    assert figure.total == 2
    assert rows(mi.reviews_overdue_by_district(user=partner_user, today=TODAY)) == [
        ("Dover", 1, 1),
        ("Canterbury", 0, 1),
    ]


def test_actions_by_agency_and_completion_rate(world, admin_user, partner_user):
    figure = mi.actions_by_agency(user=admin_user, today=TODAY)
    assert rows(figure) == [
        # agency, actions, done, open, overdue, cancelled, completion rate (done / not cancelled)
        ("Canterbury City Council", 3, 1, 1, 0, 1, 50.0),
        ("Kent Police", 2, 1, 1, 1, 0, 50.0),
        ("Orbit Housing", 1, 1, 0, 0, 0, 100.0),
    ]
    # The council sees only actions on P2 and P4: its own three.
    assert rows(mi.actions_by_agency(user=partner_user, today=TODAY)) == [
        ("Canterbury City Council", 3, 1, 1, 0, 1, 50.0)
    ]


def test_public_priorities_without_a_monthly_update(world, admin_user, supervisor, partner_user):
    figure = mi.public_priorities_without_update(user=admin_user, now=NOW)
    # P1 was updated 10 days ago; P2 was adopted only 10 days ago; P6's last approved update is 45 days old
    # (its pending one does not count).
    assert [(r[0], r[2], r[5]) for r in figure.rows] == [(world.problems["P6"].reference, "Dover", "2026-05-01")]
    assert figure.total == 1
    assert figure.extra["by_district"] == [("Dover", 1)]
    assert mi.public_priorities_without_update(user=supervisor, now=NOW).total == 0
    # Without any update at all, P1 too would be stale.
    m.ProgressUpdate.objects.filter(problem=world.problems["P1"]).delete()
    assert mi.public_priorities_without_update(user=admin_user, now=NOW).total == 2
    assert mi.public_priorities_without_update(user=partner_user, now=NOW).total == 0


def score(problem, by, when, **criteria):  # type: ignore[no-untyped-def]
    s = m.QualityScore(problem=problem, scored_by=by, occasion="review", scored_at=when, **criteria)
    s.total = s.count_met()
    s.save()
    return s


ALL = dict(
    specific_statement=True,
    analysis_triangle=True,
    measurable_objective=True,
    responses_linked=True,
    partners_involved=True,
    assessment_evidence=True,
)


def test_quality_by_district_uses_each_problems_latest_score(world, admin_user, supervisor, partner_user):
    p = world.problems
    score(p["P1"], supervisor, NOW - datetime.timedelta(days=30), specific_statement=True, analysis_triangle=True)
    score(
        p["P1"],
        supervisor,
        NOW - datetime.timedelta(days=1),
        specific_statement=True,
        analysis_triangle=True,
        measurable_objective=True,
        responses_linked=True,
    )
    score(p["P4"], supervisor, NOW, specific_statement=True, analysis_triangle=True, partners_involved=True)
    score(p["P6"], supervisor, NOW, **ALL)
    figure = mi.quality_by_district(user=admin_user)
    assert rows(figure) == [
        ("Canterbury", 1, 4.0, 100.0, 100.0, 100.0, 100.0, 0.0, 0.0),
        ("Dover", 2, 4.5, 100.0, 100.0, 50.0, 50.0, 100.0, 50.0),
    ]
    assert rows(mi.quality_by_district(user=supervisor)) == [
        ("Canterbury", 1, 4.0, 100.0, 100.0, 100.0, 100.0, 0.0, 0.0)
    ]
    assert rows(mi.quality_by_district(user=partner_user)) == [("Dover", 1, 3.0, 100.0, 100.0, 0.0, 0.0, 100.0, 0.0)]


def add_needs(problem, analyst, needs):  # type: ignore[no-untyped-def]
    evaluation = m.Evaluation.objects.create(problem=problem, analyst=analyst, rating="amber", learning="Lessons")
    for skill, when in needs:
        m.LearningNeed.objects.create(evaluation=evaluation, district=problem.district, skill=skill, created_at=when)


def test_learning_needs_by_district_skill_and_month(world, analyst, training_manager, partner_user, pcso):
    p = world.problems
    jan, feb = at(datetime.date(2026, 1, 14)), at(datetime.date(2026, 2, 10))
    add_needs(p["P3"], analyst, [("Problem analysis", jan), ("Problem analysis", jan), ("Problem analysis", feb)])
    add_needs(p["P5"], analyst, [("Partnership working", feb)])
    figure = mi.learning_needs_by_month(user=training_manager)
    assert rows(figure) == [
        ("Canterbury", "Problem analysis", "January 2026", 2),
        ("Canterbury", "Problem analysis", "February 2026", 1),
        ("Dover", "Partnership working", "February 2026", 1),
    ]
    assert figure.total == 4
    assert rows(mi.learning_needs_by(user=training_manager, dimension="skill")) == [
        ("Problem analysis", 3),
        ("Partnership working", 1),
    ]
    assert rows(mi.learning_needs_by(user=analyst, dimension="district")) == [("Canterbury", 3), ("Dover", 1)]
    assert mi.learning_needs_by_month(user=partner_user).rows == []
    assert mi.learning_needs_by_month(user=pcso).rows == []


def walk(problem, steps):  # type: ignore[no-untyped-def]
    """Replay stage changes at given days, each saved at that moment (so in the history too) with the
    ``StageChange`` row ``services.problem_transition`` writes, the figure's source."""
    start = datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)
    for day, stage in steps:
        when = start + datetime.timedelta(days=day)
        with time_machine.travel(when, tick=False):
            if stage is not None:
                m.StageChange.objects.create(
                    problem=problem,
                    from_stage=problem.stage,
                    to_stage=stage,
                    from_entered_at=problem.stage_changed_at,
                    at=when,
                    district_id=problem.district_id,
                    force_id=problem.force_id,
                )
                problem.stage = stage
                problem.stage_changed_at = when
            problem.save()  # stage None: an edit within the stint


@pytest.fixture
def stage_walks(pcso, neighbourhood, category):  # type: ignore[no-untyped-def]
    S = m.Stage
    start = datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)
    made = []
    for _ in range(3):
        with time_machine.travel(start, tick=False):
            made.append(f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category))
    a, b, c = made
    walk(a, [(2, S.ANALYSIS), (5, S.RESPONSE), (15, S.ASSESSMENT), (16, S.CLOSED)])
    walk(b, [(4, S.ANALYSIS), (7, None), (10, S.RESPONSE)])
    walk(c, [(1, S.ANALYSIS), (2, S.SCANNING), (5, S.ANALYSIS)])
    return made


EXPECTED_MEDIANS = [
    # scanning stints 2, 4, 1, 3; analysis 3, 6, 1 (c's second still running); response 10; assessment 1
    ("Scanning", 2.5, 4),
    ("Analysis", 3.0, 3),
    ("Response", 10.0, 1),
    ("Assessment", 1.0, 1),
]


def test_median_days_in_stage_from_the_history(stage_walks, admin_user, partner_user):
    assert rows(mi.median_days_in_stage(user=admin_user)) == EXPECTED_MEDIANS
    assert rows(mi.median_days_in_stage(user=admin_user, method="portable")) == EXPECTED_MEDIANS
    # The council takes part in none of them.
    assert rows(mi.median_days_in_stage(user=partner_user)) == [
        ("Scanning", None, 0),
        ("Analysis", None, 0),
        ("Response", None, 0),
        ("Assessment", None, 0),
    ]


def test_every_figure_works_for_a_scope_that_sees_nothing(stage_walks, training_manager, call_handler):
    # A training manager sees no problems; the median's raw SQL must still run.
    for slug in mi.FIGURES:
        mi.figure(user=training_manager, slug=slug)
    assert rows(mi.median_days_in_stage(user=training_manager))[0] == ("Scanning", None, 0)
    assert mi.problems_by_stage(user=training_manager).total == 0


def test_median_days_in_stage_reads_stage_changes_not_the_history(stage_walks, admin_user, django_assert_num_queries):
    """The figure is the stage-change rows: without the history it is unchanged, in one query (after the scope's)."""
    m.Problem.history.all().delete()
    with django_assert_num_queries(1) as captured:
        assert rows(mi.median_days_in_stage(user=admin_user)) == EXPECTED_MEDIANS
    assert "jps_historicalproblem" not in captured.captured_queries[0]["sql"]
    assert "jps_stagechange" in captured.captured_queries[0]["sql"]
    m.StageChange.objects.filter(from_stage=m.Stage.RESPONSE).delete()  # a's response stint: the figure follows
    assert rows(mi.median_days_in_stage(user=admin_user))[2] == ("Response", None, 0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="percentile_cont is PostgreSQL's")
def test_median_percentile_cont_path_agrees_with_portable_path(stage_walks, admin_user):
    assert rows(mi.median_days_in_stage(user=admin_user, method="percentile")) == EXPECTED_MEDIANS


def test_every_figure_is_a_fixed_number_of_queries(world, admin_user):
    """Aggregates, not loops: the query count does not grow with the data."""
    counts = {}
    for slug in mi.FIGURES:
        with CaptureQueriesContext(connection) as before:
            mi.figure(user=admin_user, slug=slug)
        counts[slug] = len(before)
    for i in range(5):
        f.ProblemFactory(title=f"extra {i}", neighbourhood=world.problems["P1"].neighbourhood)
    for slug in mi.FIGURES:
        with CaptureQueriesContext(connection) as after:
            mi.figure(user=admin_user, slug=slug)
        assert len(after) == counts[slug], slug
        assert counts[slug] <= 3, slug
