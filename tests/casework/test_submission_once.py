"""The same draft sent twice (a double tap, a retry after a lost answer) logs one problem."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from jps.models import Problem

pytestmark = pytest.mark.django_db


def test_the_log_form_carries_a_draft_key_and_a_repeat_post_logs_one_problem(client, pcso, neighbourhood, category):
    client.force_login(pcso)
    page = client.get(reverse("problem_create")).content.decode()
    assert 'type="hidden" name="client_key"' in page
    key = str(uuid.uuid4())
    data = {
        "client_key": key,
        "neighbourhood": neighbourhood.pk,
        "category": category.pk,
        "source": "observation",
        "originator": "PCSO on patrol",
        "title": "Needles in the play park",
        "description": "Found by the swings",
    }
    first = client.post(reverse("problem_create"), data)
    second = client.post(reverse("problem_create"), data)
    problem = Problem.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("problem", args=[problem.pk])
    data["client_key"] = "nonsense"
    response = client.post(reverse("problem_create"), data)
    assert response.status_code == 200 and "reload the page and send it again" in response.content.decode()
    assert Problem.objects.count() == 1


def test_the_api_honours_an_idempotency_key(pcso, other_officer, neighbourhood, category):
    api = APIClient()
    api.force_authenticate(user=pcso)
    body = {
        "title": "Needles in the play park",
        "description": "Found by the swings",
        "neighbourhood": neighbourhood.pk,
        "category": category.pk,
        "source": "observation",
        "originator": "PCSO on patrol",
    }
    key = str(uuid.uuid4())
    first = api.post("/api/problems/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    second = api.post("/api/problems/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, second.status_code) == (201, 200), second.content
    assert first.json()["id"] == second.json()["id"]
    third = api.post("/api/problems/", {**body, "client_key": key}, format="json")
    assert third.status_code == 200 and third.json()["id"] == first.json()["id"]
    assert Problem.objects.count() == 1
    # Someone else's key is refused plainly, without revealing the problem.
    api.force_authenticate(user=other_officer)
    refused = api.post("/api/problems/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert refused.status_code == 400 and "Needles" not in refused.content.decode()
    bad = api.post("/api/problems/", body, format="json", HTTP_IDEMPOTENCY_KEY="not-a-uuid")
    assert bad.status_code == 400
