"""The demo year of PACT meetings loads through the services, idempotently, and tells a full story."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from jps import meetings
from jps.demo.meetings import meeting_times
from jps.models import Meeting, MeetingItem, Neighbourhood, Stage, User

pytestmark = pytest.mark.django_db


def test_meeting_times_are_a_year_past_and_three_to_come():
    now = datetime.datetime(2026, 11, 26, 23, 0, tzinfo=datetime.UTC)  # a Thursday
    past, future = meeting_times(now)
    assert len(past) == 13 and len(future) == 3
    assert timezone.localtime(past[-1]).date() == datetime.date(2026, 11, 24)
    assert timezone.localtime(past[0]).date() == datetime.date(2025, 12, 23)
    assert timezone.localtime(future[0]).date() == datetime.date(2026, 12, 22)
    tuesday_evening = datetime.datetime(2026, 11, 24, 20, 0, tzinfo=datetime.UTC)
    assert timezone.localtime(meeting_times(tuesday_evening)[0][-1]).date() == datetime.date(2026, 11, 17)
    assert all(timezone.localtime(t).weekday() == 1 and timezone.localtime(t).hour == 19 for t in past + future)


def test_demo_meetings_load_once_with_a_year_per_ward():
    call_command("load_demo", "--password", "pw-for-tests-123")
    count = Meeting.objects.count()
    call_command("load_demo", "--password", "pw-for-tests-123")
    assert Meeting.objects.count() == count == 4 * 13 + 3 * 3
    northgate = Neighbourhood.objects.get(name="Northgate")
    assert northgate.meetings.filter(status="held").count() == 13
    kinds = set(MeetingItem.objects.filter(meeting__neighbourhoods=northgate).values_list("kind", flat=True))
    assert kinds == set(MeetingItem.Kind.values)
    signed = MeetingItem.objects.filter(kind="signed_off").select_related("problem")
    assert signed.count() == 4 and all(item.problem.stage == Stage.CLOSED for item in signed)

    supervisor = User.objects.get(username="supervisor")
    failing = {n.name for n in meetings.neighbourhoods_failing_meeting_standard(user=supervisor)}
    assert "Wincheap" in failing and "Chartham and Stone Street" in failing
    assert not {"Northgate", "Westgate", "Herne Bay Heron"} & failing

    page = meetings.public_meetings_for_neighbourhood(neighbourhood=northgate)
    assert len(page["upcoming"]) >= 2 and len(page["you_said_we_did"]) == 13
    assert "Community chair" not in str(page) and "Minutes taken" not in str(page)
