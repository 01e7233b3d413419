"""The public site's finish (issue 22, point 10): what a resident and a search engine expect on every page."""

from __future__ import annotations

import datetime
import os
import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from jps import services
from jps.models import Force
from publicsite.export import publish

from .site import district_dir, nbhd_dir, priority_page, site_files

pytestmark = pytest.mark.django_db


def html_pages(settings) -> dict[str, str]:  # type: ignore[no-untyped-def]
    files = site_files(settings.PUBLIC_SITE_DIR)
    return {path: body.decode() for path, body in files.items() if path.endswith(".html")}


def test_every_page_has_a_description_an_icon_the_force_and_how_to_report_a_crime(priorities, settings, force):
    publish(full=True)
    files = site_files(settings.PUBLIC_SITE_DIR)
    pages = html_pages(settings)
    assert len(pages) >= 5
    for path, html in pages.items():
        description = re.search(r'<meta name="description" content="([^"]+)">', html)
        assert description and len(description.group(1)) > 40, path
        icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
        assert icon, path
        target = os.path.normpath(os.path.join(os.path.dirname(path), icon.group(1)))
        assert target in files, (path, icon.group(1))  # no 404 for the favicon
        assert force.name in html, path  # the force is named, in the header and the title
        assert re.search(rf"<title>[^<]* – {re.escape(force.name)}</title>", html), path
        assert 'href="tel:101"' in html and 'href="tel:999"' in html, path
        assert 'href="https://www.police.uk/"' in html and "Report a crime" in html, path
    assert files["static/favicon.svg"].startswith(b"<svg")


def test_welsh_pages_report_a_crime_in_welsh(priorities, settings, force):
    Force.objects.filter(pk=force.pk).update(welsh_enabled=True)
    publish(full=True)
    cy = html_pages(settings)[f"cy/{priority_page(priorities['current'])}"]
    assert "Rhoi gwybod am drosedd" in cy and 'href="tel:999"' in cy
    assert re.search(r'<meta name="description" content="Blaenoriaeth gymdogaeth yn [^"]+">', cy)


def test_priority_breadcrumb_goes_through_the_district(priorities, settings, area):
    publish(full=True)
    html = html_pages(settings)[priority_page(priorities["current"])]
    crumbs = re.search(r'<nav class="breadcrumbs"[^>]*>(.*?)</nav>', html, re.S)
    assert crumbs
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', crumbs.group(1))
    assert [text for _href, text in links] == ["Home", area.district.name, area.display_name]
    assert links[1][0] == "../../" + district_dir(area.district)
    assert links[2][0] == "../../" + nbhd_dir(area)


def test_updates_are_numbered_in_order_oldest_first(priorities, settings, pcso, web_editor):
    current = priorities["current"]
    second = services.update_add(problem=current, by=pcso, text="Second update", propose_public=True)
    services.update_decide(update=second, by=web_editor, approve=True, public_text="Cameras are now in place.")
    publish(full=True)
    html = html_pages(settings)[priority_page(current)]
    updates = re.search(r'<ol class="updates">(.*?)</ol>', html, re.S)
    assert updates and "reversed" not in html.split('<ol class="updates"')[1].split(">")[0]
    ids = re.findall(r'<li id="update-(\d+)">', updates.group(1))
    assert ids == ["1", "2"]
    assert updates.group(1).index("We have increased patrols") < updates.group(1).index("Cameras are now in place.")


def test_you_said_we_did_dates_read_like_the_rest():
    from jps.meetings.public import _you_said

    class Meeting:
        title = "Northgate PACT meeting"
        date = datetime.date(2026, 12, 22)
        residents_attending = 12

        class items:
            @staticmethod
            def all() -> list[object]:
                return []

    past = _you_said(Meeting, 1)  # type: ignore[arg-type]
    assert past["date_label"] == "Tuesday 22 December 2026"
    with translation.override("en"):
        html = render_to_string("public_site/_meetings.html", {"meetings": {"upcoming": [], "you_said_we_did": [past]}})
    assert '<time datetime="2026-12-22">Tuesday 22 December 2026</time>: Northgate PACT meeting' in html
