"""The application's state machine, its deadlines in working days over bank holidays, recommendations
becoming owned actions, and the history of every step."""

from __future__ import annotations

import itertools

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from jps import models as m
from jps.case_reviews import calendar, services
from jps.case_reviews.services import CaseReviewRefused

from .conftest import apply, at, d

State = m.CaseReviewState


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        # Thursday 24 December 2026: Christmas (Fri), Boxing Day observed (Mon 28), New Year's Day (Fri 1 Jan).
        ("2026-12-24", 1, "2026-12-29"),
        ("2026-12-24", 5, "2027-01-05"),
        ("2026-12-24", 10, "2027-01-12"),
        ("2026-12-24", 25, "2027-02-02"),
        # Easter 2027: Good Friday 26 March, Easter Monday 29 March.
        ("2027-03-24", 2, "2027-03-30"),
        ("2027-03-24", 5, "2027-04-02"),
        # An ordinary week, and a weekend start.
        ("2026-06-01", 5, "2026-06-08"),
        ("2026-06-06", 1, "2026-06-08"),
    ],
)
def test_working_days_skip_weekends_and_bank_holidays_of_england_and_wales(received, days, due):  # type: ignore[no-untyped-def]
    assert calendar.add_working_days(d(received), days) == d(due)


def test_bank_holidays_come_from_the_calendar_not_a_table():  # type: ignore[no-untyped-def]
    assert d("2026-12-28") in calendar.bank_holidays(2026)  # Boxing Day on a Saturday, observed on Monday
    assert d("2026-08-31") in calendar.bank_holidays(2026)  # late summer bank holiday
    assert d("2026-03-17") not in calendar.bank_holidays(2026)  # St Patrick's Day: Northern Ireland only
    assert calendar.working_days_between(d("2026-12-24"), d("2027-01-05")) == 5


def test_deadlines_run_in_working_days_from_receipt_over_christmas(area):  # type: ignore[no-untyped-def]
    with time_machine.travel(at("2026-12-24"), tick=False):
        application = apply(area, received_on="2026-12-24")
    assert (application.acknowledge_due, application.decision_due, application.meeting_due) == (
        d("2027-01-05"), d("2027-01-12"), d("2027-02-02"),
    )  # fmt: skip


def test_local_numbers_of_working_days_are_data(area):  # type: ignore[no-untyped-def]
    m.CaseReviewSettings.objects.create(force=area.district.force, district=area.district, acknowledge_days=2)
    with time_machine.travel(at("2027-03-24"), tick=False):
        application = apply(area, received_on="2027-03-24")
    assert application.acknowledge_due == d("2027-03-30")  # over Good Friday and Easter Monday


def test_an_application_through_every_state_with_history(area, police):  # type: ignore[no-untyped-def]
    lead = area.council_officer
    with time_machine.travel(at("2026-06-15"), tick=False):
        application = apply(area)
        services.case_review_acknowledge(application=application, by=lead, on=d("2026-06-02"))
        with pytest.raises(ValidationError):  # not met needs a reason: the applicant is told
            services.case_review_decide(application=application, by=lead, met=False, reasons="")
        for day in ("2026-03-01", "2026-04-01"):
            m.ProblemReport.objects.create(problem=area.problem, source="complaint", originator="Ann",
                                           reported_by=lead, reported_at=at(day), text="Again")  # fmt: skip
        services.case_review_decide(application=application, by=lead, met=True, reasons="")
        services.case_review_meeting(
            application=application, by=lead, held_on=d("2026-06-12"), agencies=[area.council, police, area.housing],
            findings="The agencies did not share what each knew.",
        )  # fmt: skip
        assert application.outcome_due == d("2026-06-19")
        services.case_review_outcome(application=application, by=lead, text="We will act as follows.")
        services.case_review_handling_review(application=application, by=lead, requested_on=d("2026-06-15"))
        assert application.handling_review_due == d("2026-07-13")  # 20 working days
        services.case_review_close(application=application, by=lead, handling_outcome="Handled properly.")
    application.refresh_from_db()
    assert application.state == State.CLOSED and application.threshold_met is True
    rows = application.history.order_by("history_date", "history_id")
    states = [state for state, _ in itertools.groupby(h.state for h in rows)]  # m2m changes are rows too
    assert states == ["received", "acknowledged", "threshold_met", "meeting_held", "outcome_sent",
                      "handling_review", "closed"]  # fmt: skip
    assert {h.history_user_id for h in application.history.all()} == {lead.pk}


def test_a_step_the_table_does_not_allow_is_refused(area, june):  # type: ignore[no-untyped-def]
    application = apply(area)
    with pytest.raises(CaseReviewRefused):
        services.case_review_outcome(application=application, by=area.council_officer, text="Done")
    with pytest.raises(CaseReviewRefused):
        services.case_review_close(application=application, by=area.council_officer)


def test_two_people_acting_at_once_only_one_wins(area, june):  # type: ignore[no-untyped-def]
    application = apply(area)
    stale = m.CaseReviewApplication.objects.get(pk=application.pk)
    services.case_review_acknowledge(application=application, by=area.council_officer)
    stale.state = State.RECEIVED
    with pytest.raises(CaseReviewRefused, match="Someone else"):
        services.case_review_acknowledge(application=stale, by=area.supervisor)


def test_only_the_lead_agency_and_the_areas_supervisors_work_it(area, june):  # type: ignore[no-untyped-def]
    application = apply(area)
    with pytest.raises(PermissionDenied):
        services.case_review_acknowledge(application=application, by=area.fire_officer)
    with pytest.raises(PermissionDenied):  # the police take part (the problem) but do not lead
        services.case_review_acknowledge(application=application, by=area.pcso)
    with pytest.raises(PermissionDenied):  # the threshold is the lead officer's decision
        services.case_review_decide(application=application, by=area.safety_lead, met=False, reasons="No")
    services.case_review_acknowledge(application=application, by=area.supervisor)


def test_recording_is_for_staff_of_the_area(area, other_supervisor, call_handler, june):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        apply(area, by=other_supervisor, received_by_agency=None, lead_agency=area.police, lead_officer=None,
              problems=[])  # fmt: skip
    with pytest.raises(PermissionDenied):
        apply(area, by=call_handler, lead_agency=area.police, lead_officer=None, problems=[])
    with pytest.raises(ValidationError):  # a date to come
        apply(area, received_on="2026-06-16")


def _held(area, lead):  # type: ignore[no-untyped-def]
    application = apply(area)
    services.case_review_decide(application=application, by=lead, met=True, reasons="Diary evidence")
    services.case_review_meeting(application=application, by=lead, held_on=d("2026-06-12"),
                                 agencies=[area.council, area.police], findings="Not joined up.")  # fmt: skip
    return application


def test_recommendations_become_owned_actions_on_the_problem(area, june):  # type: ignore[no-untyped-def]
    lead = area.council_officer
    application = _held(area, lead)
    first = services.case_review_recommend(
        application=application, by=lead, problem=area.problem, text="Serve a community protection warning",
        agency=area.housing, assignee=area.housing_officer, due_on=d("2026-07-01"),
    )  # fmt: skip
    second = services.case_review_recommend(
        application=application, by=lead, problem=area.problem, text="Monthly call to Ann",
        agency=area.police, assignee=area.pcso, due_on=d("2026-06-30"), action_type="communication",
    )  # fmt: skip
    actions = m.Action.objects.filter(problem=area.problem).order_by("id")
    assert [(a.agency, a.assignee, a.due_on, a.status) for a in actions] == [
        (area.housing, area.housing_officer, d("2026-07-01"), "planned"),
        (area.police, area.pcso, d("2026-06-30"), "planned"),
    ]
    assert first.action.description.startswith(f"Case review {application.reference}: ")
    assert second.action.history.first().history_user_id == lead.pk
    # The housing provider is brought into the problem, as for any action given to an agency.
    assert m.Participation.objects.filter(problem=area.problem, agency=area.housing).exists()


def test_a_recommendation_is_on_one_of_the_applications_problems(area, neighbourhood, category, june):  # type: ignore[no-untyped-def]
    from tests import factories as f

    application = _held(area, area.council_officer)
    other = f.ProblemFactory(owner=area.pcso, neighbourhood=neighbourhood, category=category)
    with pytest.raises(ValidationError):
        services.case_review_recommend(application=application, by=area.council_officer, problem=other,
                                       text="x", agency=area.council, due_on=d("2026-07-01"))  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.case_review_recommend(application=application, by=area.fire_officer, problem=area.problem,
                                       text="x", agency=area.fire, due_on=d("2026-07-01"))  # fmt: skip
    assert not m.Action.objects.exists()


def test_someone_elses_behalf_names_the_person(area, june):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        apply(area, on_behalf=True)
