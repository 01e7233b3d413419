"""A high-risk victim is reminded to the district's supervisors in the daily digest, once per assessment."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail

from jps import models as m
from jps import reminders, services
from tests import factories as f

pytestmark = pytest.mark.django_db
Kind = m.Reminder.Kind
LONDON = zoneinfo.ZoneInfo("Europe/London")
HIGH = {"a": True, "b": True, "c": True}
LOW = {"a": False, "b": False, "c": False}


def at(day: str, hour: int = 7) -> datetime.datetime:
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour), tzinfo=LONDON)


def assess(link: m.ProblemPerson, answers: dict[str, bool], by: m.User, day: str) -> m.RiskAssessment:
    with time_machine.travel(at(day, 15), tick=False):
        return services.risk_assess(link=link, answers=answers, occasion="changed", by=by)


def digest(day: str) -> reminders.JobResult:
    with time_machine.travel(at(day), tick=False):
        return reminders.run_job("daily_digest")


def high_risk_rows() -> list[tuple[str, str, str]]:
    rows = m.Reminder.objects.filter(kind=Kind.HIGH_RISK_VICTIM).order_by("period_key", "recipient_key")
    return list(rows.values_list("recipient_key", "item_key", "period_key"))


@pytest.fixture
def scene(force, problem, pcso, supervisor, other_supervisor, other_officer, other_neighbourhood, category):  # type: ignore[no-untyped-def]
    f.RiskQuestionnaireFactory(force=force)
    ann = f.VictimLinkFactory(problem=problem, person__name="Ann Jones")
    dover = f.ProblemFactory(owner=other_officer, neighbourhood=other_neighbourhood, category=category)
    dee = f.VictimLinkFactory(problem=dover, person__name="Dee Dover")
    return ann, dee


def test_the_supervisor_hears_of_a_high_risk_victim_once_per_assessment(scene, pcso, supervisor, other_officer):
    ann, dee = scene
    assess(ann, HIGH, pcso, "2026-06-09")
    assess(dee, {"a": False, "b": True, "c": False}, other_officer, "2026-06-09")  # standard: nobody is told

    digest("2026-06-10")
    assert high_risk_rows() == [(f"user:{supervisor.pk}", f"victim:{ann.pk}", "2026-06-09")]
    (email,) = [message for message in mail.outbox if message.to == [supervisor.email]]
    assert "HIGH-RISK VICTIM" in email.body and ann.problem.reference in email.body
    assert "a victim assessed high risk (score 6 of 6)" in email.body
    assert "Ann Jones" not in email.body  # who the victim is stays behind the sign-in
    assert f"/problems/{ann.problem_id}/" in email.body

    sent = len(mail.outbox)
    again = digest("2026-06-10")
    digest("2026-06-11")
    assert len(mail.outbox) == sent and again.digests == 0
    assert len(high_risk_rows()) == 1

    assess(ann, HIGH, pcso, "2026-06-12")  # reassessed, still high: a new period
    digest("2026-06-13")
    assert [period for *_, period in high_risk_rows()] == ["2026-06-09", "2026-06-12"]
    assert len(mail.outbox) == sent + 1

    assess(ann, LOW, pcso, "2026-06-14")  # no longer high: nothing more
    digest("2026-06-15")
    assert len(high_risk_rows()) == 2 and len(mail.outbox) == sent + 1


def test_two_high_risk_victims_on_one_problem_are_two_items(scene, pcso, problem, supervisor):
    ann, _ = scene
    bob = f.VictimLinkFactory(problem=problem, person__name="Bob Jones")
    assess(ann, HIGH, pcso, "2026-06-09")
    assess(bob, HIGH, pcso, "2026-06-09")
    digest("2026-06-10")
    assert {item for _, item, _ in high_risk_rows()} == {f"victim:{ann.pk}", f"victim:{bob.pk}"}


def test_a_closed_problem_s_victim_is_not_reminded(scene, pcso):
    ann, _ = scene
    assess(ann, HIGH, pcso, "2026-06-09")
    m.Problem.objects.filter(pk=ann.problem_id).update(stage=m.Stage.CLOSED)
    digest("2026-06-10")
    assert high_risk_rows() == []


def test_the_job_runs_alone_too(scene, pcso, supervisor):
    ann, _ = scene
    assess(ann, HIGH, pcso, "2026-06-09")
    with time_machine.travel(at("2026-06-10"), tick=False):
        result = reminders.run_job("high_risk_victims")
    assert result.by_kind == {Kind.HIGH_RISK_VICTIM: 1} and result.digests == 1
