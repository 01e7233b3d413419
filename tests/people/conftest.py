"""The API's small world (problems each role sees differently), shared with tests/api."""

from tests.api.conftest import _generous_throttles, world  # noqa: F401
