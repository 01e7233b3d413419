"""Property-based run of the /api/meetings/ operations against their OpenAPI schema, for every role.

As ``test_schemathesis`` does for the rest of the API: no 5xx, documented status codes
and bodies matching the schema; half the generated ids are swapped for real meetings.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings

from jps import meetings
from jps import models as m

from .test_schemathesis import CHECKS, api_schema, role_headers  # noqa: F401  (fixtures)


@pytest.fixture
def meeting_ids(world, pcso, neighbourhood, category, council):  # type: ignore[no-untyped-def]
    held = meetings.meeting_create(
        by=pcso,
        neighbourhoods=[neighbourhood],
        starts_at=timezone.now() - datetime.timedelta(days=3),
        venue="Hall",
        agencies=[council],
        residents_attending=12,
    )
    meetings.meeting_adopt_existing(meeting=held, by=pcso, problem=world.own)
    upcoming = meetings.meeting_create(
        by=pcso, neighbourhoods=[neighbourhood], starts_at=timezone.now() + datetime.timedelta(days=20), online=True
    )
    return [held.pk, upcoming.pk]


def test_meetings_api_conforms_to_its_schema_for_every_role(api_schema, role_headers, meeting_ids):  # noqa: F811
    operations = [r.ok() for r in api_schema.get_all_operations() if r.ok().path.startswith("/api/meetings/")]
    assert len(operations) >= 8
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case) -> None:  # type: ignore[no-untyped-def]
            generated = (case.path_parameters or {}).get("id")
            if isinstance(generated, int) and generated % 2 == 0:
                case.path_parameters["id"] = meeting_ids[(generated // 2) % len(meeting_ids)]
            for headers in role_headers.values():
                response = case.call(headers=headers)
                case.validate_response(response, checks=CHECKS)

        try:
            run()
        except Exception as error:  # collect all, report together
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)
    assert m.Meeting.objects.filter(pk__in=meeting_ids).count() == 2
