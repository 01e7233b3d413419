"""A reminder run walks what fell due since the last run, not the whole overdue backlog (docs/performance.md)."""

from __future__ import annotations

import pytest
import time_machine

from jps import reminders
from jps.models import Reminder
from jps.reminders import collectors
from tests.tasks.conftest import at

pytestmark = pytest.mark.django_db
Kind = Reminder.Kind


def collect(name: str, day: str) -> reminders.JobResult:
    result = reminders.JobResult(job=name)
    with time_machine.travel(at(day), tick=False):
        reminders.collect(name, now=at(day), result=result, progress=reminders.NoProgress())
    return result


def test_items_already_reminded_for_their_period_are_not_walked_again(world):
    first = collect("review_overdue", "2026-06-06")
    assert first.items == 2  # late (due 1 June) and recent (due 5 June)
    assert collect("review_overdue", "2026-06-07").items == 0  # nothing newly due
    rows = Reminder.objects.filter(kind=Kind.REVIEW_OVERDUE).count()
    assert rows == first.reminders  # and nothing was lost


def test_a_review_past_its_grace_period_is_walked_again_to_escalate(world):
    collect("review_overdue", "2026-06-06")
    # 1 June + 7 days' grace: on the 9th the late review escalates to the inspector.
    result = collect("review_overdue", "2026-06-09")
    assert result.items == 1
    assert Reminder.objects.filter(
        kind=Kind.REVIEW_ESCALATION, item_key=f"problem:{world.late.pk}", recipient_key=f"user:{world.inspector.pk}"
    ).exists()
    assert collect("review_overdue", "2026-06-10").items == 0


def test_a_new_due_period_is_walked_again(world):
    collect("review_overdue", "2026-06-06")
    world.recent.next_review_due = at("2026-06-06").date()  # reviewed late: a new review date, also passed
    world.recent.save()
    assert collect("review_overdue", "2026-06-07").items == 1


def test_an_action_due_soon_is_walked_again_when_it_becomes_overdue(world):
    soon = collect("action_due", "2026-06-10")
    assert soon.by_kind == {Kind.ACTION_DUE_SOON: 1, Kind.ACTION_OVERDUE: 1}
    assert collect("action_due", "2026-06-11").items == 0
    overdue = collect("action_due", "2026-06-13")  # the shrubs were due on the 12th
    assert overdue.items == 1 and overdue.by_kind == {Kind.ACTION_OVERDUE: 1}


def test_a_closure_already_reminded_to_the_analysts_is_not_walked_again(world, analyst):
    first = collect("evaluation_waiting", "2026-05-20")
    assert first.items == 1 and first.by_kind == {Kind.EVALUATION_WAITING: 1}
    assert collect("evaluation_waiting", "2026-05-21").items == 0
    assert Reminder.objects.filter(kind=Kind.EVALUATION_WAITING).count() == 1
    # reopened and closed again later: a new closure, so a new period, walked again once it has waited
    world.closed.closed_at = at("2026-05-25")
    world.closed.save()
    assert collect("evaluation_waiting", "2026-06-01").items == 0  # closed a week ago: not yet
    again = collect("evaluation_waiting", "2026-06-09")
    assert again.items == 1
    periods = Reminder.objects.filter(kind=Kind.EVALUATION_WAITING).values_list("period_key", flat=True)
    assert sorted(periods) == ["2026-05-01", "2026-05-25"]


def test_a_neighbourhood_reminded_this_month_is_not_walked_again_until_next_month(
    world, other_neighbourhood, other_supervisor
):
    first = collect("meeting_standard", "2026-06-10")
    assert first.items == 1 and first.by_kind == {Kind.MEETING_STANDARD: 1}
    assert collect("meeting_standard", "2026-06-11").items == 0
    assert collect("meeting_standard", "2026-06-30").items == 0
    assert collect("meeting_standard", "2026-07-01").items == 1  # a new month is a new period
    periods = Reminder.objects.filter(kind=Kind.MEETING_STANDARD).values_list("period_key", flat=True)
    assert sorted(periods) == ["2026-06-01", "2026-07-01"]


def test_closures_in_a_force_with_no_analyst_are_not_walked(world, analyst):
    analyst.is_active = False
    analyst.save()
    assert collect("evaluation_waiting", "2026-05-20").items == 0  # nobody to tell: not walked for nothing
    analyst.is_active = True
    analyst.save()
    assert collect("evaluation_waiting", "2026-05-21").items == 1


def test_not_evaluated_is_an_anti_join_not_an_outer_join(world, analyst):
    """`LEFT JOIN evaluation ... IS NULL` is estimated at one row; at national scale the cursor's fast-start
    plan then rescanned every evaluation per problem (over 2 minutes; NOT EXISTS takes 2.6 s for 80,000)."""
    from django.utils import timezone

    queryset, _rows = collectors._evaluation_waiting(timezone.now(), collectors._People())
    sql = str(queryset.query)
    assert 'LEFT OUTER JOIN "jps_evaluation"' not in sql and 'NOT (EXISTS(SELECT 1 AS "a" FROM "jps_evaluation"' in sql
