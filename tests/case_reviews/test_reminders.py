"""Deadlines reminded, then escalated to the community-safety lead, and the threshold suggested before
anyone asks: each once per period, on the real Celery worker."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail

from jps import models as m
from jps.reminders import run_job
from tasks import jobs
from tests import factories as f

from .conftest import apply, at, report

TIMEOUT = 60
Kind = m.Reminder.Kind


def sent() -> list[tuple[str, str]]:
    return sorted((message.to[0], message.subject) for message in mail.outbox)


@pytest.mark.celery
def test_a_deadline_is_reminded_then_escalated_once_each_on_the_worker(celery_worker, area):  # type: ignore[no-untyped-def]
    with time_machine.travel(at("2026-06-01"), tick=False):
        application = apply(area)  # received Monday 1 June: acknowledgement due Monday 8 June
    assert application.acknowledge_due.isoformat() == "2026-06-08"

    with time_machine.travel(at("2026-06-05", 7), tick=True):  # within two working days: the lead officer
        first = jobs.case_review_deadlines.delay().get(timeout=TIMEOUT)
        rerun = jobs.case_review_deadlines.delay().get(timeout=TIMEOUT)
    assert first["by_kind"] == {"case_review_due": 1} and rerun["reminders"] == 0 and rerun["digests"] == 0
    assert sent() == [(area.council_officer.email, f"JPS reminder: asb case review deadline — {application.reference}")]

    with time_machine.travel(at("2026-06-10", 7), tick=True):  # two working days late: still the grace
        assert jobs.case_review_deadlines.delay().get(timeout=TIMEOUT)["reminders"] == 0
    with time_machine.travel(at("2026-06-11", 7), tick=True):  # past the grace: the community-safety lead
        late = jobs.case_review_deadlines.delay().get(timeout=TIMEOUT)
        again = jobs.case_review_deadlines.delay().get(timeout=TIMEOUT)
    assert late["by_kind"] == {"case_review_escalation": 1} and again["reminders"] == 0
    escalation = [message for message in mail.outbox if message.to == [area.safety_lead.email]]
    assert len(escalation) == 1 and f"/case-reviews/{application.pk}/" in escalation[0].body
    assert "acknowledgement: 3 days late" in escalation[0].body


@pytest.mark.celery
def test_a_problem_and_a_person_crossing_the_threshold_are_suggested_once(celery_worker, area, neighbourhood, category):  # type: ignore[no-untyped-def]
    noisy = f.ProblemFactory(owner=area.pcso, neighbourhood=neighbourhood, category=category, source="complaint",
                             created_at=at("2026-05-01"))  # fmt: skip
    report(noisy, "2026-05-10", area.council_officer)
    report(noisy, "2026-05-20", area.housing_officer)
    bob = m.Person.objects.create(force=area.district.force, name="Bob Hill", created_by=area.pcso)
    for day in ("2026-02-01", "2026-03-01", "2026-04-01"):
        problem = f.ProblemFactory(owner=area.pcso, neighbourhood=neighbourhood, category=category)
        m.ProblemPerson.objects.create(
            problem=problem, person=bob, role="complainant", added_by=area.pcso, added_at=at(day)
        )
    with time_machine.travel(at("2026-06-15", 7), tick=True):
        first = jobs.case_review_suggested.delay().get(timeout=TIMEOUT)
        rerun = jobs.case_review_suggested.delay().get(timeout=TIMEOUT)
    # The noisy problem and Bob, each to the owner (the PCSO) and the community-safety lead.
    assert first["by_kind"] == {"case_review_suggested": 4} and first["items"] == 2
    assert rerun["items"] == 0 and rerun["reminders"] == 0
    keys = set(m.Reminder.objects.values_list("item_key", "recipient_id"))
    assert keys == {(f"problem:{noisy.pk}", area.pcso.pk), (f"problem:{noisy.pk}", area.safety_lead.pk),
                    (f"person:{bob.pk}", area.pcso.pk), (f"person:{bob.pk}", area.safety_lead.pk)}  # fmt: skip
    assert sorted(message.to[0] for message in mail.outbox) == sorted([area.pcso.email, area.safety_lead.email])


def test_no_suggestion_once_an_application_is_made_or_below_the_threshold(area, neighbourhood, category):  # type: ignore[no-untyped-def]
    report(area.problem, "2026-05-10", area.council_officer)  # two complaints only: below the threshold
    with time_machine.travel(at("2026-06-15", 7), tick=False):
        assert run_job("case_review_suggested").items == 0
        report(area.problem, "2026-05-20", area.housing_officer)
        apply(area)  # the problem is on an application: nothing to suggest
        assert run_job("case_review_suggested").items == 0


def test_without_a_community_safety_lead_the_districts_supervisors_hear(area):  # type: ignore[no-untyped-def]
    area.district.community_safety_lead = None
    area.district.save()
    with time_machine.travel(at("2026-06-01"), tick=False):
        apply(area)
    with time_machine.travel(at("2026-06-11", 7), tick=False):
        run_job("case_review_deadlines")
    assert set(m.Reminder.objects.filter(kind=Kind.CASE_REVIEW_ESCALATION).values_list("recipient", flat=True)) == {
        area.supervisor.pk
    }


def test_the_reminder_shows_on_my_work_to_whoever_sees_the_application(area, client):  # type: ignore[no-untyped-def]
    from jps.reminders import reminders_for

    with time_machine.travel(at("2026-06-01"), tick=False):
        application = apply(area)
    with time_machine.travel(at("2026-06-05", 7), tick=False):
        run_job("case_review_deadlines")
    assert [r.case_review_id for r in reminders_for(area.council_officer)] == [application.pk]
