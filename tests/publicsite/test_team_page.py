"""The neighbourhood team on the public site (issue 20): consent, photos, team details, and nothing more.

Nobody is named without their own consent; a photo goes only beside a consenting name and only as we
re-encoded it (no EXIF, no location); withdrawing consent takes both off at the next export. The
team's email and "where to find us" are the district's supervisors' and the force's web editors'.
"""

from __future__ import annotations

import datetime
import io
import json
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from jps import services
from jps.models import Meeting, User
from publicsite.export import publish
from tests import factories as f

from .conftest import SECRETS
from .site import nbhd_dir, site_files

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def photo_with_location() -> io.BytesIO:
    """A JPEG as a phone writes it: EXIF with the camera, a GPS position and a comment."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "ZZCAMERA Phone maker"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 17.0, 15.6), 3: "E", 4: (1.0, 4.0, 35.5)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"ZZCOMMENT taken at 14 Acacia Avenue")
    out.seek(0)
    return out


def named(pcso: User, rank: str = "PCSO") -> User:
    pcso.first_name, pcso.last_name = "Priya", "Ramanathan"
    pcso.save()
    return services.team_entry_set(person=pcso, by=pcso, publish=True, rank=rank)


def page(settings, neighbourhood, name="index.html") -> str:  # type: ignore[no-untyped-def]
    return site_files(settings.PUBLIC_SITE_DIR)[nbhd_dir(neighbourhood) + name].decode()


def people_json(settings, neighbourhood) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    force, district = neighbourhood.district.force.slug, neighbourhood.district.slug
    path = f"api/{force}/{district}.{neighbourhood.slug}/people"
    return json.loads(site_files(settings.PUBLIC_SITE_DIR)[path])


def test_consent_names_the_officer_and_withdrawing_it_takes_name_and_photo_off(
    pcso, neighbourhood, supervisor, settings
):
    pcso.first_name, pcso.last_name = "Priya", "Ramanathan"
    pcso.save()
    services.team_photo_set(person=pcso, by=pcso, upload=photo_with_location(), size=2000, content_type="image/jpeg")
    publish(full=True)
    html = page(settings, neighbourhood)
    assert "Your neighbourhood team" in html and "Ramanathan" not in html  # a photo alone is no consent
    assert "The team has 2 officers and PCSOs." in html  # the PCSO and the district's supervisor, counted only
    assert not [p for p in site_files(settings.PUBLIC_SITE_DIR) if "/team/" in p]
    assert people_json(settings, neighbourhood) == []

    services.team_entry_set(person=pcso, by=pcso, publish=True, rank="PCSO")
    publish(full=True)
    html = page(settings, neighbourhood)
    assert "Priya Ramanathan" in html and "PCSO" in html and "And 1 other officer or PCSO." in html
    photos = [p for p in site_files(settings.PUBLIC_SITE_DIR) if "/team/" in p]
    assert len(photos) == 1 and photos[0].startswith(nbhd_dir(neighbourhood) + "team/")
    assert 'src="team/' in html and 'alt="Photo of Priya Ramanathan"' in html
    assert people_json(settings, neighbourhood) == [
        {"name": "Priya Ramanathan", "rank": "PCSO", "bio": "", "contact_details": {}}
    ]

    services.team_entry_set(person=pcso, by=pcso, publish=False, rank="PCSO")
    publish(full=True)
    assert "Ramanathan" not in page(settings, neighbourhood)
    assert not [p for p in site_files(settings.PUBLIC_SITE_DIR) if "/team/" in p]
    assert pcso.history.filter(publish_on_team_page=True).exists()  # the consent's history is kept


def test_the_photo_is_stored_and_published_with_no_metadata(pcso, neighbourhood, settings):
    named(pcso)
    services.team_photo_set(person=pcso, by=pcso, upload=photo_with_location(), size=2000, content_type="image/jpeg")
    pcso.refresh_from_db()
    assert re.fullmatch(r"team_photos/[0-9a-f]{32}\.jpg", pcso.team_photo.name)
    stored = pcso.team_photo.read()
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif() and "exif" not in image.info and "comment" not in image.info
    assert b"ZZ" not in stored and b"GPS" not in stored
    publish(full=True)
    [published] = [c for p, c in site_files(settings.PUBLIC_SITE_DIR).items() if "/team/" in p]
    assert published == stored


def test_photos_are_checked_and_replacing_one_deletes_the_old_file(pcso):
    with pytest.raises(ValidationError):
        services.team_photo_set(person=pcso, by=pcso, upload=io.BytesIO(b"not an image"), size=12)
    with pytest.raises(ValidationError):
        services.team_photo_set(person=pcso, by=pcso, upload=photo_with_location(), size=50 * 1024 * 1024)
    services.team_photo_set(person=pcso, by=pcso, upload=photo_with_location(), size=2000)
    first = pcso.team_photo.name
    storage = pcso.team_photo.storage
    from django.db import transaction

    with transaction.atomic():  # the old file goes once the change commits
        services.team_photo_set(person=pcso, by=pcso, upload=photo_with_location(), size=2000)
    assert pcso.team_photo.name != first and storage.exists(pcso.team_photo.name)
    services.team_photo_remove(person=pcso, by=pcso)
    assert not pcso.team_photo


def test_consent_needs_a_name_and_a_rank(pcso):
    pcso.first_name = pcso.last_name = ""
    pcso.save()
    with pytest.raises(ValidationError, match="full name"):
        services.team_entry_set(person=pcso, by=pcso, publish=True, rank="PCSO")
    pcso.first_name, pcso.last_name = "Priya", "Ramanathan"
    pcso.save()
    with pytest.raises(ValidationError, match="rank"):
        services.team_entry_set(person=pcso, by=pcso, publish=True, rank=" ")


def test_only_the_person_gives_their_consent(pcso, supervisor, admin_user, partner_user, web_editor, analyst):
    for someone in (supervisor, admin_user, web_editor):
        with pytest.raises(PermissionDenied):
            services.team_entry_set(person=pcso, by=someone, publish=True, rank="PCSO")
        with pytest.raises(PermissionDenied):
            services.team_photo_set(person=pcso, by=someone, upload=photo_with_location(), size=2000)
    for not_on_a_team in (partner_user, web_editor, analyst):  # partners and others are never on a team page
        with pytest.raises(PermissionDenied):
            services.team_entry_set(person=not_on_a_team, by=not_on_a_team, publish=True, rank="Officer")
    pcso.refresh_from_db()
    assert not pcso.publish_on_team_page


def test_team_details_are_the_district_supervisors_and_the_force_web_editors(
    neighbourhood, supervisor, other_supervisor, partner_user, pcso, web_editor
):
    details = {"team_email": "northgate@kent.police.uk", "team_base": "Canterbury police station, Old Dover Road."}
    for someone in (other_supervisor, partner_user, pcso):
        with pytest.raises(PermissionDenied):
            services.neighbourhood_team_set(neighbourhood=neighbourhood, by=someone, **details)
    essex = f.ForceFactory(code="ESX", name="Essex Police", slug="essex")
    other_force_editor = f.UserFactory(
        role=User.Role.WEB_EDITOR, agency=f.PoliceAgencyFactory(name="Essex Police", force=essex)
    )
    with pytest.raises(PermissionDenied):
        services.neighbourhood_team_set(neighbourhood=neighbourhood, by=other_force_editor, **details)
    services.neighbourhood_team_set(neighbourhood=neighbourhood, by=supervisor, **details)
    services.neighbourhood_team_set(
        neighbourhood=neighbourhood, by=web_editor, **details, team_base_cy="Gorsaf heddlu."
    )
    neighbourhood.refresh_from_db()
    assert neighbourhood.team_base_cy == "Gorsaf heddlu." and neighbourhood.history.count() >= 2
    with pytest.raises(ValidationError):
        services.neighbourhood_team_set(
            neighbourhood=neighbourhood, by=supervisor, team_email="not an email", team_base=""
        )


def test_team_pages_for_staff(client, pcso, supervisor, other_supervisor, partner_user, neighbourhood):
    pcso.first_name = pcso.last_name = ""
    pcso.save()
    client.force_login(pcso)
    assert client.get("/team/me/").status_code == 200
    response = client.post("/team/me/", {"publish": "on", "rank": "PCSO"})
    assert response.status_code == 400  # no full name yet: the service's message beside the box
    assert "full name" in response.content.decode()
    client.force_login(partner_user)
    assert client.get("/team/me/").status_code == 403
    assert client.get(f"/neighbourhoods/{neighbourhood.pk}/team/").status_code == 403
    client.force_login(other_supervisor)
    assert client.get(f"/neighbourhoods/{neighbourhood.pk}/team/").status_code == 403
    client.force_login(supervisor)
    response = client.post(
        f"/neighbourhoods/{neighbourhood.pk}/team/",
        {"team_email": "northgate@kent.police.uk", "team_base": "Station", "team_base_cy": ""},
    )
    assert response.status_code == 302
    neighbourhood.refresh_from_db()
    assert neighbourhood.team_email == "northgate@kent.police.uk"


def test_the_page_shows_the_team_email_and_where_to_find_us_in_each_language(
    pcso, neighbourhood, supervisor, force, settings
):
    force.welsh_enabled = True
    force.save()
    named(pcso)
    services.neighbourhood_team_set(
        neighbourhood=neighbourhood, by=supervisor, team_email="northgate@kent.police.uk",
        team_base="Canterbury police station, Tuesdays 10am to noon.", team_base_cy="Gorsaf heddlu Caergaint.",
    )  # fmt: skip
    publish(full=True)
    english = page(settings, neighbourhood)
    files = site_files(settings.PUBLIC_SITE_DIR)
    welsh = files["cy/" + nbhd_dir(neighbourhood) + "index.html"].decode()
    assert "mailto:northgate@kent.police.uk" in english and "Tuesdays 10am to noon" in english
    assert "Gorsaf heddlu Caergaint." in welsh and "Tuesdays 10am" not in welsh
    force_slug, district = neighbourhood.district.force.slug, neighbourhood.district.slug
    detail = json.loads(files[f"api/{force_slug}/{district}.{neighbourhood.slug}/index"])
    assert detail["locations"][0]["description"] == "<p>Canterbury police station, Tuesdays 10am to noon.</p>"


@time_machine.travel(datetime.datetime(2026, 7, 10, 9, tzinfo=datetime.UTC), tick=False)
def test_the_pledge_page_shows_each_month_and_the_why_not_and_nothing_personal(
    priorities, neighbourhood, supervisor, pcso, settings, force
):
    """The planted-PII test, for the team and Pledge pages: consent respected, explanations only."""
    force.welsh_enabled = True
    force.save()
    meeting = Meeting.objects.create(
        title="PACT", force=force, starts_at=datetime.datetime(2026, 6, 3, 18, tzinfo=datetime.UTC),
        status=Meeting.Status.HELD, created_by=pcso,
    )  # fmt: skip
    meeting.neighbourhoods.add(neighbourhood)
    services.pledge_explanation_record(
        neighbourhood=neighbourhood, commitment="meetings", month=datetime.date(2026, 5, 1),
        text="The community centre flooded and the meeting could not be moved in time.",
        text_cy="Roedd llifogydd yn y ganolfan gymunedol.", by=supervisor,
    )  # fmt: skip
    publish(full=True)
    files = site_files(settings.PUBLIC_SITE_DIR)
    pledge = files[nbhd_dir(neighbourhood) + "pledge.html"].decode()
    assert "Our promises to you" in pledge and "A PACT meeting held every month" in pledge
    assert ">June 2026</th>" in pledge and ">July 2025</th>" in pledge and ">July 2026</th>" not in pledge
    assert "The community centre flooded" in pledge and "An explanation is on its way." in pledge
    assert "Not kept" in pledge and "Kept" in pledge
    welsh = files["cy/" + nbhd_dir(neighbourhood) + "pledge.html"].decode()
    assert "Roedd llifogydd yn y ganolfan gymunedol." in welsh
    assert 'href="pledge.html"' in files[nbhd_dir(neighbourhood) + "index.html"].decode()
    everything = b"\n".join(files.values()).decode(errors="replace")
    leaks = {name: value for name, value in SECRETS.items() if value.lower() in everything.lower()}
    assert leaks == {}  # the PCSO and the supervisor never consented: their names appear nowhere
    assert supervisor.get_full_name() not in everything  # nor who wrote the explanation
    assert not re.search(r"ZZ[A-Z]+ ", everything)


def test_an_incremental_export_picks_up_consent_team_details_and_explanations(
    pcso, neighbourhood, supervisor, settings
):
    publish(full=True)
    named(pcso)
    services.neighbourhood_team_set(
        neighbourhood=neighbourhood, by=supervisor, team_email="northgate@kent.police.uk", team_base="The station."
    )
    result = publish()
    assert not result.full
    html = page(settings, neighbourhood)
    assert "Priya Ramanathan" in html and "northgate@kent.police.uk" in html


def test_an_officer_uploads_their_photo_and_only_they_see_it_in_jps(client, pcso, supervisor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(pcso)
    upload = SimpleUploadedFile("IMG_0001.jpg", photo_with_location().getvalue(), content_type="image/jpeg")
    assert client.post("/team/me/photo/upload/", {"photo": upload}).status_code == 302
    response = client.get("/team/me/photo/")
    assert response["Content-Type"] == "image/jpeg" and response["Cache-Control"] == "private, no-store"
    assert b"ZZ" not in b"".join(response.streaming_content)
    bad = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    assert client.post("/team/me/photo/upload/", {"photo": bad}).status_code == 400
    client.force_login(supervisor)  # the URL is one's own photo: the supervisor has none
    assert client.get("/team/me/photo/").status_code == 404
    client.force_login(pcso)
    assert client.post("/team/me/photo/remove/").status_code == 302
    pcso.refresh_from_db()
    assert not pcso.team_photo
