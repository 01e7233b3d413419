"""Open311: the public site's worked priorities (personal data planted in every internal field) and a partner key."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jps import open311
from tests.publicsite.conftest import PUBLIC, SECRETS, area, people, priorities, work_priority  # noqa: F401

__all__ = ["PUBLIC", "SECRETS"]


@pytest.fixture
def recent(people, area, category):  # type: ignore[no-untyped-def]  # noqa: F811
    """A current public priority adopted last week: inside the default 90-day window (the others are not)."""
    return work_priority(
        **people,
        neighbourhood=area,
        category=category,
        close=False,
        public_title="Fly-tipping <behind> the shops & garages",
        adopted_on=timezone.localdate() - datetime.timedelta(days=7),
    )


@pytest.fixture
def key(council):  # type: ignore[no-untyped-def]
    """A council system's key (the raw key, as handed over)."""
    return open311.open311_key_create(name="Canterbury City Council CRM", agency=council)[1]
