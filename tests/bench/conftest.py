"""The API's small world (problems in two districts, partners taking part in some) for the bench smoke tests."""

from tests.api.conftest import world  # noqa: F401
