"""Hole 10 (the edges): the health probe over HTTP, JSON for every /api/ error, length limits, SQLite writers.

- ``/healthz`` is exempt from the HTTPS redirect, so a load balancer probing over plain HTTP sees 200/503.
- Every error under ``/api/`` is JSON (404 for a URL that matches nothing, 405, 413, 500) and documented.
- Every free-text field has a length limit, enforced by model validation wherever text comes in, with
  a message that names the field; a 1 MB description is refused by the API and by the form, nothing stored.
- On the SQLite demo, concurrent API writes queue for the write lock instead of failing with a 500.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from rest_framework import serializers
from rest_framework.test import APIClient

from jps import services
from jps.models import Problem, ProgressUpdate
from jps.models.fields import BoundedTextField
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
MEGABYTE = "x" * 1_000_001


def _problem_body(neighbourhood, category, **extra):  # type: ignore[no-untyped-def]
    return {
        "title": "Speeding outside the school",
        "description": "Cars speeding at pick-up time.",
        "neighbourhood": neighbourhood.pk,
        "category": category.pk,
        "source": "community",
        "originator": "Head teacher",
        **extra,
    }


def _clean_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL", "CACHE_URL", "DATABASE_URL"):
        env.pop(name, None)
    return {**env, **extra}


# --- /healthz over plain HTTP in production -------------------------------------------------------

PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client()
health = client.get("/healthz")
page = client.get("/accounts/login/")
print(json.dumps({"health": health.status_code, "health_body": health.content.decode(),
                  "page": page.status_code, "page_to": page.get("Location", "")}))
"""


def test_healthz_answers_over_plain_http_in_production_while_other_paths_redirect(tmp_path):
    env = _clean_env(
        DEBUG="0",
        SECRET_KEY="x" * 64 + "-production-like-secret-key",
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_SETTINGS_MODULE="jps.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["health"] == 200, answer  # not 301: the probe sees the real state
    assert json.loads(answer["health_body"])["database"] == "ok"
    assert answer["page"] == 301 and answer["page_to"].startswith("https://")  # everything else still redirects


# --- JSON for every error under /api/ -----------------------------------------------------------


def test_an_unmatched_api_url_answers_json_404(pcso):
    for client in (APIClient(), client_for(pcso)):
        response = client.get("/api/no-such-thing/")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Not found."}
    # the staff pages keep their HTML page
    assert "text/html" in APIClient().get("/no-such-page/")["Content-Type"]


def test_a_method_the_endpoint_does_not_allow_answers_json_405(pcso):
    response = client_for(pcso).delete("/api/problems/")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_an_oversized_api_body_answers_json_413_and_stores_nothing(pcso, neighbourhood, category, settings):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = json.dumps(_problem_body(neighbourhood, category, description="x" * (limit + 1)))
    response = client_for(pcso).post("/api/problems/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["max_bytes"] == limit and "too large" in response.json()["detail"]
    form = client_for(pcso).post("/api/problems/", {"description": "x" * (limit + 1)})  # multipart, too
    assert form.status_code == 413 and form.json()["max_bytes"] == limit
    assert not Problem.objects.exists()


def test_a_request_django_refuses_before_any_view_is_json_under_api(pcso, settings):
    """Too many form fields: Django raises while parsing, before DRF, and handler400 answers."""
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    fields = "&".join(f"f{i}=1" for i in range(10))
    client = APIClient(raise_request_exception=False)
    client.force_login(pcso)
    response = client.post("/api/auth/token/", fields, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json" and "detail" in response.json()


def test_a_fault_under_api_answers_json_500_with_the_request_id(pcso):
    client = client_for(pcso)
    client.raise_request_exception = False
    with mock.patch("api.views.ProblemViewSet.list", side_effect=RuntimeError("boom")):
        response = client.get("/api/problems/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["request_id"] == response["X-Request-ID"] and "boom" not in json.dumps(body)


def test_the_schema_documents_413_on_writes_and_500_everywhere(pcso):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    create = schema["paths"]["/api/problems/"]["post"]["responses"]
    listing = schema["paths"]["/api/problems/"]["get"]["responses"]
    assert {"400", "404", "413", "500"} <= set(create)
    assert "500" in listing and "413" not in listing
    assert create["413"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/TooLarge"}
    assert set(schema["components"]["schemas"]["ServerError"]["required"]) == {"detail", "request_id"}
    # and the limit of a free-text field is in the schema, so a client knows it before sending
    request_body = schema["components"]["schemas"]["ProblemWriteRequest"]["properties"]
    assert request_body["description"]["maxLength"] == 10_000


# --- length limits on free text -----------------------------------------------------------------


def test_every_free_text_field_has_an_enforced_limit():
    """No unbounded TextField in the domain: each is a BoundedTextField, whose limit full_clean enforces."""
    unbounded = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_app_config("jps").get_models()
        if not model.__name__.startswith("Historical")
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField) and not isinstance(field, BoundedTextField)
    ]
    assert unbounded == []


#: Serializers that only describe answers (never read input), so their text needs no limit.
ANSWERS_ONLY = {"DuplicateSerializer", "TransitionRefusedSerializer"}


def test_every_plain_form_and_serializer_text_field_has_a_limit():
    """Text typed into a plain form or serializer field is refused at the field, before any service runs."""
    import api.meetings
    import api.serializers
    import frontend.forms
    import frontend.insight
    import frontend.meetings

    missing = []
    for module in (frontend.forms, frontend.meetings, frontend.insight):
        for name, cls in vars(module).items():
            if isinstance(cls, type) and issubclass(cls, forms.BaseForm) and hasattr(cls, "base_fields"):
                for field_name, field in cls.base_fields.items():
                    if type(field) is forms.CharField and field.max_length is None:
                        missing.append(f"{module.__name__}.{name}.{field_name}")
    for module in (api.serializers, api.meetings):
        for name, cls in vars(module).items():
            if isinstance(cls, type) and issubclass(cls, serializers.Serializer) and name not in ANSWERS_ONLY:
                for field_name, field in getattr(cls, "_declared_fields", {}).items():
                    if type(field) is serializers.CharField and not field.read_only and field.max_length is None:
                        missing.append(f"{module.__name__}.{name}.{field_name}")
    assert sorted(set(missing)) == [], sorted(set(missing))


def test_a_service_refuses_long_text_with_a_message_naming_the_field(problem, pcso):
    with pytest.raises(ValidationError) as refused:
        services.update_add(problem=problem, by=pcso, text=MEGABYTE)
    assert refused.value.message_dict == {"text": ["Text must be 10,000 characters or fewer (it has 1,000,001)."]}
    assert not ProgressUpdate.objects.exists()


def test_a_one_megabyte_description_is_refused_by_the_api_naming_the_field(pcso, neighbourhood, category):
    client = client_for(pcso)
    response = client.post(
        "/api/problems/", _problem_body(neighbourhood, category, description=MEGABYTE), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["description"]
    assert "10000" in response.json()["description"][0]
    assert not Problem.objects.exists()
    # an update's text through its plain serializer, too
    created = client.post("/api/problems/", _problem_body(neighbourhood, category), format="json")
    assert created.status_code == 201
    response = client.post("/api/updates/", {"problem": created.json()["id"], "text": MEGABYTE}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["text"]
    assert not ProgressUpdate.objects.exists()


def test_a_one_megabyte_description_is_refused_by_the_web_form_with_what_was_typed(
    client, pcso, neighbourhood, category
):
    client.force_login(pcso)
    draft = {
        "client_key": "0b6c9a52-3c1e-4c39-9a43-4d4a3f3b8a11",
        **_problem_body(neighbourhood, category, description=MEGABYTE),
        "confirm_new": "1",
    }
    response = client.post(reverse("problem_create"), draft)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["description"] and "10000" in errors["description"][0]
    assert "Speeding outside the school" in response.content.decode()  # nothing typed is lost
    assert not Problem.objects.exists()


def test_a_model_form_shows_the_fields_own_message(problem, pcso):
    from frontend.forms import AnalysisForm

    form = AnalysisForm(data={"victim": "x" * 10_001})
    assert not form.is_valid()
    assert form.errors["victim"] == ["Victim must be 10,000 characters or fewer (it has 10,001)."]


# --- SQLite: concurrent writers ---------------------------------------------------------------


def test_concurrent_api_writes_on_the_sqlite_demo_give_no_500(tmp_path):
    """Eight users log five problems each at the same moment, on a file database (see sqlite_writers.py)."""
    env = _clean_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        API_THROTTLE_WRITES="100000/minute",
        LOG_LEVEL="CRITICAL",
    )
    script = Path(__file__).with_name("sqlite_writers.py")
    result = subprocess.run(
        [sys.executable, str(script), "8", "5"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["codes"] == {"201": 40}, outcome
    assert outcome["problems"] == 40
