"""The threshold from what JPS holds: three complaints in six months, each complaint once, across
agencies and across problems; the single-incident rule; the evidence as the reader may see it."""

from __future__ import annotations

import pytest

from jps import models as m
from jps.case_reviews import services
from jps.case_reviews.services import Incident
from jps.case_reviews.threshold import threshold_check
from tests import factories as f

from .conftest import apply, at, d, report

pytestmark = pytest.mark.usefixtures("june")


def test_three_complaints_in_six_months_from_three_agencies_meet_the_threshold(area):  # type: ignore[no-untyped-def]
    report(area.problem, "2026-04-02", area.council_officer)  # to the council
    report(area.problem, "2026-05-20", area.housing_officer)  # to the housing provider
    application = apply(area)
    check = threshold_check(application=application)
    assert (check.met, check.rule, check.complaints, check.required) == (True, "count", 3, 3)
    assert (check.since, check.until) == (d("2025-12-01"), d("2026-06-01"))
    assert [(i.kind, i.day) for i in check.items] == [
        ("problem", d("2026-02-10")),
        ("report", d("2026-04-02")),
        ("report", d("2026-05-20")),
    ]
    assert check.agencies == sorted([area.police.name, area.council.name, area.housing.name])


def test_a_complaint_older_than_six_months_does_not_count(area):  # type: ignore[no-untyped-def]
    report(area.problem, "2025-11-30", area.council_officer)  # the day before the window opens
    report(area.problem, "2026-05-20", area.housing_officer)
    check = threshold_check(application=apply(area))
    assert (check.met, check.complaints) == (False, 2)


def test_reports_that_are_not_complaints_do_not_count(area):  # type: ignore[no-untyped-def]
    report(area.problem, "2026-04-02", area.pcso, source=m.Source.OFFICER_OBSERVATION)
    report(area.problem, "2026-05-20", area.pcso, source=m.Source.PACT_MEETING)
    assert threshold_check(application=apply(area)).complaints == 1


def test_the_same_complaint_recorded_twice_on_one_day_counts_once(area):  # type: ignore[no-untyped-def]
    report(area.problem, "2026-04-02", area.council_officer)
    m.ProblemPerson.objects.create(
        problem=area.problem, person=area.ann, role="complainant", added_by=area.pcso, added_at=at("2026-04-02", 15)
    )
    check = threshold_check(application=apply(area))
    assert len(check.items) == 3 and check.complaints == 2 and not check.met


def test_the_victims_complaints_on_other_problems_and_to_other_agencies_count(area, neighbourhood, category):  # type: ignore[no-untyped-def]
    """Ann complained to the council and to housing about problems they lead: three complaints."""
    for day, by, agency in [
        ("2026-03-01", area.council_officer, area.council),
        ("2026-05-01", area.housing_officer, area.housing),
    ]:
        other = f.ProblemFactory(owner=by, lead_agency=agency, neighbourhood=neighbourhood, category=category)
        m.ProblemPerson.objects.create(problem=other, person=area.ann, role="victim", added_by=by, added_at=at(day))
    check = threshold_check(application=apply(area))
    assert (check.met, check.complaints) == (True, 3)
    assert {i.agency for i in check.items} == {area.police.name, area.council.name, area.housing.name}


def test_a_single_hate_incident_meets_the_threshold_where_the_area_says_so(area):  # type: ignore[no-untyped-def]
    incident = Incident(occurred_on=d("2026-05-28"), description="Racist abuse shouted at Ann", hate_incident=True,
                        reported_to=(area.council,))  # fmt: skip
    application = apply(area, problems=[], incidents=[incident])
    check = threshold_check(application=application)
    assert (check.met, check.rule, check.complaints) == (True, "hate", 1)
    assert check.items[0].agency == area.council.name
    m.CaseReviewSettings.objects.create(force=area.district.force, single_incident_hate=False)
    assert threshold_check(application=application).met is False


def test_a_single_incident_meets_the_threshold_when_the_victim_is_vulnerable(area):  # type: ignore[no-untyped-def]
    assert threshold_check(application=apply(area)).met is False  # one complaint, Ann not vulnerable
    area.ann.vulnerabilities = ["mental_health"]
    area.ann.save()
    check = threshold_check(application=apply(area))
    assert (check.met, check.rule) == (True, "vulnerable")


def test_on_someone_elses_behalf_the_victim_is_the_one_counted(area, pcso):  # type: ignore[no-untyped-def]
    son = m.Person.objects.create(force=area.district.force, name="Dan Jones", created_by=pcso)
    application = apply(area, applicant=son, on_behalf=True, behalf_of=area.ann, problems=[])
    m.ProblemPerson.objects.create(
        problem=area.problem, person=area.ann, role="victim", added_by=pcso, added_at=at("2026-03-03")
    )
    assert threshold_check(application=application).complaints == 1


def test_a_district_row_overrides_the_forces_rules(area):  # type: ignore[no-untyped-def]
    report(area.problem, "2026-04-02", area.council_officer)
    m.CaseReviewSettings.objects.create(force=area.district.force, complaints=3)
    m.CaseReviewSettings.objects.create(force=area.district.force, district=area.district, complaints=2)
    assert threshold_check(application=apply(area)).met is True


def test_the_evidence_names_only_problems_the_reader_may_see(area, neighbourhood, category):  # type: ignore[no-untyped-def]
    other = f.ProblemFactory(
        owner=area.housing_officer, lead_agency=area.housing, neighbourhood=neighbourhood, category=category
    )
    m.ProblemPerson.objects.create(
        problem=other, person=area.ann, role="victim", added_by=area.housing_officer, added_at=at("2026-04-01")
    )
    application = apply(area)
    mine = threshold_check(application=application, user=area.council_officer)
    assert mine.complaints == 2  # counted, whoever reads
    assert {i.reference for i in mine.items} == {area.problem.reference, ""}  # not housing's problem
    police = threshold_check(application=application, user=area.pcso)
    assert {i.reference for i in police.items} == {area.problem.reference, other.reference}


def test_the_evidence_is_one_query(area, django_assert_num_queries):  # type: ignore[no-untyped-def]
    from jps.case_reviews.threshold import evidence_queryset

    report(area.problem, "2026-04-02", area.council_officer)
    with django_assert_num_queries(1):
        rows = list(evidence_queryset(problem_ids=[area.problem.pk], person_ids=[area.ann.pk], application_id=None,
                                      since=d("2025-12-01"), until=d("2026-06-01")))  # fmt: skip
    assert len(rows) == 2


def test_the_lead_officer_decides_and_may_override_with_a_reason(area):  # type: ignore[no-untyped-def]
    application = apply(area)  # one complaint: not met on the records
    with pytest.raises(services.ValidationError) as refused:
        services.case_review_decide(application=application, by=area.council_officer, met=True, reasons="")
    assert "reasons" in refused.value.message_dict
    services.case_review_decide(
        application=application, by=area.council_officer, met=True, reasons="Ann's diary shows nightly abuse."
    )
    application.refresh_from_db()
    assert application.state == "threshold_met" and application.threshold_overridden is True
    assert application.history.first().history_change_reason == "Threshold decided (override)"
