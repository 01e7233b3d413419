"""The public site in the formats others read, read by clients nobody here wrote (issue 21).

``police-api-client`` against a plain static server over the export (the data.police.uk mirror),
and against the web application for ``locate-neighbourhood``; ``feedparser`` over every feed;
``icalendar`` over every ``meetings.ics``.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import feedparser
import pytest
import requests
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone
from icalendar import Calendar
from police_api import PoliceAPI

from frontend.public_site.urls import serve_public
from jps import meetings, publishing
from publicsite import police_uk
from publicsite.export import publish

from .conftest import SECRETS
from .site import nbhd_dir, site_files
from .static_server import static_site

pytestmark = pytest.mark.django_db

SQUARE = {  # around the area fixture's centre (51.28, 1.08): GeoJSON positions are [longitude, latitude]
    "type": "Polygon",
    "coordinates": [[[1.07, 51.27], [1.09, 51.27], [1.09, 51.29], [1.07, 51.29], [1.07, 51.27]]],
}


@pytest.fixture
def site(priorities, people, area, other_neighbourhood, settings):  # type: ignore[no-untyped-def]
    """The export of two public priorities in an area with a boundary, two meetings and a consenting team."""
    area.boundary, area.team_email = SQUARE, "northgate.team@kent.police.example"
    area.save()
    pcso, supervisor = people["pcso"], people["supervisor"]
    pcso.publish_on_team_page, pcso.rank = True, "PCSO"
    pcso.save()
    supervisor.first_name, supervisor.publish_on_team_page = "Sam", True  # no rank: the role's name is shown
    supervisor.save()
    soon = timezone.now() + datetime.timedelta(days=10)
    meetings.meeting_create(
        by=pcso,
        neighbourhoods=[area],
        starts_at=soon,
        ends_at=soon + datetime.timedelta(hours=2),
        title="Northgate PACT; with the council, and residents",
        venue="St Mary's Hall",
        address="1 Church Lane, Canterbury",
        public_agenda="Parking near the school.\nAnd the parade, again; see the notes\\minutes.",
    )
    meetings.meeting_create(by=pcso, neighbourhoods=[area], starts_at=soon + datetime.timedelta(days=30), online=True,
                            online_url="https://meet.example.org/northgate")  # fmt: skip
    publish(full=True)
    return settings.PUBLIC_SITE_DIR / "current"


def test_police_api_client_lists_forces_and_neighbourhoods_and_reads_every_priority_event_and_person(
    site, area, people
):  # type: ignore[no-untyped-def]
    force = area.district.force
    with static_site(site) as base:
        assert requests.get(base + "api/forces", timeout=5).headers["Content-Type"] == "application/json"
        api = PoliceAPI(base_url=base + "api/")
        forces = api.get_forces()
        assert [(f.id, f.name) for f in forces] == [(force.slug, force.name)]
        [kent] = forces
        assert kent.telephone == "101" and kent.url == "https://priorities.example.test/"
        assert kent.senior_officers == []
        places = kent.neighbourhoods
        assert {n.name for n in places} == {area.display_name, "Castle"}
        seen = {"priorities": 0, "events": 0, "people": 0}
        for n in places:
            assert n.url_force.startswith("https://priorities.example.test/neighbourhoods/")
            assert n.population == 0 and isinstance(n.links, list) and isinstance(n.locations, list)
            for p in n.priorities:
                assert p.issue.startswith("<p>") and isinstance(p.issue_date, datetime.datetime)
                seen["priorities"] += 1
            for e in n.events:
                assert e.type == "meeting" and isinstance(e.start_date, datetime.datetime)
                assert e.contact_details == {"email": "northgate.team@kent.police.example"}
                seen["events"] += 1
            for o in n.officers:
                assert o.bio == "" and o.contact_details == {"email": "northgate.team@kent.police.example"}
                seen["people"] += 1
        assert seen == {"priorities": 2, "events": 2, "people": 2}
        northgate = kent.get_neighbourhood(police_uk.neighbourhood_id(area))
        assert northgate.centre == {"latitude": "51.280000", "longitude": "1.080000"}
        assert northgate.contact_details["email"] == "northgate.team@kent.police.example"
        assert [(o.name, o.rank) for o in northgate.officers] == [
            (people["supervisor"].get_full_name(), "Supervisor"),
            (people["pcso"].get_full_name(), "PCSO"),
        ]
        assert northgate.boundary[0] == (51.27, 1.07) and len(northgate.boundary) == 5
        # no boundary loaded for Castle: no file, where the national API has one for every neighbourhood
        castle = next(n for n in places if n.name == "Castle")
        assert requests.get(base + f"api/{force.slug}/{castle.id}/boundary", timeout=5).status_code == 404


def test_the_mirror_keeps_the_national_types_and_keys(site, area):  # type: ignore[no-untyped-def]
    files = site_files(site.parent)
    base = police_uk.nbhd_api_dir(area)
    detail = json.loads(files[base + "index"])
    assert set(detail) == {"id", "name", "description", "population", "url_force", "contact_details", "links",
                           "centre", "locations"}  # fmt: skip
    assert detail["population"] == "0" and isinstance(detail["centre"]["latitude"], str)
    [first, _] = json.loads(files[base + "events"])
    assert set(first) == {"title", "description", "address", "type", "start_date", "end_date", "contact_details"}
    assert json.loads(files[nbhd_dir(area) + "events.json"]) == json.loads(files[base + "events"])  # old path kept
    assert json.loads(files[nbhd_dir(area) + "priorities.json"]) == json.loads(files[base + "priorities"])
    [person, _] = json.loads(files[base + "people"])
    assert set(person) == {"name", "rank", "bio", "contact_details"}
    point = json.loads(files[base + "boundary"])[0]
    assert point == {"latitude": "51.27", "longitude": "1.07"}
    # only consenting staff, and nothing of them but name and rank
    text = b"".join(v for k, v in files.items() if k.startswith("api/")).decode()
    assert SECRETS["editor_last"] not in text and "@example" not in text.replace("kent.police.example", "")


def test_only_staff_who_agreed_are_published(site, area, people):  # type: ignore[no-untyped-def]
    pcso = people["pcso"]
    pcso.publish_on_team_page = False
    pcso.save()
    assert publishing.public_team(neighbourhoods=[area])[area.pk] == [
        publishing.PublicOfficer(name=people["supervisor"].get_full_name(), rank="Supervisor")
    ]
    pcso.publish_on_team_page, pcso.is_active = True, False
    pcso.save()
    assert [o.rank for o in publishing.public_team(neighbourhoods=[area])[area.pk]] == ["Supervisor"]


def test_police_api_client_locates_a_neighbourhood_through_the_web_application(live_server, area, settings):  # type: ignore[no-untyped-def]
    area.boundary = SQUARE
    area.save()
    cache.clear()
    api = PoliceAPI(base_url=live_server.url + "/api/")
    found = api.locate_neighbourhood(51.281, 1.081)
    assert (found.force.id, found.id) == publishing.police_uk_ids(area)
    assert api.locate_neighbourhood(10.0, 10.0) is None  # 404, as data.police.uk answers
    answer = requests.get(live_server.url + "/api/locate-neighbourhood?q=north,east", timeout=5)
    assert answer.status_code == 400 and "latitude" in answer.json()["detail"]
    settings.JPS_LOCATE_PER_ADDRESS = "1/minute"
    cache.clear()
    assert requests.get(live_server.url + "/api/locate-neighbourhood?q=51.281,1.081", timeout=5).status_code == 200
    limited = requests.get(live_server.url + "/api/locate-neighbourhood?q=51.281,1.081", timeout=5)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    cache.clear()


def test_the_demo_server_serves_the_mirror_as_json(site, area):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/public/api/forces")
    response = serve_public(request, "api/forces")
    assert response["Content-Type"] == "application/json"
    assert json.loads(b"".join(response.streaming_content))[0]["id"] == area.district.force.slug
    people = serve_public(request, police_uk.nbhd_api_dir(area) + "people")
    assert people["Content-Type"] == "application/json"
    located = serve_public(RequestFactory().get("/public/api/locate-neighbourhood?q=51.28,1.08"),
                           "api/locate-neighbourhood")  # fmt: skip
    assert located.status_code == 302 and located["Location"] == "/api/locate-neighbourhood?q=51.28%2C1.08"


def test_feedparser_reads_every_feed_with_no_bozo_and_an_author_from_the_configured_address(priorities, area, settings):  # type: ignore[no-untyped-def]
    settings.PUBLIC_SITE_URL = "http://127.0.0.1:8123/public/"
    publish(full=True)
    feeds = {k: v for k, v in site_files(settings.PUBLIC_SITE_DIR).items() if k.endswith("feed.atom")}
    assert len(feeds) == 2  # Northgate, with entries, and Castle, with none
    for path, body in feeds.items():
        parsed = feedparser.parse(body)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.feed.author_detail.name == area.district.force.name, path
        assert parsed.feed.link.startswith("http://127.0.0.1:8123/public/neighbourhoods/")
        for entry in parsed.entries:
            assert entry.link.startswith("http://127.0.0.1:8123/public/priorities/")
            assert "author" not in entry  # entries take the feed's author (RFC 4287 4.2.1)
        assert b":8000" not in body
    assert len(feedparser.parse(feeds[nbhd_dir(area) + "feed.atom"]).entries) == 3


def test_meetings_ics_is_a_calendar_with_stable_uids_escaped_and_folded(site, area, settings):  # type: ignore[no-untyped-def]
    files = site_files(site.parent)
    raw = files[nbhd_dir(area) + "meetings.ics"]
    assert b'href="meetings.ics"' in files[nbhd_dir(area) + "index.html"]
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines) and raw.endswith(b"\r\n")
    assert b"Northgate PACT\\; with the council\\, and residents" in raw.replace(b"\r\n ", b"")
    calendar = Calendar.from_ical(raw)
    events = calendar.walk("VEVENT")
    assert [str(e["summary"]) for e in events][0] == "Northgate PACT; with the council, and residents"
    first, online = events
    assert str(first["description"]) == "Parking near the school.\nAnd the parade, again; see the notes\\minutes."
    assert str(first["location"]) == "St Mary's Hall, 1 Church Lane, Canterbury"
    assert str(online["location"]) == "Online" and str(online["url"]) == "https://meet.example.org/northgate"
    assert first.decoded("dtstart").tzinfo is not None and "dtstamp" in first
    uids = [str(e["uid"]) for e in events]
    assert all(uid.startswith("meeting-") and uid.endswith("@priorities.example.test") for uid in uids)
    # a second export: the same UIDs and the very same bytes (DTSTAMP is when the meeting changed)
    publish(full=True)
    assert site_files(settings.PUBLIC_SITE_DIR)[nbhd_dir(area) + "meetings.ics"] == raw
    # nothing but public fields
    assert b"notes" not in raw.replace(b"notes\\\\minutes", b"")


def test_boundary_points_take_the_outer_ring_of_the_largest_part() -> None:
    small = [[[0, 0], [0, 1], [1, 1], [0, 0]]]
    large = [[[5, 50], [5, 51], [6, 51], [6, 50], [5, 50]], [[5.5, 50.5], [5.6, 50.5], [5.5, 50.6], [5.5, 50.5]]]
    points = police_uk.boundary_points({"type": "MultiPolygon", "coordinates": [small, large]})
    assert len(points) == 5 and points[0] == {"latitude": "50", "longitude": "5"}
    assert police_uk.boundary_points(None) == [] and police_uk.boundary_points({"type": "Point"}) == []


def test_the_mirror_is_in_force_shards(site, area) -> None:  # type: ignore[no-untyped-def]
    manifest = json.loads(Path(site / ".publish.json").read_text())
    assert {"api/forces", f"api/{area.district.force.slug}"} <= set(manifest["shards"])
