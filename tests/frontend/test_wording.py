"""Wording on staff pages (issue 22, point 4): labels, empty choices, messages, history and places."""

from __future__ import annotations

import pytest
from django.urls import reverse

from frontend.forms import AssessmentForm
from frontend.templatetags.govuk import in_district
from jps import services
from jps.models import Risk, Stage
from jps.problems.selectors import problem_history
from tests import factories as f

from . import helpers as h

pytestmark = pytest.mark.django_db


def test_the_agency_filter_has_a_name_and_the_log_form_one_location(client, pcso, neighbourhood):
    client.force_login(pcso)
    listing = client.get(reverse("problem_list")).content.decode()
    assert "[invalid name]" not in listing and ">Agency (optional)</label>" in listing
    form = client.get(reverse("problem_create")).content.decode()
    assert form.count("Location (optional)") == 1 and "Street or place (optional)" in form


def test_no_select_starts_with_dashes(pcso, neighbourhood, police):
    problem = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, lead_agency=police)
    h.to_assessment(problem, pcso, police)
    form = AssessmentForm(user=pcso, problem=problem)
    assert list(form.fields["outcome"].choices)[0] == ("", "Choose")  # type: ignore[attr-defined]
    assert "---------" not in str(form)


def test_closing_says_closed_not_in_closed(client, pcso, supervisor, neighbourhood, police):
    problem = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, lead_agency=police)
    h.to_assessment(problem, pcso, police)
    h.assess(problem, pcso)
    client.force_login(supervisor)
    page = client.post(reverse("problem_transition", args=[problem.pk]), {"to": Stage.CLOSED}, follow=True)
    body = page.content.decode()
    assert f"{problem.reference} is now closed." in body and "is now in closed" not in body


def test_history_names_fields_as_people_do(pcso, neighbourhood):
    problem = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood)
    services.problem_update(problem=problem, by=pcso, risk=Risk.HIGH, problem_statement="Racing on the bypass at 2am")
    changed = problem_history(problem)[0]["fields"]
    assert "review interval days" in changed and "problem statement" in changed
    assert not any("_" in name for name in changed)


def test_the_district_is_named_once(neighbourhood, client, pcso):
    neighbourhood.public_name = f"Northgate, {neighbourhood.district.name}"
    neighbourhood.save()
    assert in_district(neighbourhood, neighbourhood.district) == f"Northgate, {neighbourhood.district.name}"
    neighbourhood.public_name = "Northgate"
    assert in_district(neighbourhood, neighbourhood.district) == f"Northgate, {neighbourhood.district.name}"
    problem = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood)
    neighbourhood.public_name = f"Northgate, {neighbourhood.district.name}"
    neighbourhood.save()
    client.force_login(pcso)
    page = client.get(reverse("problem", args=[problem.pk])).content.decode()
    assert f"{neighbourhood.district.name}, {neighbourhood.district.name}" not in page
