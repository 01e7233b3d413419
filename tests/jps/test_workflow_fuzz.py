"""Random sequences of transitions by random roles never reach an invalid state or bypass sign-off."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jps import services
from jps.models import Action, Problem, Stage, User
from jps.problems.workflow import TRANSITIONS
from tests import fuzz

ROLES = ["pcso", "supervisor", "partner_user", "other_officer", "analyst", "call_handler", "web_editor"]
STEPS = st.lists(
    st.tuples(
        st.sampled_from(ROLES),
        st.sampled_from(["transition", "analysis", "action", "complete_action", "assessment", "review_close"]),
        st.sampled_from(Stage.values),
        st.booleans(),
    ),
    max_size=14,
)


def attempt(problem: Problem, user: User, kind: str, to: str, with_reason: bool, council) -> None:  # type: ignore[no-untyped-def]
    reason = "Because" if with_reason else ""
    if kind == "transition":
        services.problem_transition(problem=problem, to=to, by=user, reason=reason)
    elif kind == "analysis":
        services.analysis_save(problem=problem, by=user, victim="v", offender="o", location="l", objective="halve")
    elif kind == "action":
        services.action_add(problem=problem, by=user, action_type="prevention", description="d", agency=council)
    elif kind == "complete_action":
        action = problem.actions.first()
        if action:
            services.action_update(action=action, by=user, status="done", result="done")
    elif kind == "assessment":
        services.assessment_save(problem=problem, by=user, outcome="eliminated", objective_met="yes", evidence="data")
    elif kind == "review_close":
        services.review_record(problem=problem, by=user, comment="c", decision="close", reason=reason)


@pytest.mark.django_db
@settings(
    max_examples=fuzz.examples(40, scale=5),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=STEPS)
def test_random_walks_respect_the_workflow(request, steps, problem, council, pcso, supervisor):  # type: ignore[no-untyped-def]
    users = {role: request.getfixturevalue(role) for role in ROLES}
    problem = Problem.objects.get(pk=problem.pk)
    start_stage, start_history = problem.stage, problem.history.count()
    for role, kind, to, with_reason in steps:
        before = problem.stage
        try:
            attempt(problem, users[role], kind, to, with_reason, council)
        except (services.TransitionRefused, PermissionDenied, ValidationError):
            problem = Problem.objects.get(pk=problem.pk)
            assert problem.stage == before  # a refusal changes nothing
            continue
        problem = Problem.objects.get(pk=problem.pk)
        if problem.stage != before:
            assert (before, problem.stage) in TRANSITIONS  # only moves the table allows
            if problem.stage in (Stage.CLOSED, Stage.CLOSED_NO_ACTION):
                assert users[role] == supervisor  # only the district's supervisor closes
                assert problem.closed_by == supervisor
            if problem.stage == Stage.CLOSED:
                assert problem.assessment.outcome and problem.actions.filter(status=Action.Status.DONE).exists()
    changes = problem.history.count() - start_history
    assert changes >= 0 and (problem.stage == start_stage or changes > 0)
    # Reset for the next example (hypothesis reuses the function-scoped fixtures).
    Problem.objects.filter(pk=problem.pk).update(stage=Stage.SCANNING, closed_at=None, closed_by=None)
    problem.actions.all().delete()
