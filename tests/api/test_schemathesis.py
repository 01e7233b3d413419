"""Property-based run of the live OpenAPI schema against the WSGI app, with every role's token.

For each operation schemathesis generates requests from the schema (bounded examples)
and each is sent with every role's token and anonymously. Every answer must be no
5xx, a documented status code and content type, and a body matching the schema.
Half the generated ids are swapped for ids of real objects so the requests reach
real records, not only 404s.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jps import models as m
from tests import fuzz

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_schema(db, world, users):  # type: ignore[no-untyped-def]
    """The schema loaded from /api/schema/ through the WSGI app, in the test's transaction.

    Django closes "old" connections at the start and end of each request; in a test the
    connection is inside the test transaction, so those handlers are detached meanwhile
    (as Django's own test client does).
    """
    from jps.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def role_headers(users):  # type: ignore[no-untyped-def]
    headers = {}
    for role, user in users.items():
        if user is None:
            headers[role] = {}
        else:
            token, _ = Token.objects.get_or_create(user=user)
            headers[role] = {"Authorization": f"Token {token.key}"}
    return headers


def _known_ids(path: str) -> list[int]:
    models = {
        "/api/problems/": m.Problem,
        "/api/actions/": m.Action,
        "/api/reviews/": m.SupervisoryReview,
        "/api/updates/": m.ProgressUpdate,
        "/api/evaluations/": m.Evaluation,
        "/api/neighbourhoods/": m.Neighbourhood,
        "/api/districts/": m.District,
        "/api/agencies/": m.Agency,
        "/api/categories/": m.Category,
    }
    for prefix, model in models.items():
        if path.startswith(prefix):
            return sorted(model.objects.values_list("pk", flat=True))
    return []


GROUPS = [
    "/api/auth/",
    "/api/problems/",
    "/api/actions/",
    "/api/reviews/",
    "/api/updates/",
    "/api/evaluations/",
    "/api/neighbourhoods/",
    "/api/districts/",
    "/api/agencies/",
    "/api/categories/",
]
#: Examples per operation in the quick run: the workflow resources get more than the read-only reference lists.
#: ``make fuzz`` (JPS_FUZZ_EXAMPLES) gives every operation the same, larger number (tests/fuzz.py).
EXAMPLES = {"/api/neighbourhoods/": 5, "/api/districts/": 5, "/api/agencies/": 5, "/api/categories/": 5}


def _exercise(operation, role_headers, examples: int) -> None:  # type: ignore[no-untyped-def]
    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=not fuzz.deep(),
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:  # type: ignore[no-untyped-def]
        generated = (case.path_parameters or {}).get("id")
        if isinstance(generated, int) and generated % 2 == 0:
            known = _known_ids(operation.path)
            if known:
                case.path_parameters["id"] = known[(generated // 2) % len(known)]
        for _role, headers in role_headers.items():
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

    run()


@pytest.mark.parametrize("group", GROUPS)
def test_api_conforms_to_its_schema_for_every_role(group, api_schema, role_headers):  # type: ignore[no-untyped-def]
    operations = [r.ok() for r in api_schema.get_all_operations() if r.ok().path.startswith(group)]
    assert operations, group
    failures = []
    for operation in operations:
        try:
            _exercise(operation, role_headers, fuzz.examples(EXAMPLES.get(group, 10)))
        except Exception as error:  # collect all, report together
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)
