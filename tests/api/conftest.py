"""API fixtures: a small world with problems each role sees differently, and token clients."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jps import models as m
from tests import factories as f

ROLES = [
    "officer",
    "partner",
    "other_partner",
    "supervisor",
    "analyst",
    "training",
    "webeditor",
    "callhandler",
    "admin",
    "anonymous",
]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):  # type: ignore[no-untyped-def]
    """Ten users per test: hash their passwords cheaply (tests only)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _generous_throttles(settings):  # type: ignore[no-untyped-def]
    """High rates so no test trips a throttle by accident; one test sets them low on purpose."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"auth": "10000/minute", "writes": "100000/minute"},
    }
    cache.clear()
    yield
    cache.clear()


@dataclass
class World:
    own: m.Problem  # the PCSO's, Canterbury, a council action on it
    other: m.Problem  # Dover, a housing action on it
    closed: m.Problem  # Canterbury, closed
    public: m.Problem  # Canterbury public priority with a pending public update
    council_action: m.Action
    housing_action: m.Action
    pending_update: m.ProgressUpdate


@pytest.fixture
def users(
    pcso, partner_user, other_partner, supervisor, analyst, training_manager, web_editor, call_handler, admin_user
):  # type: ignore[no-untyped-def]
    return {
        "officer": pcso,
        "partner": partner_user,
        "other_partner": other_partner,
        "supervisor": supervisor,
        "analyst": analyst,
        "training": training_manager,
        "webeditor": web_editor,
        "callhandler": call_handler,
        "admin": admin_user,
        "anonymous": None,
    }


@pytest.fixture
def world(problem, pcso, other_officer, other_neighbourhood, neighbourhood, category, council, housing):  # type: ignore[no-untyped-def]
    other = f.ProblemFactory(owner=other_officer, neighbourhood=other_neighbourhood, category=category)
    closed = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category, stage=m.Stage.CLOSED)
    public = f.ProblemFactory(
        owner=pcso,
        neighbourhood=neighbourhood,
        category=category,
        public_priority=True,
        adopted_on=datetime.date(2026, 1, 5),
    )
    council_action = m.Action.objects.create(
        problem=problem, action_type="prevention", description="Fix the street lights", agency=council, created_by=pcso
    )
    m.Participation.objects.create(problem=problem, agency=council)
    housing_action = m.Action.objects.create(
        problem=other, action_type="enforcement", description="Warn tenants", agency=housing, created_by=other_officer
    )
    m.Participation.objects.create(problem=other, agency=housing)
    pending = m.ProgressUpdate.objects.create(problem=public, author=pcso, text="Patrols added", status="pending")
    return World(problem, other, closed, public, council_action, housing_action, pending)


def client_for(user: m.User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api():  # type: ignore[no-untyped-def]
    return client_for
