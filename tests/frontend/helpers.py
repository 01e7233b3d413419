"""Build problems in each SARA stage through the services, as the people who would do it."""

from __future__ import annotations

import datetime

from jps import services
from jps.models import Action, Assessment, Problem, Stage


def to_analysis(problem: Problem, by) -> Problem:  # type: ignore[no-untyped-def]
    return services.problem_transition(problem=problem, to=Stage.ANALYSIS, by=by)


def to_response(problem: Problem, by) -> Problem:  # type: ignore[no-untyped-def]
    to_analysis(problem, by)
    services.analysis_save(
        problem=problem,
        by=by,
        victim="Shop staff and customers",
        offender="A group of 10-15 teenagers",
        location="Parade forecourt, no CCTV",
        objective="Halve ASB calls about the parade in three months",
    )
    return services.problem_transition(problem=problem, to=Stage.RESPONSE, by=by)


def add_action(problem: Problem, by, agency, **extra) -> Action:  # type: ignore[no-untyped-def]
    return services.action_add(
        problem=problem,
        by=by,
        action_type=Action.Type.PREVENTION,
        description=extra.pop("description", "Cut back the hedges and fix the lighting"),
        agency=agency,
        due_on=extra.pop("due_on", datetime.date.today() + datetime.timedelta(days=5)),
    )


def to_assessment(problem: Problem, by, agency) -> Problem:  # type: ignore[no-untyped-def]
    to_response(problem, by)
    action = add_action(problem, by, agency)
    services.action_update(action=action, by=by, status=Action.Status.DONE, result="Done; lights fixed")
    return services.problem_transition(problem=problem, to=Stage.ASSESSMENT, by=by)


def assess(problem: Problem, by) -> Assessment:  # type: ignore[no-untyped-def]
    return services.assessment_save(
        problem=problem,
        by=by,
        outcome=Assessment.Outcome.REDUCED,
        reduction_percent=60,
        objective_met="Calls down from 20 to 8 a month",
        evidence="Call data for three months before and after",
        displacement_checked=True,
    )
