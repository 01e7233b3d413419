"""Open311 GeoReport v2 reads, by the ``georeport`` client from PyPI against the running application.

``georeport`` 0.3.1 reads services, service definitions, requests and one request, in JSON and
XML (through ``xmltodict``); it has no call to post a request or for discovery, so those go
through ``requests`` (the library it uses itself), tests/open311/test_posts.py.
"""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest
import requests
from georeport import GeoReport

from .conftest import PUBLIC, SECRETS

pytestmark = pytest.mark.django_db

EVER = {"start_date": "2020-01-01T00:00:00Z", "end_date": "2030-01-01T00:00:00Z"}


def client(live_server, fmt: str = "json") -> GeoReport:  # type: ignore[no-untyped-def]
    return GeoReport(live_server.url + "/open311/v2/", output_format=fmt)


def test_georeport_lists_services_and_reads_a_definition_in_json_and_xml(live_server, category):  # type: ignore[no-untyped-def]
    for fmt in ("json", "xml"):
        api = client(live_server, fmt)
        listed = api.get_service_list()
        service = listed[0] if isinstance(listed, list) else listed  # xmltodict: one element is a dict
        assert service["service_code"] == category.slug and service["service_name"] == category.name
        assert service["group"] == category.group and service["type"] == "realtime"
        assert service["metadata"] in (False, "false")
        assert "anti-social behaviour" in service["keywords"]
        definition = api.get_service_definition(category.slug)
        assert definition["service_code"] == category.slug and not definition["attributes"]
    missing = requests.get(live_server.url + "/open311/v2/services/no-such.xml", timeout=5)
    assert missing.status_code == 404 and ET.fromstring(missing.content).find("error/code").text == "404"


def test_georeport_lists_requests_in_json_and_xml_and_reads_one_by_id(live_server, priorities, area):  # type: ignore[no-untyped-def]
    closed, current = priorities["closed"], priorities["current"]
    as_json = client(live_server).get_service_requests(**EVER)
    assert [r["service_request_id"] for r in as_json] == [current.reference, closed.reference]  # newest first
    as_xml = client(live_server, "xml").get_service_requests(**EVER)
    assert [r["service_request_id"] for r in as_xml] == [current.reference, closed.reference]
    one = client(live_server).get_service_request(closed.reference)
    assert one == as_json[1]
    assert one["status"] == "closed" and one["status_notes"] == PUBLIC["outcome"]
    assert one["description"] == PUBLIC["title"] and one["service_code"] == closed.category.slug
    assert one["requested_datetime"].startswith("2026-03-04T00:00:00")
    assert one["address"] == "Northgate, Canterbury" and (one["lat"], one["long"]) == (51.28, 1.08)  # the centre
    assert as_json[0]["status"] == "open" and as_json[0]["status_notes"] == PUBLIC["update"]
    xml_one = client(live_server, "xml").get_service_request(current.reference)
    assert xml_one["status"] == "open" and xml_one["lat"] == "51.28" and xml_one["expected_datetime"] is None
    hidden = requests.get(f"{live_server.url}/open311/v2/requests/{priorities['hidden'].reference}.json", timeout=5)
    assert hidden.status_code == 404 and hidden.json()[0]["code"] == 404  # not a public priority


def test_the_address_does_not_repeat_the_town(client, priorities, area):  # type: ignore[no-untyped-def]
    area.public_name = "Canterbury Northgate"
    area.save()
    [one] = client.get(f"/open311/v2/requests/{priorities['current'].reference}.json").json()
    assert one["address"] == "Canterbury Northgate"


def test_status_filter_returns_only_that_status(live_server, priorities):  # type: ignore[no-untyped-def]
    api = client(live_server)
    closed = api.get_service_requests(status="closed", **EVER)
    assert [r["service_request_id"] for r in closed] == [priorities["closed"].reference]
    opened = api.get_service_requests(status="open", **EVER)
    assert [r["service_request_id"] for r in opened] == [priorities["current"].reference]
    assert len(api.get_service_requests(status="open,closed", **EVER)) == 2
    bad = requests.get(live_server.url + "/open311/v2/requests.json?status=pending", timeout=5)
    assert bad.status_code == 400 and "status" in bad.json()[0]["description"]


def test_date_filters_and_the_default_window(live_server, priorities, recent):  # type: ignore[no-untyped-def]
    api = client(live_server)
    refs = {name: p.reference for name, p in priorities.items()}
    assert [r["service_request_id"] for r in api.get_service_requests()] == [recent.reference]  # the last 90 days
    march = api.get_service_requests(start_date="2026-03-01T00:00:00Z", end_date="2026-03-31T23:59:59Z")
    assert [r["service_request_id"] for r in march] == [refs["closed"]]
    from_may = api.get_service_requests(start_date="2026-05-01T00:00:00+01:00", end_date="2026-08-01T00:00:00Z")
    assert [r["service_request_id"] for r in from_may] == [refs["current"]]  # midnight, local: included
    after_may_1 = api.get_service_requests(start_date="2026-05-01T00:00:01+01:00", end_date="2026-08-01")
    assert after_may_1 == []
    by_code = api.get_service_requests(service_code=recent.category.slug + ",other", **EVER)
    assert len(by_code) == 3 and api.get_service_requests(service_code="other", **EVER) == []
    by_ids = api.get_service_requests(service_request_id=f"{refs['closed']},{refs['hidden']}", status="open")
    assert [r["service_request_id"] for r in by_ids] == [refs["closed"]]  # ids override the rest; hidden stays so
    for bad in ("start_date=yesterday", "start_date=2026-05-01&end_date=2026-04-01"):
        answer = requests.get(f"{live_server.url}/open311/v2/requests.xml?{bad}", timeout=5)
        assert answer.status_code == 400 and ET.fromstring(answer.content).tag == "errors"


def test_page_size_is_capped(client, priorities, recent, settings):  # type: ignore[no-untyped-def]
    settings.JPS_OPEN311_PAGE_SIZE = 2
    answer = client.get("/open311/v2/requests.json", EVER).json()
    assert [r["service_request_id"] for r in answer] == [recent.reference, priorities["current"].reference]


def test_discovery_in_json_and_xml(live_server):  # type: ignore[no-untyped-def]
    found = requests.get(live_server.url + "/open311/v2/discovery.json", timeout=5).json()
    [endpoint] = found["endpoints"]
    assert endpoint["url"] == live_server.url + "/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    xml = ET.fromstring(requests.get(live_server.url + "/open311/v2/discovery.xml", timeout=5).content)
    assert [f.text for f in xml.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


def test_xml_is_well_formed_whatever_the_text(client, recent):  # type: ignore[no-untyped-def]
    answer = client.get("/open311/v2/requests.xml")
    assert answer["Content-Type"] == "text/xml; charset=utf-8"
    [request] = ET.fromstring(answer.content).findall("request")
    assert request.findtext("description") == "Fly-tipping <behind> the shops & garages"
    assert b"<behind>" not in answer.content


def _every_answer(client, priorities, recent) -> list[bytes]:  # type: ignore[no-untyped-def]
    paths = [f"/open311/v2/requests.{fmt}" for fmt in ("json", "xml")]
    paths += [
        f"/open311/v2/requests/{p.reference}.{fmt}" for p in (*priorities.values(), recent) for fmt in ("json", "xml")
    ]
    paths += ["/open311/v2/services.json", "/open311/v2/services.xml", "/open311/v2/discovery.json"]
    bodies = [client.get(p, EVER).content for p in paths]
    bodies += [client.get(p).content for p in paths]
    return bodies


def test_nothing_non_public_in_any_answer(client, priorities, recent, people):  # type: ignore[no-untyped-def]
    """The worked priorities carry a victim with a name, phone and address, an originator, named staff,
    exact coordinates and every internal text: none of it may reach a reader."""
    bodies = _every_answer(client, priorities, recent)
    assert any(PUBLIC["title"].encode() in b for b in bodies)
    for body in bodies:
        text = json.dumps(body.decode())  # JSON-escaped too, so nothing hides behind an escape
        for name, secret in SECRETS.items():
            assert secret not in body.decode() and secret not in text, name
        assert priorities["closed"].title not in body.decode()  # the internal title
