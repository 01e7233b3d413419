"""Public meeting output: upcoming meetings, You said — we did, and the data.police.uk events shape.

Nothing about residents but the attendance count may reach a public file: the meeting
fixture carries a resident's name in its internal notes and a community chair's name.
"""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from jps import meetings, services
from jps.meetings import public as meeting_public_output
from jps.models import Meeting

from .. import factories as f
from ..publicsite.site import nbhd_dir

pytestmark = pytest.mark.django_db

EVENT_KEYS = {"title", "description", "address", "type", "start_date", "end_date"}
PRIVATE = ["Jane", "Station Road complained", "Margaret", "Example", "internal progress detail"]


def schedule(pcso, neighbourhood, days, **extra):  # type: ignore[no-untyped-def]
    when = (timezone.now() + datetime.timedelta(days=days)).replace(hour=19, minute=0, second=0, microsecond=0)
    fields = {"venue": "Northgate Community Centre", "address": "Northgate, Canterbury CT1 1BE"} | extra
    return meetings.meeting_create(
        by=pcso,
        neighbourhoods=[neighbourhood],
        starts_at=when,
        ends_at=when + datetime.timedelta(hours=2),
        chair_name="Margaret Example",
        notes="Jane from Station Road complained about her neighbour.",
        public_agenda="Agree the ward's priorities.",
        **fields,
    )


def test_upcoming_meetings_for_three_months_in_the_events_shape(pcso, neighbourhood, other_neighbourhood):
    soon = schedule(pcso, neighbourhood, 10)
    online = schedule(
        pcso, neighbourhood, 40, online=True, venue="", address="", online_url="https://meet.example/pact"
    )
    schedule(pcso, neighbourhood, 120)  # beyond three months
    cancelled = schedule(pcso, neighbourhood, 20)
    meetings.meeting_update(meeting=cancelled, by=pcso, status=Meeting.Status.CANCELLED)

    events = meetings.meeting_events_export(neighbourhood=neighbourhood)
    assert [e["start_date"] for e in events] == [
        meeting_public_output._local_iso(soon.starts_at),
        meeting_public_output._local_iso(online.starts_at),
    ]
    assert all(set(event) == EVENT_KEYS for event in events)
    first = events[0]
    assert first["type"] == "meeting" and first["title"] == "Northgate PACT meeting"
    assert first["address"] == "Northgate Community Centre, Northgate, Canterbury CT1 1BE"
    assert first["start_date"].endswith("T19:00:00")
    assert events[1]["address"] == "Online: https://meet.example/pact"
    assert meetings.meeting_events_export(neighbourhood=other_neighbourhood) == []

    page = meetings.public_meetings_for_neighbourhood(neighbourhood=neighbourhood)
    assert page["events"] == events
    assert [m["purpose"] for m in page["upcoming"]] == ["Agree the ward's priorities."] * 2
    assert set(page["upcoming"][0]) == {
        "title",
        "starts_at",
        "ends_at",
        "date_label",
        "time_label",
        "venue",
        "address",
        "online_url",
        "purpose",
    }
    assert page["upcoming"][0]["time_label"] == "19:00–21:00"


def approve(item, web_editor):  # type: ignore[no-untyped-def]
    """The web editor publishes a PACT priority with the words the meeting recorded."""
    return meetings.meeting_priority_decide(
        item=item, by=web_editor, approve=True, public_title=item.problem.public_name, summary=item.summary
    )


def test_you_said_we_did_and_nothing_about_residents_but_counts(
    pcso, supervisor, held_meeting, neighbourhood, category, council, web_editor
):
    agreed = meetings.meeting_agree_new_priority(
        meeting=held_meeting,
        by=pcso,
        neighbourhood=neighbourhood,
        category=category,
        title="Speeding on St Stephen's Road",
        description="Raised by Jane at 4 Station Road.",  # internal: never published
        originator="Jane Resident, 4 Station Road",  # internal: never published
        public_title="Speeding near the primary school",
    )
    raised = meetings.meeting_raise(
        meeting=held_meeting,
        by=pcso,
        summary="Parking on the pavement in Military Road",
        public_response="Referred to the council's parking enforcement team.",
        note="internal progress detail",
    )
    schedule(pcso, neighbourhood, 14)
    approve(agreed, web_editor)
    assert agreed.problem.updates.count() == 0
    services.update_add(problem=agreed.problem, by=pcso, text="internal progress detail")

    page = meetings.public_meetings_for_neighbourhood(neighbourhood=neighbourhood)
    [past] = page["you_said_we_did"]
    assert past["residents_attending"] == 23 and past["date"] == held_meeting.date.isoformat()
    assert [(i["kind"], i["you_said"]) for i in past["items"]] == [
        ("agreed", "Speeding near the primary school"),
        ("raised", raised.summary),
    ]
    assert past["items"][0]["we_did"] == f"Agreed as a priority, led by {pcso.agency}."
    assert past["items"][1]["we_did"] == "Referred to the council's parking enforcement team."

    published = json.dumps(page, default=str)  # the calendar entries hold datetimes
    for text in PRIVATE + ["4 Station Road", "St Stephen's Road", pcso.username, pcso.last_name]:
        assert text not in published, text
    assert set(past) == {"title", "date", "date_label", "residents_attending", "items"}
    assert all(set(item) == {"kind", "kind_label", "you_said", "you_said_cy", "we_did"} for item in past["items"])


def test_a_priority_that_stops_being_public_drops_out_of_you_said_we_did(
    pcso, supervisor, held_meeting, neighbourhood, category
):
    agreed = meetings.meeting_agree_new_priority(
        meeting=held_meeting,
        by=pcso,
        neighbourhood=neighbourhood,
        category=category,
        title="Drug dealing in the car park",
        description="Dealing seen in the multi-storey car park.",
    )
    services.problem_public_set(problem=agreed.problem, by=supervisor, public_priority=False)
    [past] = meetings.you_said_we_did(neighbourhood=neighbourhood)
    assert past["items"] == []


def test_cancelled_and_scheduled_meetings_have_no_you_said_we_did(pcso, neighbourhood):
    schedule(pcso, neighbourhood, 5)
    assert meetings.you_said_we_did(neighbourhood=neighbourhood) == []


def test_many_neighbourhoods_in_three_queries_and_signed_off_outcomes(
    pcso, supervisor, held_meeting, neighbourhood, category, council, web_editor, django_assert_num_queries
):
    from .test_meetings import agree, to_response

    item = approve(agree(held_meeting, pcso, neighbourhood, category), web_editor)
    problem = to_response(item.problem, pcso, council)
    meetings.meeting_sign_off(
        meeting=held_meeting,
        by=pcso,
        problem=problem,
        public_outcome="No speeding reports since the crossing was built.",
        outcome="eliminated",
        objective_met="Met.",
        evidence="Speed survey.",
    )
    services.problem_transition(problem=problem, to="closed", by=supervisor, reason="Signed off at PACT")
    schedule(pcso, neighbourhood, 30)
    elsewhere = f.NeighbourhoodFactory(district=neighbourhood.district, name="Westgate")
    ids = [neighbourhood.pk, elsewhere.pk, 999999]
    with django_assert_num_queries(3):
        pages = meetings.public_meetings_by_neighbourhood(neighbourhood_ids=ids)
    assert pages[999999] == pages[elsewhere.pk] == {"upcoming": [], "you_said_we_did": [], "events": [], "calendar": []}
    [past] = pages[neighbourhood.pk]["you_said_we_did"]
    assert [(i["kind"], i["we_did"]) for i in past["items"]] == [
        ("agreed", "No speeding reports since the crossing was built."),  # the outcome, once closed
        ("signed_off", "No speeding reports since the crossing was built."),
    ]
    assert len(pages[neighbourhood.pk]["events"]) == 1


def test_the_public_partial_renders_the_published_fields_only(pcso, held_meeting, neighbourhood):
    from django.template.loader import render_to_string

    meetings.meeting_raise(meeting=held_meeting, by=pcso, summary="Dog fouling", public_response="Warden patrols.")
    schedule(pcso, neighbourhood, 9)
    context = {"meetings": meetings.public_meetings_for_neighbourhood(neighbourhood=neighbourhood)}
    html = render_to_string("public_site/_meetings.html", context)
    assert "Dog fouling" in html and "Warden patrols." in html and "23 residents came" in html
    assert "Northgate Community Centre, Northgate, Canterbury CT1 1BE" in html
    for private in PRIVATE:
        assert private not in html, private


def test_the_published_neighbourhood_page_lists_meetings_and_their_events_json(pcso, neighbourhood, category, settings):
    from publicsite.export import publish

    # A neighbourhood appears on the public site once it has a public priority.
    f.ProblemFactory(
        owner=pcso,
        neighbourhood=neighbourhood,
        category=category,
        public_priority=True,
        adopted_on=datetime.date.today(),
        public_title="Noise at the parade",
    )
    soon = schedule(pcso, neighbourhood, 10)
    publish(full=True)
    folder = settings.PUBLIC_SITE_DIR / "current" / nbhd_dir(neighbourhood)
    page = (folder / "index.html").read_text()
    assert "Meetings: have your say" in page and "Northgate Community Centre" in page
    assert 'href="events.json"' in page
    events = json.loads((folder / "events.json").read_text())
    assert [e["start_date"] for e in events] == [meeting_public_output._local_iso(soon.starts_at)]
    for private in PRIVATE:
        assert private not in page and private not in json.dumps(events)
