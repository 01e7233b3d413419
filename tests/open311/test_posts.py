"""Open311 posts: a partner system's key, a request that lands in the team's triage queue, and every refusal.

``georeport`` 0.3.1 has no call to post a request, so these post form-encoded with ``requests``
(the library it is built on), as the specification describes, against the running application.
"""

from __future__ import annotations

from io import StringIO
from xml.etree import ElementTree as ET

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError

from jps import selectors
from jps.models import Open311Key, ResidentReport

pytestmark = pytest.mark.django_db

POINT = {"lat": "51.2801", "long": "1.0801"}  # near the area's centre (51.28, 1.08)


def post(base: str, fmt: str = "json", **fields: str) -> requests.Response:
    return requests.post(f"{base}/open311/v2/requests.{fmt}", data=fields, timeout=5)


def test_a_request_posted_with_a_key_reaches_the_neighbourhood_team_only(  # type: ignore[no-untyped-def]
    live_server, key, area, category, pcso, other_officer, partner_user
):
    answer = post(
        live_server.url,
        api_key=key,
        service_code=category.slug,
        description="Cars racing along the seafront after midnight",
        first_name="Ada",
        last_name="Resident",
        email="ada@example.com",
        phone="07700 900999",
        media_url="https://council.example/photos/1.jpg",
        **POINT,
    )
    assert answer.status_code == 200, answer.text
    [created] = answer.json()
    report = ResidentReport.objects.get()
    assert created["token"] == report.reference and created["service_request_id"] == report.reference
    assert report.channel == ResidentReport.Channel.OPEN311 and report.neighbourhood == area
    assert report.reporter_name == "Ada Resident" and report.reporter_email == ""  # no consent could be given
    assert "Canterbury City Council CRM" in report.description and "photos/1.jpg" in report.description
    assert list(selectors.resident_reports_to_triage(user=pcso)) == [report]
    assert not selectors.resident_reports_to_triage(user=other_officer).exists()
    assert not selectors.resident_reports_visible_to(partner_user).exists()
    everything = requests.get(live_server.url + "/open311/v2/requests.json?start_date=2000-01-01", timeout=5)
    assert everything.json() == []  # not public: nothing to read until the team makes it a public priority
    token = requests.get(f"{live_server.url}/open311/v2/tokens/{report.reference}.json", timeout=5).json()
    assert token == [{"service_request_id": None, "token": report.reference}]
    assert Open311Key.objects.get().last_used_at is not None


def test_a_request_by_postcode_in_xml(live_server, key, area, category, pcso):  # type: ignore[no-untyped-def]
    from jps.models import Postcode

    Postcode.objects.create(postcode="CT1 2EH", outward="CT1", neighbourhood=area)
    where = "12 High Street, Canterbury CT1 2EH"
    answer = post(live_server.url, "xml", api_key=key, service_code=category.slug, address_string=where,
                  description="Graffiti on the bus shelter")  # fmt: skip
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "text/xml; charset=utf-8"
    token = ET.fromstring(answer.content).findtext("request/token")
    report = ResidentReport.objects.get(reference=token)
    assert report.location == "12 High Street, Canterbury CT1 2EH" and report.neighbourhood == area


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_no_or_a_wrong_or_a_revoked_key_is_403(live_server, key, area, category, fmt):  # type: ignore[no-untyped-def]
    Open311Key.objects.update(active=False)
    for api_key in ("", "not-a-key", key):
        answer = post(live_server.url, fmt, api_key=api_key, service_code=category.slug, description="x", **POINT)
        assert answer.status_code == 403
        if fmt == "json":
            assert answer.json()[0]["code"] == 403 and answer.json()[0]["description"]
        else:
            error = ET.fromstring(answer.content)
            assert error.tag == "errors" and error.findtext("error/code") == "403"
    assert not ResidentReport.objects.exists()


def test_bad_input_is_400_and_saves_nothing(client, key, area, category):  # type: ignore[no-untyped-def]
    cases = [
        ({"service_code": "no-such", **POINT}, "service_code"),
        ({"service_code": ""}, "service_code"),
        ({"service_code": category.slug}, "lat and long"),  # no location at all
        ({"service_code": category.slug, "lat": "north", "long": "east"}, "decimal degrees"),
        ({"service_code": category.slug, "lat": "10", "long": "10"}, "not in an area"),
        ({"service_code": category.slug, "address_string": "Somewhere nice"}, "not in an area"),
    ]
    for fields, said in cases:
        answer = client.post("/open311/v2/requests.json", {"api_key": key, "description": "Noise", **fields})
        assert answer.status_code == 400, fields
        assert said in answer.json()[0]["description"] and answer.json()[0]["code"] == 400
    no_words = client.post("/open311/v2/requests.json", {"api_key": key, "service_code": category.slug, **POINT})
    assert no_words.status_code == 400 and "description" in no_words.json()[0]["description"]
    assert not ResidentReport.objects.exists()


def test_posts_are_limited_per_key(client, key, area, category, settings):  # type: ignore[no-untyped-def]
    settings.JPS_OPEN311_POSTS_PER_KEY = "1/hour"
    fields = {"api_key": key, "service_code": category.slug, "description": "Noise", **POINT}
    assert client.post("/open311/v2/requests.json", fields).status_code == 200
    limited = client.post("/open311/v2/requests.json", fields)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0 and limited.json()[0]["code"] == 429
    assert ResidentReport.objects.count() == 1


def test_calls_are_limited_per_address(client, settings):  # type: ignore[no-untyped-def]
    settings.JPS_OPEN311_PER_ADDRESS = "2/minute"
    assert [client.get("/open311/v2/services.xml").status_code for _ in range(3)] == [200, 200, 429]


def test_other_methods_are_refused_in_the_format_asked(client):  # type: ignore[no-untyped-def]
    answer = client.delete("/open311/v2/requests.xml")
    assert answer.status_code == 405 and answer["Allow"] == "GET, POST"
    assert ET.fromstring(answer.content).findtext("error/code") == "405"


def test_create_open311_key_prints_the_key_last_and_keeps_only_its_hash(council):  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command("create_open311_key", "Council CRM", "--agency", "canterbury-city-council", stdout=out)
    raw = out.getvalue().split()[-1]
    key = Open311Key.objects.get()
    assert key.agency == council and key.name == "Council CRM" and key.active
    assert raw not in key.key_hash and len(key.key_hash) == 64
    from jps.open311 import open311_key_check

    assert open311_key_check(raw) == key and open311_key_check(raw + "x") is None
    assert key.history.count() == 1
    with pytest.raises(CommandError):
        call_command("create_open311_key", "Other", "--agency", "nobody", stdout=StringIO())
    call_command("create_open311_key", "No agency", stdout=StringIO())
    assert Open311Key.objects.filter(agency=None).count() == 1
