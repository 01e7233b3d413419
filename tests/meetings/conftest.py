"""Meetings fixtures: a meeting held last week in the PCSO's neighbourhood."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jps import meetings


@pytest.fixture
def last_week() -> datetime.datetime:
    return (timezone.now() - datetime.timedelta(days=7)).replace(hour=19, minute=0, second=0, microsecond=0)


@pytest.fixture
def held_meeting(pcso, neighbourhood, police, council, last_week):  # type: ignore[no-untyped-def]
    return meetings.meeting_create(
        by=pcso,
        neighbourhoods=[neighbourhood],
        starts_at=last_week,
        ends_at=last_week + datetime.timedelta(hours=2),
        venue="Northgate Community Centre",
        address="Northgate, Canterbury CT1 1BE",
        chair_name="Margaret Example",
        agencies=[police, council],
        residents_attending=23,
        public_agenda="Agree the ward's priorities for the next three months.",
        notes="Mrs Jane Resident of 4 Station Road complained about her neighbour.",
    )
