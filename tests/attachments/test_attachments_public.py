"""A web editor publishes one photo with a public update; nothing else of the attachments ever leaves."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from PIL import Image

from jps import services
from jps.attachments import services as attachments
from jps.models import Attachment
from publicsite.export import publish
from tests.conftest import verified_login
from tests.publicsite.conftest import work_priority
from tests.publicsite.site import site_files

from .conftest import PDF, add, docx_bytes, jpeg_with_gps

pytestmark = pytest.mark.django_db

ALT = "The cleared alley behind the parade"


@pytest.fixture
def public(pcso, supervisor, web_editor, neighbourhood, category, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.PUBLIC_SITE_DIR = tmp_path / "site"
    settings.PUBLIC_SITE_URL = "https://priorities.example.test/"
    return work_priority(
        pcso=pcso, supervisor=supervisor, web_editor=web_editor, neighbourhood=neighbourhood, category=category,
        close=False,
    )  # fmt: skip


def test_only_the_approved_photo_reaches_the_public_site_without_exif(client, public, pcso, web_editor, settings):
    approved_photo = add(
        public, pcso, jpeg_with_gps((80, 60)), "ZZPHOTONAME Orchard St.jpg", description="ZZDESC alley"
    )
    add(public, pcso, jpeg_with_gps((70, 50)), "ZZUNAPPROVED.jpg")
    add(public, pcso, PDF, "ZZDOCNAME victim statement.pdf")
    add(public, pcso, docx_bytes("ZZDOCTEXT witness Jezebel"), "minutes.docx")
    pending = services.update_add(problem=public, by=pcso, text="Alley cleared", propose_public=True)
    verified_login(client, web_editor)
    page = client.get(reverse("update_photo", args=[pending.pk]))
    assert page.status_code == 200 and b"ZZUNAPPROVED" in page.content  # both photos offered, documents not
    assert b"ZZDOCNAME" not in page.content
    url = reverse("update_photo", args=[pending.pk])
    form = {"public_text": "The alley was cleared.", "photo": approved_photo.pk, "photo_alt": ""}
    missing_alt = client.post(url, form)
    assert missing_alt.status_code == 200 and b"Describe the photo" in missing_alt.content
    pending.refresh_from_db()
    assert pending.status == "pending"
    done = client.post(url, {**form, "photo_alt": ALT})
    assert done.status_code == 302
    approved_photo.refresh_from_db()
    assert approved_photo.public_update == pending and approved_photo.public_approved_by == web_editor

    publish(full=True)
    files = site_files(settings.PUBLIC_SITE_DIR)
    images = {path: data for path, data in files.items() if path.endswith(".jpg")}
    assert len(images) == 1  # the approved photo; never the other photo, never a document
    ((path, data),) = images.items()
    assert data == approved_photo.file.open("rb").read()
    with Image.open(io.BytesIO(data)) as published:
        assert len(published.getexif()) == 0 and "comment" not in published.info
    for planted in (b"PhoneMaker", b"SecretPhone", b"Gwendolyn", b"ZZCOMMENT", b"GPS"):
        assert planted not in data
    assert not any(path.endswith((".pdf", ".docx")) for path in files)
    everything = b"\n".join(files.values())
    for planted in (b"ZZPHOTONAME", b"ZZUNAPPROVED", b"ZZDOCNAME", b"ZZDOCTEXT", b"ZZDESC", b"Orchard"):
        assert planted not in everything
    page_html = next(v for k, v in files.items() if k.endswith(public.reference.lower() + ".html")).decode()
    assert f'alt="{ALT}"' in page_html and path.rsplit("/", 1)[-1] in page_html


def test_removing_a_published_photo_takes_it_off_the_site(public, pcso, web_editor, settings):
    photo = add(public, pcso, jpeg_with_gps(), "a.jpg")
    update = services.update_add(problem=public, by=pcso, text="Cleared", propose_public=True)
    services.update_decide(update=update, by=web_editor, approve=True, public_text="Cleared.")
    attachments.attachment_publish(attachment=photo, update=update, by=web_editor, alt_text=ALT)
    publish(full=True)
    assert any(p.endswith(".jpg") for p in site_files(settings.PUBLIC_SITE_DIR))
    attachments.attachment_remove(attachment=photo, by=pcso, reason="Shows a face")
    publish()  # incremental
    assert not any(p.endswith(".jpg") for p in site_files(settings.PUBLIC_SITE_DIR))


def test_only_a_web_editor_publishes_only_an_image_with_an_approved_update(public, pcso, web_editor):
    photo = add(public, pcso, jpeg_with_gps(), "a.jpg")
    document = add(public, pcso, PDF, "a.pdf")
    update = services.update_add(problem=public, by=pcso, text="Cleared", propose_public=True)
    with pytest.raises(ValidationError, match="Approve the update"):
        attachments.attachment_publish(attachment=photo, update=update, by=web_editor, alt_text=ALT)
    services.update_decide(update=update, by=web_editor, approve=True, public_text="Cleared.")
    with pytest.raises(PermissionDenied):
        attachments.attachment_publish(attachment=photo, update=update, by=pcso, alt_text=ALT)
    with pytest.raises(PermissionDenied):  # a web editor never sees documents
        attachments.attachment_publish(attachment=document, update=update, by=web_editor, alt_text=ALT)
    attachments.attachment_publish(attachment=photo, update=update, by=web_editor, alt_text=ALT)
    second = add(public, pcso, jpeg_with_gps(), "b.jpg")
    with pytest.raises(ValidationError, match="already has a photo"):
        attachments.attachment_publish(attachment=second, update=update, by=web_editor, alt_text=ALT)
    assert Attachment.objects.filter(public_update__isnull=False).count() == 1
