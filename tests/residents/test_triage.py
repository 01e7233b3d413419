"""Accept, attach, decline: each once, by the team, with what the resident is told."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jps import models as m
from jps import services
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_accept_makes_a_problem_with_the_resident_as_originator_and_complainant(named_report, pcso):
    problem = services.resident_report_accept(report=named_report, by=pcso, title="Drinking in Orchard Street")
    assert problem.source == m.Source.RESIDENT_REPORT == "resident"
    assert problem.get_source_display() == "Resident report"
    assert problem.originator == f"Gwendolyn Resident (resident report {named_report.reference})"
    assert problem.owner == pcso and problem.stage == m.Stage.SCANNING
    (link,) = m.ProblemPerson.objects.filter(problem=problem)
    assert link.role == "complainant" and link.person.name == "Gwendolyn Resident"
    assert link.person.email == "gwen@example.com"
    named_report.refresh_from_db()
    assert (named_report.status, named_report.problem, named_report.triaged_by) == ("accepted", problem, pcso)
    assert list(named_report.notices.values_list("kind", flat=True)) == ["ack", "accepted"]
    assert named_report.history.first().history_user == pcso


def test_an_anonymous_report_is_accepted_without_a_person(anonymous_report, supervisor):
    problem = services.resident_report_accept(report=anonymous_report, by=supervisor, title="")
    assert problem.originator.startswith("Anonymous resident (resident report R-")
    assert not m.ProblemPerson.objects.filter(problem=problem).exists()
    assert problem.title == anonymous_report.description[:80]


def test_only_one_decision_wins(anonymous_report, pcso, supervisor):
    services.resident_report_decline(report=anonymous_report, by=pcso, reason="This is a matter for the council.")
    stale = m.ResidentReport.objects.get(pk=anonymous_report.pk)
    stale.status = "new"  # as a second officer's page still shows it
    with pytest.raises((ValidationError, PermissionDenied)):
        services.resident_report_accept(report=stale, by=supervisor, title="Too late")
    assert not m.Problem.objects.exists()


def test_attach_records_a_further_report_on_the_problem(named_report, pcso, neighbourhood, category):
    problem = f.ProblemFactory(neighbourhood=neighbourhood, category=category, owner=pcso)
    services.resident_report_attach(report=named_report, by=pcso, problem=problem)
    named_report.refresh_from_db()
    assert named_report.status == "attached" and named_report.problem == problem
    further = named_report.problem_report
    assert further.problem == problem and further.source == "resident"
    assert further.text.startswith("ZZRESIDENT") and named_report.reference in further.originator


def test_attach_refuses_a_problem_of_another_district(named_report, pcso, other_neighbourhood, category):
    problem = f.ProblemFactory(neighbourhood=other_neighbourhood, category=category, owner=pcso)
    with pytest.raises((ValidationError, PermissionDenied)):
        services.resident_report_attach(report=named_report, by=pcso, problem=problem)
    named_report.refresh_from_db()
    assert named_report.status == "new"


def test_decline_needs_a_reason_and_the_team(named_report, pcso, partner_user):
    with pytest.raises(ValidationError):
        services.resident_report_decline(report=named_report, by=pcso, reason="  ")
    with pytest.raises(PermissionDenied):
        services.resident_report_decline(report=named_report, by=partner_user, reason="No")
    services.resident_report_decline(report=named_report, by=pcso, reason="Please report fly-tipping to the council.")
    named_report.refresh_from_db()
    assert named_report.status == "declined" and named_report.decline_reason.startswith("Please report")
    assert set(named_report.notices.values_list("kind", flat=True)) == {"ack", "declined"}


def test_the_triage_page_accepts_with_govuk_messages(client, named_report, pcso):
    from django.urls import reverse

    from tests.conftest import verified_login

    verified_login(client, pcso)
    url = reverse("resident_report_decide", args=[named_report.pk, "accept"])
    refused = client.post(url, {"title": ""})
    assert refused.status_code == 400 and "Enter a title for the new problem" in refused.content.decode()
    declined = client.post(reverse("resident_report_decide", args=[named_report.pk, "decline"]), {"reason": ""})
    assert "Enter the reason the resident will receive" in declined.content.decode()
    done = client.post(url, {"title": "Drinking in Orchard Street"})
    assert done.status_code == 302
    problem = m.Problem.objects.get()
    assert done["Location"] == reverse("problem", args=[problem.pk])
