"""Stage changes as rows: one ``StageChange`` per move, whichever service made it; and services
that write only the fields they changed, so a concurrent edit to another field survives."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from jps import services
from jps.casework.field import problem_merge
from jps.models import Action, Problem, Source, Stage, StageChange, SupervisoryReview

pytestmark = pytest.mark.django_db

S = Stage
START = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)


def log(by, neighbourhood, category, title="Drug dealing behind the library"):  # type: ignore[no-untyped-def]
    return services.problem_create(
        by=by,
        neighbourhood=neighbourhood,
        category=category,
        source=Source.COMMUNITY_CONTACT,
        originator="Library staff",
        title=title,
        description="Exchanges seen at the back door most evenings.",
        problem_statement="Drug dealing at the rear of the library, 6-9pm, intimidating staff.",
    )


def ready_for_every_move(problem, by, agency):  # type: ignore[no-untyped-def]
    """Give a problem what every forward move needs, so each transition below is allowed."""
    services.analysis_save(
        problem=problem, by=by, victim="Staff", offender="Two dealers", location="Rear door", objective="No deals"
    )
    action = services.action_add(problem=problem, by=by, action_type="enforcement", description="Patrol", agency=agency)
    services.action_update(action=action, by=by, status=Action.Status.DONE, result="Two arrests")
    services.assessment_save(
        problem=problem, by=by, outcome="eliminated", objective_met="No deals seen", evidence="CCTV review"
    )


def rows_since(count: int) -> list[tuple[str, str, object, str]]:
    new = StageChange.objects.order_by("id")[count:]
    return [(c.from_stage, c.to_stage, c.by, c.reason) for c in new]


def test_logging_writes_the_first_row(pcso, neighbourhood, category):
    with time_machine.travel(START, tick=False):
        problem = log(pcso, neighbourhood, category)
    (change,) = StageChange.objects.filter(problem=problem)
    assert (change.from_stage, change.to_stage, change.by, change.reason) == ("", S.SCANNING, pcso, "Logged")
    assert change.at == problem.stage_changed_at == START and change.from_entered_at is None
    assert (change.district_id, change.force_id) == (problem.district_id, problem.force_id)


#: Every move in the transition table, in an order that visits each: (to, who, reason).
EVERY_TRANSITION = [
    (S.ANALYSIS, "pcso", ""),
    (S.SCANNING, "pcso", "Statement too vague"),
    (S.ANALYSIS, "pcso", ""),
    (S.RESPONSE, "pcso", ""),
    (S.ANALYSIS, "pcso", "Causes missed"),
    (S.RESPONSE, "pcso", ""),
    (S.ASSESSMENT, "pcso", ""),
    (S.RESPONSE, "pcso", "Too early to tell"),
    (S.ASSESSMENT, "pcso", ""),
    (S.CLOSED, "supervisor", "Objective met"),
    (S.RESPONSE, "supervisor", "It came back"),
    (S.ANALYSIS, "pcso", "Start again"),
    (S.CLOSED_NO_ACTION, "supervisor", "Council leads now"),
    (S.SCANNING, "supervisor", "Council handed it back"),
    (S.CLOSED_NO_ACTION, "supervisor", "Duplicate report"),
]


def test_every_transition_leaves_one_row_naming_from_to_by_and_why(pcso, supervisor, police, neighbourhood, category):
    from jps.problems.workflow import TRANSITIONS

    people = {"pcso": pcso, "supervisor": supervisor}
    with time_machine.travel(START, tick=False):
        problem = log(pcso, neighbourhood, category)
    ready_for_every_move(problem, pcso, police)
    visited = set()
    for day, (to, who, reason) in enumerate(EVERY_TRANSITION, start=1):
        before, was, entered = StageChange.objects.count(), problem.stage, problem.stage_changed_at
        with time_machine.travel(START + datetime.timedelta(days=day), tick=False):
            services.problem_transition(problem=problem, to=to, by=people[who], reason=reason)
        assert rows_since(before) == [(was, to, people[who], reason)]
        latest = StageChange.objects.latest("at", "id")
        assert latest.at == problem.stage_changed_at == START + datetime.timedelta(days=day)
        assert latest.from_entered_at == entered and latest.days_in_from_stage == 1
        visited.add((was, to))
    assert visited == set(TRANSITIONS)
    assert StageChange.objects.filter(problem=problem).count() == len(EVERY_TRANSITION) + 1


def test_a_refused_or_conflicting_move_writes_no_row(pcso, supervisor, neighbourhood, category):
    problem = log(pcso, neighbourhood, category)
    count = StageChange.objects.count()
    with pytest.raises(services.TransitionRefused):
        services.problem_transition(problem=problem, to=S.CLOSED, by=supervisor)
    stale = Problem.objects.get(pk=problem.pk)
    services.problem_transition(problem=problem, to=S.ANALYSIS, by=pcso)
    with pytest.raises(services.TransitionRefused) as conflict:
        services.problem_transition(problem=stale, to=S.CLOSED_NO_ACTION, by=supervisor, reason="Duplicate")
    assert conflict.value.conflict
    assert rows_since(count) == [(S.SCANNING, S.ANALYSIS, pcso, "")]


def test_closure_request_is_not_a_stage_change(pcso, police, neighbourhood, category):
    problem = log(pcso, neighbourhood, category)
    ready_for_every_move(problem, pcso, police)
    for to in (S.ANALYSIS, S.RESPONSE, S.ASSESSMENT):
        services.problem_transition(problem=problem, to=to, by=pcso)
    count = StageChange.objects.count()
    services.problem_request_closure(problem=problem, by=pcso)
    assert StageChange.objects.count() == count


def test_a_review_that_moves_or_closes_leaves_one_row_with_its_reason(
    pcso, supervisor, police, neighbourhood, category
):
    problem = log(pcso, neighbourhood, category)
    ready_for_every_move(problem, pcso, police)
    count = StageChange.objects.count()
    services.review_record(problem=problem, by=supervisor, comment="Carry on", decision="continue")
    assert rows_since(count) == []
    long_comment = "Statement and analysis are sound. " * 100  # a review comment may exceed a reason's limit
    services.review_record(
        problem=problem,
        by=supervisor,
        comment=long_comment,
        decision=SupervisoryReview.Decision.MOVE_STAGE,
        to_stage=S.ANALYSIS,
    )
    (moved,) = StageChange.objects.order_by("id")[count:]
    assert (moved.from_stage, moved.to_stage, moved.by) == (S.SCANNING, S.ANALYSIS, supervisor)
    assert moved.reason == long_comment[:2000]
    for to in (S.RESPONSE, S.ASSESSMENT):
        services.problem_transition(problem=problem, to=to, by=pcso)
    count = StageChange.objects.count()
    services.review_record(
        problem=problem,
        by=supervisor,
        comment="Well done",
        decision=SupervisoryReview.Decision.CLOSE,
        reason="Objective met",
    )
    assert rows_since(count) == [(S.ASSESSMENT, S.CLOSED, supervisor, "Objective met")]


def test_a_refused_review_decision_leaves_no_row(pcso, supervisor, neighbourhood, category):
    problem = log(pcso, neighbourhood, category)
    count = StageChange.objects.count()
    with pytest.raises(services.TransitionRefused):
        services.review_record(problem=problem, by=supervisor, comment="Close it", decision="close")
    assert StageChange.objects.count() == count


def test_merging_records_each_move_of_the_duplicate(pcso, supervisor, police, neighbourhood, category):
    keep = log(pcso, neighbourhood, category)
    merge = log(pcso, neighbourhood, category, title="Dealing at the library again")
    ready_for_every_move(merge, pcso, police)
    for to in (S.ANALYSIS, S.RESPONSE):
        services.problem_transition(problem=merge, to=to, by=pcso)
    count = StageChange.objects.count()
    problem_merge(keep=keep, merge=merge, by=supervisor, reason="Same dealers")
    closing = f"Merged into {keep.reference}"
    assert rows_since(count) == [
        (S.RESPONSE, S.ANALYSIS, supervisor, closing),
        (S.ANALYSIS, S.CLOSED_NO_ACTION, supervisor, f"{closing}. Same dealers"),
    ]
    assert not StageChange.objects.filter(problem=keep).exclude(from_stage="").exists()


def test_moving_a_problem_to_another_district_moves_its_rows(
    pcso, admin_user, neighbourhood, other_neighbourhood, category
):
    problem = log(pcso, neighbourhood, category)
    services.problem_transition(problem=problem, to=S.ANALYSIS, by=pcso)
    services.problem_update(problem=problem, by=admin_user, neighbourhood=other_neighbourhood)
    assert set(StageChange.objects.filter(problem=problem).values_list("district_id", "force_id")) == {
        (other_neighbourhood.district_id, other_neighbourhood.district.force_id)
    }


# --- saving only what changed ------------------------------------------------------------------


def test_a_transition_on_a_stale_instance_keeps_a_concurrent_edit(pcso, neighbourhood, category):
    """The lost update: the transition's instance was loaded before another user renamed the problem."""
    problem = log(pcso, neighbourhood, category)
    stale = Problem.objects.get(pk=problem.pk)
    services.problem_update(problem=Problem.objects.get(pk=problem.pk), by=pcso, title="Dealing, library car park")
    services.problem_transition(problem=stale, to=S.ANALYSIS, by=pcso, reason="")
    saved = Problem.objects.get(pk=problem.pk)
    assert (saved.title, saved.stage) == ("Dealing, library car park", S.ANALYSIS)
    assert stale.title == "Dealing, library car park"  # the instance is the row as saved
    latest = saved.history.latest()
    assert (latest.title, latest.stage, latest.history_user, latest.history_change_reason) == (
        "Dealing, library car park",
        S.ANALYSIS,
        pcso,
        "Start analysis",
    )


def test_services_on_stale_instances_keep_each_others_fields(
    pcso, supervisor, partner_user, police, council, neighbourhood, category
):
    """Each service writes only its fields: run on instances loaded before the others' edits."""
    problem = log(pcso, neighbourhood, category)
    ready_for_every_move(problem, pcso, police)
    for to in (S.ANALYSIS, S.RESPONSE, S.ASSESSMENT):
        services.problem_transition(problem=problem, to=to, by=pcso)
    stale = [Problem.objects.get(pk=problem.pk) for _ in range(4)]
    services.problem_update(problem=stale[0], by=pcso, title="Renamed", risk="high")
    services.problem_request_closure(problem=stale[1], by=pcso)
    services.review_record(problem=stale[2], by=supervisor, comment="Escalate", decision="escalate")
    services.problem_transfer(problem=stale[3], by=pcso, to_agency=council, to_owner=partner_user, reason="Theirs")
    saved = Problem.objects.get(pk=problem.pk)
    assert (saved.title, saved.risk, saved.review_interval_days) == ("Renamed", "high", 14)
    assert saved.closure_requested_by == pcso and saved.escalated_at is not None
    assert (saved.owner, saved.lead_agency) == (partner_user, council)
    assert saved.stage == S.ASSESSMENT
    assert saved.history.latest().title == "Renamed"


def test_stale_action_and_assessment_saves_keep_each_others_fields(pcso, police, neighbourhood, category):
    problem = log(pcso, neighbourhood, category)
    action = services.action_add(
        problem=problem, by=pcso, action_type="prevention", description="Lights", agency=police
    )
    stale_action = Action.objects.get(pk=action.pk)
    services.action_update(action=Action.objects.get(pk=action.pk), by=pcso, description="Brighter lights")
    services.action_update(action=stale_action, by=pcso, status=Action.Status.IN_PROGRESS)
    action.refresh_from_db()
    assert (action.description, action.status) == ("Brighter lights", Action.Status.IN_PROGRESS)

    services.assessment_save(problem=problem, by=pcso, evidence="CCTV")
    stale = Problem.objects.get(pk=problem.pk)
    services.assessment_save(problem=Problem.objects.get(pk=problem.pk), by=pcso, outcome="eliminated")
    services.assessment_save(problem=stale, by=pcso, objective_met="No deals")
    problem.assessment.refresh_from_db()
    assert (problem.assessment.evidence, problem.assessment.outcome, problem.assessment.objective_met) == (
        "CCTV",
        "eliminated",
        "No deals",
    )


def test_validation_still_runs_on_what_is_saved(pcso, supervisor, police, neighbourhood, category):
    problem = log(pcso, neighbourhood, category)
    with pytest.raises(ValidationError) as error:
        services.problem_update(problem=problem, by=pcso, title="x" * 201)
    assert "title" in error.value.message_dict
    assert Problem.objects.get(pk=problem.pk).title == "Drug dealing behind the library"


# --- the backfill -------------------------------------------------------------------------------


def test_the_migration_backfills_the_timeline_from_the_history(pcso, supervisor, neighbourhood, category):
    """Rows rebuilt from the history match those the services wrote; a stage set with no history
    (a bulk UPDATE) gets one row from the problem table."""
    import importlib

    from django.db import connection

    backfill = importlib.import_module("jps.migrations.0019_stagechange").backfill
    with time_machine.travel(START, tick=False):
        walked = log(pcso, neighbourhood, category)
    for day, to in [(3, S.ANALYSIS), (5, S.SCANNING), (9, S.ANALYSIS)]:
        with time_machine.travel(START + datetime.timedelta(days=day), tick=False):
            services.problem_transition(problem=walked, to=to, by=pcso, reason="Back" if to == S.SCANNING else "")
            services.problem_update(problem=walked, by=pcso, title=f"Edited on day {day}")  # history, no move
    with time_machine.travel(START, tick=False):
        bulk = log(pcso, neighbourhood, category, title="Loaded in bulk")
    later = START + datetime.timedelta(days=20)
    Problem.objects.filter(pk=bulk.pk).update(stage=S.RESPONSE, stage_changed_at=later)
    fields = ("problem_id", "from_stage", "to_stage", "from_entered_at", "by_id", "at", "district_id", "force_id")
    written = list(StageChange.objects.filter(problem=walked).order_by("at", "id").values_list(*fields))
    StageChange.objects.all().delete()

    class Editor:
        @staticmethod
        def execute(sql: str) -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql)

    backfill(None, Editor)
    assert list(StageChange.objects.filter(problem=walked).order_by("at", "id").values_list(*fields)) == written
    reasons = list(StageChange.objects.filter(problem=walked).order_by("at", "id").values_list("reason", flat=True))
    assert reasons == ["Logged", "Start analysis", "Back to scanning: Back", "Start analysis"]
    rebuilt = StageChange.objects.filter(problem=bulk).order_by("id")
    assert list(rebuilt.values_list("from_stage", "to_stage", "from_entered_at", "at", "by")) == [
        ("", S.SCANNING, None, START, pcso.pk),
        (S.SCANNING, S.RESPONSE, START, later, None),
    ]
