"""The OpenAPI document says what the server enforces, and a client generated from it works (issue 21).

``openapi-python-client`` (a generator nobody here wrote) turns the live schema into a package
with no warning; every module of it imports, and its token operation (JSON only) signs in
against the running application and its problem list reads with the token.
"""

from __future__ import annotations

import datetime
import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from .conftest import client_for

pytestmark = pytest.mark.django_db

GENERATOR = Path(sys.executable).parent / "openapi-python-client"


def _schema() -> dict[str, Any]:
    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_token_operation_is_documented_as_json_only(pcso) -> None:  # type: ignore[no-untyped-def]
    operation = _schema()["paths"]["/api/auth/token/"]["post"]
    assert list(operation["requestBody"]["content"]) == ["application/json"]
    pcso.set_password("a long demo password")
    pcso.save()
    signed_in = Client().post(
        "/api/auth/token/", {"username": pcso.username, "password": "a long demo password"}, "application/json"
    )
    assert signed_in.status_code == 200 and signed_in.json()["token"]
    too_long = Client().post("/api/auth/token/", {"username": "u" * 151, "password": "x"}, "application/json")
    assert too_long.status_code == 400 and "username" in too_long.json()  # the maxLength the schema gives


def test_a_meeting_needs_a_neighbourhood_in_the_schema_and_on_the_server(pcso, neighbourhood) -> None:  # type: ignore[no-untyped-def]
    schemas = _schema()["components"]["schemas"]
    for name in ("MeetingWriteRequest", "PatchedMeetingWriteRequest"):
        assert schemas[name]["properties"]["neighbourhoods"]["minItems"] == 1, name
    starts = (timezone.now() + datetime.timedelta(days=3)).isoformat()
    answer = client_for(pcso).post("/api/meetings/", {"neighbourhoods": [], "starts_at": starts}, format="json")
    assert answer.status_code == 400 and "neighbourhoods" in answer.json()


def test_every_text_a_client_sends_has_its_limit_or_its_format_in_the_schema() -> None:
    unbounded = [
        (name, field)
        for name, schema in _schema()["components"]["schemas"].items()
        if name.endswith("Request")
        for field, prop in schema.get("properties", {}).items()
        if prop.get("type") == "string" and not ({"maxLength", "format", "enum"} & set(prop))
    ]
    assert unbounded == []


@pytest.mark.slow
def test_the_generated_client_imports_cleanly_and_signs_in(live_server, tmp_path, pcso, problem) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "schema.json").write_text(json.dumps(_schema()))
    env = {**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(  # noqa: S603  (our own venv's generator on our own schema)
        [str(GENERATOR), "generate", "--path", "schema.json", "--output-path", "jps_api_client", "--meta", "none"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout + run.stderr, run.stdout + run.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        package = importlib.import_module("jps_api_client")
        modules = [m.name for m in pkgutil.walk_packages(package.__path__, "jps_api_client.")]
        for name in modules:
            importlib.import_module(name)
        assert "jps_api_client.api.auth.auth_token_create" in modules
        _sign_in_and_list(live_server.url, pcso, problem)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n.split(".")[0] == "jps_api_client"]:
            del sys.modules[name]


def _sign_in_and_list(base_url: str, pcso, problem) -> None:  # type: ignore[no-untyped-def]
    client_module = importlib.import_module("jps_api_client")
    token_op = importlib.import_module("jps_api_client.api.auth.auth_token_create")
    problems_op = importlib.import_module("jps_api_client.api.problems.problems_list")
    models = importlib.import_module("jps_api_client.models")
    pcso.set_password("a long demo password")
    pcso.save()
    anonymous = client_module.Client(base_url=base_url)
    body = models.TokenRequestRequest(username=pcso.username, password="a long demo password")
    answer = token_op.sync_detailed(client=anonymous, body=body)
    assert answer.status_code == 200, answer.content
    token = json.loads(answer.content)["token"]
    signed_in = client_module.AuthenticatedClient(base_url=base_url, token=token, prefix="Token")
    page = problems_op.sync(client=signed_in)
    assert page is not None and problem.pk in [p.id for p in page.results]
