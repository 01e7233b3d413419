"""The duplicate check on the log form (with and without JavaScript) and through the API."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from jps import services
from jps.models import Problem, ProblemReport, Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def benches(problem):
    problem.title = "Benches smashed in Dane John Gardens"
    problem.description = "Park benches broken, graffiti on the bandstand."
    problem.save()
    return problem


def draft(neighbourhood, category, **extra):
    return {
        "client_key": "0b6c9a52-3c1e-4c39-9a43-4d4a3f3b8a11",
        "neighbourhood": neighbourhood.pk,
        "category": category.pk,
        "source": "community",
        "originator": "Resident of Dane John Mews",
        "title": "Bench broken in the gardens",
        "description": "Kicked over last night",
        **extra,
    }


def test_the_form_asks_before_logging_a_likely_duplicate_and_can_attach(client, pcso, benches, neighbourhood, category):
    client.force_login(pcso)
    url = reverse("problem_create")
    response = client.post(url, draft(neighbourhood, category))
    body = response.content.decode()
    assert response.status_code == 200 and "Is it one of these problems?" in body and benches.reference in body
    assert Problem.objects.count() == 1
    response = client.post(url, {**draft(neighbourhood, category), "attach_to": benches.pk})
    assert response.status_code == 302 and response["Location"] == reverse("problem", args=[benches.pk])
    report = ProblemReport.objects.get()
    assert (report.problem, report.originator, report.reported_by) == (benches, "Resident of Dane John Mews", pcso)
    assert Problem.objects.count() == 1
    page = client.get(reverse("problem", args=[benches.pk])).content.decode()
    assert "Other reports of this problem" in page and "Resident of Dane John Mews" in page


def test_it_is_new_logs_it_after_all(client, pcso, benches, neighbourhood, category):
    client.force_login(pcso)
    response = client.post(reverse("problem_create"), {**draft(neighbourhood, category), "confirm_new": "1"})
    assert response.status_code == 302
    assert Problem.objects.count() == 2 and not ProblemReport.objects.exists()


def test_nothing_similar_logs_straight_away_and_attach_to_the_unseen_is_404(
    client, pcso, other_officer, benches, neighbourhood, category
):
    client.force_login(pcso)
    response = client.post(reverse("problem_create"), draft(neighbourhood, category, title="Speeding", description="x"))
    assert response.status_code == 302 and Problem.objects.count() == 2
    client.force_login(other_officer)
    response = client.post(reverse("problem_create"), {**draft(neighbourhood, category), "attach_to": "abc"})
    assert response.status_code in (200, 404)
    assert not ProblemReport.objects.exists()


def test_the_htmx_partial_lists_suggestions(client, pcso, benches, neighbourhood, category):
    client.force_login(pcso)
    url = reverse("problem_duplicates")
    response = client.get(url, {"category": category.pk, "neighbourhood": neighbourhood.pk, "title": "broken bench"})
    assert response.status_code == 200 and benches.reference in response.content.decode()
    response = client.get(url, {"category": "x", "neighbourhood": "", "title": "broken bench"})
    assert response.status_code == 200 and benches.reference not in response.content.decode()


def test_the_api_duplicate_check_and_attaching_a_report(pcso, supervisor, benches, neighbourhood, category):
    api = APIClient()
    api.force_authenticate(user=pcso)
    query = {"category": category.pk, "neighbourhood": neighbourhood.pk, "title": "Broken bench in the park"}
    response = api.post("/api/problems/duplicates/", query, format="json")
    assert response.status_code == 200, response.content
    assert [d["reference"] for d in response.json()] == [benches.reference]
    assert api.post("/api/problems/duplicates/", {"title": "x"}, format="json").status_code == 400
    response = api.post(
        f"/api/problems/{benches.pk}/reports/",
        {"source": "partner", "originator": "Council park warden", "text": "Two benches down"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert benches.reports.get().originator == "Council park warden"
    services.problem_transition(problem=benches, to=Stage.CLOSED_NO_ACTION, by=supervisor, reason="Repaired")
    assert api.post("/api/problems/duplicates/", query, format="json").json() == []
    response = api.post(
        f"/api/problems/{benches.pk}/reports/", {"source": "partner", "originator": "x", "text": "y"}, format="json"
    )
    assert response.status_code == 403


def test_a_supervisor_merges_through_the_api(pcso, supervisor, other_supervisor, benches, neighbourhood, category):
    from tests import factories as f

    duplicate = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category, title="Bench broken")
    api = APIClient()
    api.force_authenticate(user=pcso)
    body = {"into": benches.pk, "reason": "Same benches"}
    assert api.post(f"/api/problems/{duplicate.pk}/merge/", body, format="json").status_code == 403
    api.force_authenticate(user=other_supervisor)
    assert api.post(f"/api/problems/{duplicate.pk}/merge/", body, format="json").status_code == 404
    api.force_authenticate(user=supervisor)
    assert api.post(f"/api/problems/{duplicate.pk}/merge/", {"into": benches.pk}, format="json").status_code == 400
    response = api.post(f"/api/problems/{duplicate.pk}/merge/", body, format="json")
    assert response.status_code == 200, response.content
    duplicate.refresh_from_db()
    assert duplicate.stage == Stage.CLOSED_NO_ACTION and benches.reports.get().merged_from == duplicate.reference
