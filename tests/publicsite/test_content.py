"""What is public, and only that: content rules, the personal-data test, the machine-readable shapes."""

from __future__ import annotations

import json
import re

import pytest

from jps.models import Force
from publicsite.export import publish
from tests import factories as f

from .conftest import PUBLIC, SECRETS, work_priority
from .site import district_dir, nbhd_dir, priority_page, site_files

pytestmark = pytest.mark.django_db


def test_no_internal_or_personal_data_appears_in_any_public_file(priorities, settings, force):
    force.welsh_enabled = True  # the Welsh copies must be just as clean
    force.save()
    publish(full=True)
    files = site_files(settings.PUBLIC_SITE_DIR)
    assert len(files) > 10
    everything = b"\n".join(files.values()).decode()
    leaks = {name: value for name, value in SECRETS.items() if value.lower() in everything.lower()}
    assert leaks == {}
    assert not re.search(r"ZZ[A-Z]+ ", everything)  # no planted marker, whatever its field
    # ...while what is public is there: the public title, the approved text, the outcome, the lead agency.
    for text in (PUBLIC["title"], PUBLIC["update"], PUBLIC["outcome"], "Kent Police"):
        assert text in everything
    # the internal title of a public priority is replaced by the title for the public
    assert priorities["closed"].title not in everything


def test_a_problem_logged_by_a_partner_publishes_nothing_the_partner_wrote_but_may_not_publish(
    people, area, category, partner_user, settings
):
    """A partner logs a problem with personal data everywhere and tries to publish its own text: the
    write policy refuses the public fields, and once the supervisor adopts it only the public text shows."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(partner_user)
    body = {
        "title": "ZZPARTNERTITLE the Smith family at number 4",
        "description": SECRETS["description"],
        "originator": SECRETS["originator"],
        "neighbourhood": area.pk,
        "category": category.pk,
        "source": "partner",
        "public_priority": True,
        "adopted_on": "2026-02-01",
        "public_title": "ZZPARTNERPUBLIC the council's own message",
    }
    refused = client.post("/api/problems/", body, format="json")
    assert refused.status_code == 400 and {"public_priority", "adopted_on", "public_title"} <= set(refused.json())
    problem = work_priority(**people, neighbourhood=area, category=category, close=True, logged_by=partner_user)
    publish(full=True)
    everything = b"\n".join(site_files(settings.PUBLIC_SITE_DIR).values()).decode()
    assert PUBLIC["title"] in everything and problem.reference in everything
    assert not re.search(r"ZZ[A-Z]+ ", everything)
    assert {name for name, value in SECRETS.items() if value.lower() in everything.lower()} == set()


def test_only_public_priorities_get_pages(priorities, settings):
    publish(full=True)
    files = site_files(settings.PUBLIC_SITE_DIR)
    pages = sorted(p for p in files if p.startswith("priorities/") and p.endswith(".html"))
    assert pages == sorted(priority_page(priorities[k]) for k in ("closed", "current"))


def test_neighbourhood_page_shows_current_first_then_past_with_outcome_and_dates(priorities, settings, area):
    publish(full=True)
    html = site_files(settings.PUBLIC_SITE_DIR)[f"{nbhd_dir(area)}index.html"].decode()
    current_at = html.index("Speeding on Military Road")
    past_heading = html.index("We did: past priorities")
    closed_at = html.index(PUBLIC["title"])
    assert html.index("You said: current priorities") < current_at < past_heading < closed_at
    assert PUBLIC["outcome"] in html[past_heading:]
    assert "1 May 2026" in html and "4 March 2026" in html  # dates adopted
    assert "Date closed" in html[past_heading:]
    assert "Lead agency" in html and "Kent Police" in html
    assert "alerts/subscribe/?neighbourhood=" in html


def test_priority_page_has_dated_history_and_outcome(priorities, settings):
    closed = priorities["closed"]
    publish(full=True)
    html = site_files(settings.PUBLIC_SITE_DIR)[priority_page(closed)].decode()
    assert PUBLIC["update"] in html
    assert re.search(r'<time datetime="\d{4}-\d{2}-\d{2}">', html)
    assert 'id="outcome"' in html and PUBLIC["outcome"] in html
    assert "Date closed" in html


def test_every_page_shows_when_it_was_last_updated_and_needs_no_javascript(priorities, settings):
    publish(full=True)
    files = site_files(settings.PUBLIC_SITE_DIR)
    html_pages = [p for p in files if p.endswith(".html")]
    assert html_pages
    for path in html_pages:
        text = files[path].decode()
        assert "Last updated" in text, path
        assert "<script" not in text, path
        assert '<html lang="en">' in text
        assert 'href="#main"' in text  # skip link


def test_welsh_copies_and_language_switch_when_the_force_enables_welsh(priorities, settings, force):
    publish(full=True)
    assert not any(p.startswith("cy/") for p in site_files(settings.PUBLIC_SITE_DIR))
    Force.objects.filter(pk=force.pk).update(welsh_enabled=True)
    publish()  # the language set changed: a full export follows by itself
    files = site_files(settings.PUBLIC_SITE_DIR)
    page = priority_page(priorities["closed"])
    cy = files[f"cy/{page}"].decode()
    en = files[page].decode()
    assert '<html lang="cy">' in cy
    assert "Diweddarwyd ddiwethaf" in cy  # "Last updated", from the committed Welsh catalogue
    assert "Mawrth" in cy  # March, in Welsh
    assert f'href="../../../{page}"' in cy  # switch back to English
    assert f'href="../../cy/{page}"' in en and ">Cymraeg<" in en


def test_police_uk_json_shape(priorities, settings, area):
    publish(full=True)
    raw = site_files(settings.PUBLIC_SITE_DIR)[f"{nbhd_dir(area)}priorities.json"]
    data = json.loads(raw)
    assert isinstance(data, list) and len(data) == 2
    for item in data:
        assert set(item) == {"issue", "issue-date", "action", "action-date"}
        assert item["issue"].startswith("<p>") and item["issue"].endswith("</p>")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T00:00:00", item["issue-date"])
        assert item["action"] is None or item["action"].startswith("<p>")
        assert item["action-date"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}T00:00:00", item["action-date"])
    by_issue = {item["issue"]: item for item in data}
    assert by_issue[f"<p>{PUBLIC['title']}</p>"]["action"] == f"<p>{PUBLIC['outcome']}</p>"
    assert by_issue["<p>Speeding on Military Road</p>"]["issue-date"] == "2026-05-01T00:00:00"
    assert by_issue["<p>Speeding on Military Road</p>"]["action"] == f"<p>{PUBLIC['update']}</p>"


def test_police_uk_json_escapes_html(people, area, category, settings):
    from .conftest import work_priority

    work_priority(**people, neighbourhood=area, category=category, close=False, public_title="Bins <b>& fly-tipping")
    publish(full=True)
    raw = site_files(settings.PUBLIC_SITE_DIR)[f"{nbhd_dir(area)}priorities.json"]
    assert json.loads(raw)[0]["issue"] == "<p>Bins &lt;b&gt;&amp; fly-tipping</p>"


def test_open311_requests_per_district_shape_and_position_only_at_neighbourhood_level(priorities, settings, area):
    publish(full=True)
    files = site_files(settings.PUBLIC_SITE_DIR)
    assert "requests.json" not in files  # no national file: one per district, linked from its page
    district = f"{district_dir(area.district)}"
    assert 'href="requests.json"' in files[district + "index.html"].decode()
    data = json.loads(files[district + "requests.json"])
    assert len(data) == 2
    required = {
        "service_request_id",
        "status",
        "status_notes",
        "agency_responsible",
        "service_name",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "lat",
        "long",
    }
    by_id = {item["service_request_id"]: item for item in data}
    for item in data:
        assert required <= set(item)
        assert item["status"] in {"open", "closed"}
        assert (item["lat"], item["long"]) == (51.28, 1.08)  # the neighbourhood centre, never the exact place
        assert item["agency_responsible"] == "Kent Police"
    closed = by_id[priorities["closed"].reference]
    assert closed["status"] == "closed" and closed["status_notes"] == PUBLIC["outcome"]
    current = by_id[priorities["current"].reference]
    assert current["status"] == "open" and current["status_notes"] == PUBLIC["update"]
    assert current["requested_datetime"].startswith("2026-05-01T00:00:00")


def test_atom_feed_lists_approved_updates_and_outcomes(priorities, settings, area):
    import xml.etree.ElementTree as ET

    publish(full=True)
    raw = site_files(settings.PUBLIC_SITE_DIR)[f"{nbhd_dir(area)}feed.atom"]
    root = ET.fromstring(raw)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == 3  # two approved updates and one outcome
    summaries = [e.find("a:summary", ns).text for e in entries]
    assert f"<p>{PUBLIC['outcome']}</p>" in summaries and f"<p>{PUBLIC['update']}</p>" in summaries  # as on the pages
    assert all(
        e.find("a:link", ns).get("href").startswith("https://priorities.example.test/priorities/") for e in entries
    )


def test_postcode_finder_works_without_a_server(priorities, settings, area, tmp_path):
    from django.core.management import call_command

    csv_file = tmp_path / "postcodes.csv"
    csv_file.write_text(f"postcode,neighbourhood\nct1 2ab,{area.slug}\nCT12AC,{area.name}\nnot-a-postcode,x\n")
    call_command("load_postcodes", str(csv_file))
    publish(full=True)
    files = site_files(settings.PUBLIC_SITE_DIR)
    assert 'href="postcodes/CT1.html"' in files["index.html"].decode()
    page = files["postcodes/CT1.html"].decode()
    assert "CT1 2AB" in page and "CT1 2AC" in page
    assert f'href="../{nbhd_dir(area)}"' in page
    lookup = json.loads(files["postcodes/CT1.json"])
    assert lookup["CT1 2AB"]["neighbourhood"] == area.display_name


def test_home_page_lists_districts_with_counts_and_districts_list_their_neighbourhoods(
    priorities, settings, area, other_neighbourhood
):
    publish(full=True)
    files = site_files(settings.PUBLIC_SITE_DIR)
    home = files["index.html"].decode()
    here, there = area.district, other_neighbourhood.district
    for district, count in ((here, "1 current priority"), (there, "0 current priorities")):
        link = f'<a href="{district_dir(district)}">{district.name}</a>'
        assert f'{link} <span class="count">({count})' in home
    assert "There is 1 current priority" in home
    assert "neighbourhoods/" not in home  # the district pages list the neighbourhoods
    district = files[f"{district_dir(here)}index.html"].decode()
    assert f'href="../../../neighbourhoods/{here.force.slug}/{here.slug}/{area.slug}/"' in district
    assert "Speeding on Military Road" in district


def test_districts_and_neighbourhoods_of_the_same_name_in_two_forces_have_pages_of_their_own(
    priorities, settings, area
):
    """District slugs are unique only within a force: every place's address names its force."""
    sussex = f.ForceFactory(code="SXP", name="Sussex Police", slug="sussex")
    twin_district = f.DistrictFactory(force=sussex, name="Canterbury of Sussex", slug=area.district.slug)
    twin = f.NeighbourhoodFactory(district=twin_district, name="Twin ward", slug=area.slug)
    publish(full=True)
    files = site_files(settings.PUBLIC_SITE_DIR)
    assert district_dir(twin_district) != district_dir(area.district)
    assert "Canterbury of Sussex" in files[district_dir(twin_district) + "index.html"].decode()
    assert "Canterbury of Sussex" not in files[district_dir(area.district) + "index.html"].decode()
    assert "Twin ward" in files[nbhd_dir(twin) + "index.html"].decode()
    assert "Twin ward" not in files[nbhd_dir(area) + "index.html"].decode()
    home = files["index.html"].decode()  # with several forces, the home page lists districts by force
    assert "<h3>Kent Police</h3>" in home and "<h3>Sussex Police</h3>" in home
    assert home.index("<h3>Sussex Police</h3>") < home.index("Canterbury of Sussex")


#: Planted in residents' reports (issue 20): what they wrote, who they are, their photos' file names.
RESIDENT_SECRETS = {
    "description": "ZZREPORT the man at 12 Cherry Lane deals from his van",
    "name": "Hermione Quackenbush",
    "email": "hermione.q@example.org",
    "location": "ZZPOSTCODE CT1 9ZZ",
    "decline": "ZZDECLINE reason for Hermione",
    "feedback": "ZZFEEDBACK still dealing on Fridays",
}


def test_nothing_a_resident_reported_appears_on_the_public_site(priorities, settings, force, tmp_path):
    """Reports in every state (new, accepted into a public priority, attached, declined), with photos and answers."""
    import io

    from PIL import Image

    from jps import services
    from jps.models import ResidentReport

    settings.MEDIA_ROOT = tmp_path / "media"
    force.welsh_enabled = True
    force.save()
    current, pcso = priorities["current"], priorities["current"].owner
    photo = io.BytesIO()
    Image.new("RGB", (8, 8)).save(photo, format="JPEG")

    def report(**extra):  # type: ignore[no-untyped-def]
        photo.seek(0)
        return services.resident_report_create(
            neighbourhood=current.neighbourhood, category=current.category, description=RESIDENT_SECRETS["description"],
            location=RESIDENT_SECRETS["location"], latitude="51.2876", longitude="1.0765",
            reporter_name=RESIDENT_SECRETS["name"], reporter_email=RESIDENT_SECRETS["email"], consent=True,
            photos=[photo], **extra,
        )  # fmt: skip

    report()  # new: never triaged
    services.resident_report_attach(report=report(), by=pcso, problem=current)
    services.resident_report_decline(report=report(), by=pcso, reason=RESIDENT_SECRETS["decline"])
    answered = report()
    services.resident_report_attach(report=answered, by=pcso, problem=current)
    services.resident_report_feedback(report=answered, fixed=False, comment=RESIDENT_SECRETS["feedback"])
    assert ResidentReport.objects.count() == 4
    publish(full=True)
    everything = b"\n".join(site_files(settings.PUBLIC_SITE_DIR).values()).decode()
    leaks = {name: value for name, value in RESIDENT_SECRETS.items() if value.lower() in everything.lower()}
    assert leaks == {}
    for ref in ResidentReport.objects.values_list("reference", flat=True):
        assert ref not in everything
    assert "resident_reports/" not in everything and "51.2876" not in everything
    assert not re.search(r"ZZ[A-Z]+ ", everything)
    # The public pages lead residents to the form on the web application.
    assert "/report/?neighbourhood=" in everything


def test_no_attachment_reaches_the_public_site_unless_a_web_editor_approved_the_photo(priorities, settings, tmp_path):
    """Documents and photos on public priorities, with planted names and descriptions: none is exported.
    (The approved photo's own path, without EXIF, is ``tests/attachments/test_attachments_public.py``.)"""
    import io

    from PIL import Image

    from jps.attachments import services as attachments

    settings.MEDIA_ROOT = tmp_path / "media"
    photo = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 200, 10)).save(photo, format="JPEG")
    for problem in (priorities["current"],):  # files are added while a problem is open
        for content, name in ((photo.getvalue(), "ZZPHOTO Orchard.jpg"), (b"%PDF-1.4\nZZPDFBODY\n", "ZZDOC.pdf"),
                              (b"ZZTEXTBODY witness statement\n", "ZZTEXT.txt")):  # fmt: skip
            attachments.attachment_add(problem=problem, by=problem.owner, upload=io.BytesIO(content), filename=name,
                                       size=len(content), description="ZZATTACHDESC victim's letter",
                                       shared_with_partners=True)  # fmt: skip
    publish(full=True)
    files = site_files(settings.PUBLIC_SITE_DIR)
    assert not [p for p in files if p.endswith((".jpg", ".jpeg", ".pdf", ".txt"))]
    everything = b"\n".join(files.values())
    for planted in (b"ZZPHOTO", b"ZZDOC", b"ZZPDFBODY", b"ZZTEXT", b"ZZATTACHDESC", b"attachments/"):
        assert planted not in everything


#: Planted in messages to the neighbourhood team (issue 20): who wrote, what, and the team's reply.
MESSAGE_SECRETS = {
    "name": "Ignatius Pettigrew-Vole",
    "email": "ignatius.pv@example.org",
    "subject": "ZZSUBJECT my neighbour at 7 Plum Row",
    "body": "ZZMESSAGE the lads at 7 Plum Row deal on Thursdays",
    "reply": "ZZREPLY thank you Ignatius, we will patrol Plum Row",
    "note": "ZZCLOSENOTE spam from Ignatius",
}


def test_nothing_a_resident_wrote_to_the_team_appears_on_the_public_site(priorities, settings):
    """Messages new, assigned, answered and closed as spam: none of their senders' details is published."""
    from jps import services
    from jps.models import TeamMessage

    current, pcso = priorities["current"], priorities["current"].owner

    def message() -> TeamMessage:
        return services.team_message_create(
            neighbourhood=current.neighbourhood, sender_name=MESSAGE_SECRETS["name"],
            sender_email=MESSAGE_SECRETS["email"], subject=MESSAGE_SECRETS["subject"], body=MESSAGE_SECRETS["body"],
        )  # fmt: skip

    message()
    services.team_message_assign(message=message(), by=pcso, to=pcso)
    services.team_message_reply(message=message(), by=pcso, body=MESSAGE_SECRETS["reply"])
    services.team_message_close(message=message(), by=pcso, reason="spam", note=MESSAGE_SECRETS["note"])
    publish(full=True)
    everything = b"\n".join(site_files(settings.PUBLIC_SITE_DIR).values()).decode()
    leaks = {name: value for name, value in MESSAGE_SECRETS.items() if value.lower() in everything.lower()}
    assert leaks == {}
    for ref in TeamMessage.objects.values_list("reference", flat=True):
        assert ref not in everything
    assert not re.search(r"ZZ[A-Z]+ ", everything)
    # The neighbourhood's page leads residents to its team's form on the web application.
    area = current.neighbourhood
    assert f"/contact/{area.district.force.slug}/{area.district.slug}/{area.slug}/" in everything
