"""Lock-out after repeated failed sign-ins, on the web and the API, and the audit of refusals."""

from __future__ import annotations

import logging

import pytest
from axes.models import AccessAttempt, AccessLog
from django.core.exceptions import PermissionDenied

from jps import services

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # the factories' password


def sign_in(client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_five_wrong_passwords_lock_the_account_from_that_address(client, pcso, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(4):
        assert sign_in(client, pcso.username, "wrong").status_code == 200  # the form again, with its error
    locked = sign_in(client, pcso.username, "wrong")
    assert locked.status_code == 429
    assert "Too many attempts to sign in" in locked.content.decode()
    # Even the right password is refused while locked out.
    assert sign_in(client, pcso.username, PASSWORD).status_code == 429
    assert AccessAttempt.objects.get(username=pcso.username).failures_since_start >= 5


def test_a_successful_sign_in_is_logged_and_resets_the_count(client, pcso):
    sign_in(client, pcso.username, "wrong")
    assert sign_in(client, pcso.username, PASSWORD).status_code == 302
    assert AccessLog.objects.filter(username=pcso.username).exists()
    assert not AccessAttempt.objects.filter(username=pcso.username).exists()


def test_the_api_token_endpoint_locks_out_too(client, partner_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    statuses = [
        client.post("/api/auth/token/", {"username": partner_user.username, "password": "wrong"}).status_code
        for _ in range(4)
    ]
    assert statuses[:2] == [400, 400]
    assert statuses[-1] == 429
    right = client.post("/api/auth/token/", {"username": partner_user.username, "password": PASSWORD})
    assert right.status_code == 429


def test_permission_refusals_are_logged(problem, partner_user, caplog):
    with caplog.at_level(logging.WARNING, logger="jps.security"), pytest.raises(PermissionDenied):
        services.problem_transition(problem=problem, to="analysis", by=partner_user)
    record = next(r for r in caplog.records if r.name == "jps.security")
    assert record.user == partner_user.username
    assert record.permission == "jps.work_problem"
    assert record.object == f"Problem:{problem.pk}"
