"""One problem walked through every SARA stage, with each refusal and its message."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from jps import services
from jps.models import Action, Assessment, Problem, Source, Stage, SupervisoryReview

pytestmark = pytest.mark.django_db


def log_problem(pcso, neighbourhood, category, **extra):  # type: ignore[no-untyped-def]
    return services.problem_create(
        by=pcso,
        neighbourhood=neighbourhood,
        category=category,
        source=Source.PACT_MEETING,
        originator="Northgate PACT meeting, 3 March",
        title="Youths gathering at Northgate parade",
        description="Groups drinking and shouting outside the off-licence; residents feel intimidated.",
        **extra,
    )


def test_logging_gives_a_readable_reference_and_starts_the_review_clock(pcso, neighbourhood, category):
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)):
        first = log_problem(pcso, neighbourhood, category, risk="high")
        second = log_problem(pcso, neighbourhood, category)
    assert first.reference == "KNT-2026-00001"
    assert second.reference == "KNT-2026-00002"
    assert first.stage == Stage.SCANNING
    assert first.owner == pcso and first.lead_agency == pcso.agency
    assert first.review_interval_days == 14
    assert first.next_review_due == datetime.date(2026, 3, 15)
    assert second.next_review_due == datetime.date(2026, 4, 26)  # standard risk: 56 days
    assert first.history.count() == 1
    assert first.history.first().history_user == pcso


def test_source_and_originator_are_mandatory(pcso, neighbourhood, category):
    with pytest.raises(ValidationError) as error:
        services.problem_create(
            by=pcso,
            neighbourhood=neighbourhood,
            category=category,
            source="",
            originator="",
            title="Speeding outside the school",
            description="Cars speeding at pick-up time.",
        )
    assert {"source", "originator"} <= set(error.value.message_dict)
    assert not Problem.objects.exists()


def test_officer_cannot_log_in_another_district(pcso, other_neighbourhood, category):
    with pytest.raises(ValidationError) as error:
        log_problem(pcso, other_neighbourhood, category)
    assert "neighbourhood" in error.value.message_dict


def test_full_sara_walk_with_refusals(pcso, supervisor, council, neighbourhood, category):
    problem = log_problem(pcso, neighbourhood, category, problem_statement="")

    # Scanning → analysis needs a problem statement.
    with pytest.raises(services.TransitionRefused) as refused:
        services.problem_transition(problem=problem, to=Stage.ANALYSIS, by=pcso)
    assert "problem statement" in refused.value.message
    services.problem_update(
        problem=problem,
        by=pcso,
        problem_statement="Youths gathering outside the off-licence on Northgate parade, 7-10pm, deterring customers.",
    )
    services.problem_transition(problem=problem, to=Stage.ANALYSIS, by=pcso)
    assert problem.stage == Stage.ANALYSIS

    # Skipping a stage is refused.
    with pytest.raises(services.TransitionRefused) as refused:
        services.problem_transition(problem=problem, to=Stage.CLOSED, by=supervisor)
    assert "cannot move to Closed" in refused.value.message

    # Analysis → response needs the triangle and an objective, and names what is missing.
    services.analysis_save(problem=problem, by=pcso, victim="Shop staff and customers")
    with pytest.raises(services.TransitionRefused) as refused:
        services.problem_transition(problem=problem, to=Stage.RESPONSE, by=pcso)
    assert refused.value.missing == [
        "the offender in the analysis",
        "the location in the analysis",
        "a measurable objective",
    ]
    services.analysis_save(
        problem=problem,
        by=pcso,
        offender="Group of 8-10 teenagers from the estate",
        location="Parade forecourt; poor lighting; shop manager willing to help",
        objective="Halve ASB calls about the parade within three months",
    )
    services.problem_transition(problem=problem, to=Stage.RESPONSE, by=pcso)

    # Response → assessment needs a completed action.
    with pytest.raises(services.TransitionRefused) as refused:
        services.problem_transition(problem=problem, to=Stage.ASSESSMENT, by=pcso)
    assert refused.value.missing == ["at least one action in the response plan"]
    action = services.action_add(
        problem=problem,
        by=pcso,
        action_type=Action.Type.PREVENTION,
        description="Improve lighting on the parade forecourt",
        agency=council,
        due_on=datetime.date.today() + datetime.timedelta(days=14),
    )
    assert problem.participations.filter(agency=council).exists()
    with pytest.raises(services.TransitionRefused) as refused:
        services.problem_transition(problem=problem, to=Stage.ASSESSMENT, by=pcso)
    assert refused.value.missing == ["at least one action completed with its result"]
    with pytest.raises(ValidationError) as error:
        services.action_update(action=action, by=pcso, status=Action.Status.DONE)
    assert "result" in error.value.message_dict
    services.action_update(action=action, by=pcso, status=Action.Status.DONE, result="Two new lamps fitted")
    services.problem_transition(problem=problem, to=Stage.ASSESSMENT, by=pcso)

    # Assessment → closed: the owner cannot close alone; the supervisor needs an assessment.
    with pytest.raises(PermissionDenied):
        services.problem_transition(problem=problem, to=Stage.CLOSED, by=pcso)
    with pytest.raises(services.TransitionRefused) as refused:
        services.problem_transition(problem=problem, to=Stage.CLOSED, by=supervisor)
    assert "assessment" in refused.value.message
    services.assessment_save(
        problem=problem,
        by=pcso,
        outcome=Assessment.Outcome.REDUCED,
        reduction_percent=60,
        measure_before="22 calls in 3 months",
        measure_after="9 calls in 3 months",
        displacement_checked=True,
        objective_met="Calls fell by 60%, beating the 50% objective",
        evidence="Call data from the command system, Jan-Mar vs Apr-Jun",
    )
    services.problem_request_closure(problem=problem, by=pcso)
    assert problem.closure_requested_at is not None
    services.problem_transition(problem=problem, to=Stage.CLOSED, by=supervisor, reason="Objective met")
    problem.refresh_from_db()
    assert problem.stage == Stage.CLOSED
    assert problem.closed_by == supervisor
    assert problem.next_review_due is None

    stages = [h.stage for h in problem.history.order_by("history_date")]
    assert stages[-1] == Stage.CLOSED
    assert {Stage.SCANNING, Stage.ANALYSIS, Stage.RESPONSE, Stage.ASSESSMENT} <= set(stages)
    closer = problem.history.filter(stage=Stage.CLOSED).first()
    assert closer.history_user == supervisor
    assert "Sign off and close" in closer.history_change_reason

    # Reopening is for a supervisor, with a reason, and restarts the review clock.
    with pytest.raises(services.TransitionRefused):
        services.problem_transition(problem=problem, to=Stage.RESPONSE, by=supervisor)
    services.problem_transition(problem=problem, to=Stage.RESPONSE, by=supervisor, reason="Calls rising again")
    assert problem.stage == Stage.RESPONSE and problem.next_review_due is not None


def test_close_without_action_needs_a_reason_and_a_supervisor(pcso, supervisor, problem):
    with pytest.raises(PermissionDenied):
        services.problem_transition(problem=problem, to=Stage.CLOSED_NO_ACTION, by=pcso, reason="Duplicate")
    with pytest.raises(services.TransitionRefused) as refused:
        services.problem_transition(problem=problem, to=Stage.CLOSED_NO_ACTION, by=supervisor)
    assert refused.value.missing == ["a reason"]
    services.problem_transition(problem=problem, to=Stage.CLOSED_NO_ACTION, by=supervisor, reason="Duplicate of 12")
    assert problem.closure_reason == "Duplicate of 12"


def test_a_stale_copy_cannot_win_a_race(pcso, supervisor, problem):
    stale = Problem.objects.get(pk=problem.pk)
    services.problem_transition(problem=problem, to=Stage.ANALYSIS, by=pcso)
    with pytest.raises(services.TransitionRefused) as refused:
        services.problem_transition(problem=stale, to=Stage.CLOSED_NO_ACTION, by=supervisor, reason="x")
    assert refused.value.conflict
    assert Problem.objects.get(pk=problem.pk).stage == Stage.ANALYSIS


def test_review_clock_overdue_is_a_query(pcso, supervisor, problem):
    today = datetime.date.today()
    problem.next_review_due = today - datetime.timedelta(days=3)
    problem.save()
    assert list(Problem.objects.review_overdue(today=today)) == [problem]
    assert problem.days_overdue(today) == 3

    review = services.review_record(problem=problem, by=supervisor, comment="Plan looks sound", decision="continue")
    assert review.was_overdue_days == 3
    assert problem.next_review_due == today + datetime.timedelta(days=problem.review_interval_days)
    assert not Problem.objects.review_overdue(today=today).exists()
    with pytest.raises(PermissionDenied):
        services.review_record(problem=problem, by=pcso, comment="Self review", decision="continue")


def test_review_that_closes_without_assessment_is_refused_whole(supervisor, pcso, problem):
    services.problem_transition(problem=problem, to=Stage.ANALYSIS, by=pcso)
    with pytest.raises(services.TransitionRefused):
        services.review_record(problem=problem, by=supervisor, comment="Close it", decision="close")
    assert not SupervisoryReview.objects.exists()


def test_review_can_change_owner_and_escalate(supervisor, problem, police):
    from tests.factories import UserFactory

    new_owner = UserFactory(role="officer", agency=police, neighbourhoods=[problem.neighbourhood])
    services.review_record(
        problem=problem, by=supervisor, comment="Hand to beat officer", decision="change_owner", new_owner=new_owner
    )
    assert Problem.objects.get(pk=problem.pk).owner == new_owner
    services.review_record(problem=problem, by=supervisor, comment="Needs inspector", decision="escalate")
    assert Problem.objects.get(pk=problem.pk).escalated_at is not None
