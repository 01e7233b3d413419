"""Fixtures for the adversarial tests: every role's API client, throttles out of the way (as in tests/api)."""

from __future__ import annotations

import pytest

from tests.api.conftest import _generous_throttles, client_for  # noqa: F401  (autouse fixture, shared)


@pytest.fixture
def api():  # type: ignore[no-untyped-def]
    return client_for
