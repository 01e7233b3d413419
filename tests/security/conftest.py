"""Fixtures for the adversarial tests: every role's API client, throttles out of the way."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.api.conftest import client_for


@pytest.fixture(autouse=True)
def _generous_throttles(settings):  # type: ignore[no-untyped-def]
    """Many writes per role in one test: throttles are tested on their own (test_throttles.py)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"auth": "10000/minute", "writes": "100000/minute"},
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():  # type: ignore[no-untyped-def]
    return client_for
