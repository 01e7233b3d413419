from __future__ import annotations

import json
import logging

import pytest
from django.contrib.auth.hashers import make_password

from jps.observability import JsonFormatter, RequestIdFilter, request_id_var


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # the load balancer's id is kept (tests/security/test_throttles.py: only then)
    made = client.get("/healthz")
    assert len(made["X-Request-ID"]) == 32
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-abc12345"})
    assert kept["X-Request-ID"] == "lb-abc12345"
    refused = client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert refused["X-Request-ID"] != "bad id\nwith newline"


def test_log_lines_are_json_with_the_request_id():
    record = logging.LogRecord("jps.test", logging.WARNING, __file__, 1, "refused %s", ("x",), None)
    record.user = "partner"
    token = request_id_var.set("req-12345678")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "refused x"
    assert line["request_id"] == "req-12345678"
    assert line["user"] == "partner"
    assert line["level"] == "WARNING"


def test_passwords_are_hashed_with_argon2(settings):
    from jps import settings as configured

    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS  # undo the tests' fast hasher
    assert make_password("a long passphrase").startswith("argon2$")
