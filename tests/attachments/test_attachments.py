"""Attachments: what is accepted (by content), what is kept of an image, who sees what, audit and removal."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from PIL import Image

from jps.attachments import selectors
from jps.attachments import services as attachments
from jps.files import document_sniff
from jps.models import Attachment, ProblemView
from tests import factories as f

from .conftest import PDF, add, docx_bytes, jpeg_with_gps

pytestmark = pytest.mark.django_db


def test_a_photo_is_re_encoded_with_its_location_and_camera_details_gone(problem, pcso):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the planted GPS is really there
    photo = add(problem, pcso, original, "IMG_0001 at 4 Orchard St.jpeg", description="Fly-tipping")
    assert photo.kind == Attachment.Kind.IMAGE and photo.content_type == "image/jpeg"
    stored = photo.file.read()
    with Image.open(io.BytesIO(stored)) as after:
        assert len(after.getexif()) == 0 and "exif" not in after.info and "comment" not in after.info
    for planted in (b"PhoneMaker", b"SecretPhone", b"Gwendolyn", b"ZZCOMMENT"):
        assert planted not in stored
    assert photo.original_name == "IMG_0001 at 4 Orchard St.jpg"
    assert "Orchard" not in photo.file.name  # stored under a random name


def test_a_large_photo_is_reduced(problem, pcso, settings):
    settings.JPS_ATTACHMENT_IMAGE_MAX_SIDE = 100
    out = io.BytesIO()
    Image.new("RGB", (400, 200)).save(out, format="PNG")
    photo = add(problem, pcso, out.getvalue(), "big.png")
    assert Image.open(photo.file).size == (100, 50)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100, "report.pdf"),  # a Windows program renamed
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "notes.txt"),  # a web page renamed
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "picture.jpg"),
        (b"\x89PNG\r\n\x1a\n" + b"not really a png", "photo.png"),  # an image header on rubbish
        (b"PK\x03\x04" + b"\x00" * 40, "minutes.docx"),  # a broken or unknown ZIP
    ],
)
def test_files_are_recognised_by_their_content_not_their_name(problem, pcso, content, name):
    with pytest.raises(ValidationError) as refused:
        add(problem, pcso, content, name)
    assert "file" in refused.value.message_dict
    assert not Attachment.objects.exists()


def test_documents_of_the_accepted_kinds_are_kept_as_sent(problem, pcso):
    pdf = add(problem, pcso, PDF, "letter.PDF")
    docx = add(problem, pcso, docx_bytes(), "minutes")
    text = add(problem, pcso, b"date,calls\n2026-03-01,4\n", "calls.csv")
    assert (pdf.content_type, docx.original_name, text.content_type) == ("application/pdf", "minutes.docx", "text/csv")
    assert pdf.file.read() == PDF


def test_a_macro_enabled_document_is_refused(problem, pcso):
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<d/>")
        archive.writestr("word/vbaProject.bin", b"macro")
    with pytest.raises(ValidationError, match="macros"):
        document_sniff(io.BytesIO(out.getvalue()), filename="x.docx")


def test_size_and_count_limits(problem, pcso, settings):
    settings.JPS_ATTACHMENT_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError, match="smaller than 1 MB"):
        attachments.attachment_add(
            problem=problem, by=pcso, upload=io.BytesIO(PDF), filename="big.pdf", size=1024 * 1024 + 1
        )
    settings.JPS_ATTACHMENTS_PER_PROBLEM = 2
    add(problem, pcso, PDF, "a.pdf")
    add(problem, pcso, PDF, "b.pdf")
    with pytest.raises(ValidationError, match="may hold 2 files"):
        add(problem, pcso, PDF, "c.pdf")


def test_partners_see_their_own_actions_files_and_shared_ones_only(
    problem, pcso, partner_user, other_partner, council_action, housing_action
):
    council_file = add(problem, partner_user, PDF, "council.pdf", action=council_action)
    housing_file = add(problem, other_partner, PDF, "housing.pdf", action=housing_action)
    police_only = add(problem, pcso, PDF, "police.pdf")
    shared = add(problem, pcso, PDF, "shared.pdf", shared_with_partners=True)
    assert set(selectors.attachments_for(partner_user, problem)) == {council_file, shared}
    assert set(selectors.attachments_for(other_partner, problem)) == {housing_file, shared}
    assert set(selectors.attachments_for(pcso, problem)) == {council_file, housing_file, police_only, shared}
    assert not partner_user.has_perm("jps.see_attachment", housing_file)
    assert not partner_user.has_perm("jps.see_attachment", police_only)


def test_a_partner_adds_files_only_to_their_own_agencys_action(problem, partner_user, council_action, housing_action):
    with pytest.raises(PermissionDenied):
        add(problem, partner_user, PDF, "x.pdf")  # the problem itself
    with pytest.raises(PermissionDenied):
        add(problem, partner_user, PDF, "x.pdf", action=housing_action)
    with pytest.raises(ValidationError, match="Only police staff share"):
        add(problem, partner_user, PDF, "x.pdf", action=council_action, shared_with_partners=True)
    assert add(problem, partner_user, PDF, "x.pdf", action=council_action).action == council_action


def test_other_districts_and_forces_see_nothing(problem, pcso, other_officer, call_handler):
    doc = add(problem, pcso, PDF, "a.pdf", shared_with_partners=True)
    other_force_officer = f.UserFactory(
        role="officer",
        agency=f.PoliceAgencyFactory(force=f.ForceFactory(code="ESX", name="Essex Police", slug="essex")),
    )
    for outsider in (other_officer, call_handler, other_force_officer):
        assert list(selectors.attachments_for(outsider, problem)) == []
        assert not outsider.has_perm("jps.see_attachment", doc)
        with pytest.raises(PermissionDenied):
            attachments.attachment_open(attachment=doc, by=outsider)


def test_files_on_a_residents_report_are_never_shared(problem, pcso, neighbourhood, category, partner_user):
    from jps import services

    report = services.resident_report_create(neighbourhood=neighbourhood, category=category, description="Noise")
    services.resident_report_attach(report=report, by=pcso, problem=problem)
    report.refresh_from_db()
    with pytest.raises(ValidationError, match="never a resident's"):
        add(problem, pcso, PDF, "r.pdf", resident_report=report, shared_with_partners=True)
    kept = add(problem, pcso, PDF, "r.pdf", resident_report=report)
    assert list(selectors.attachments_for(partner_user, problem)) == []
    assert kept.resident_report == report


def test_every_download_is_in_the_access_log(problem, pcso):
    doc = add(problem, pcso, PDF, "a.pdf")
    with attachments.attachment_open(attachment=doc, by=pcso, request_id="req-1") as handle:
        assert handle.read() == PDF
    logged = ProblemView.objects.get(channel=ProblemView.Channel.FILE)
    assert (logged.user, logged.problem, logged.request_id) == (pcso, problem, "req-1")


def test_removal_is_audited_and_the_file_leaves_storage(
    problem, pcso, partner_user, council_action, django_capture_on_commit_callbacks
):
    doc = add(problem, pcso, PDF, "a.pdf")
    name = doc.file.name
    assert default_storage.exists(name)
    with pytest.raises(PermissionDenied):
        attachments.attachment_remove(attachment=doc, by=partner_user, reason="Mine")
    with pytest.raises(ValidationError, match="why"):
        attachments.attachment_remove(attachment=doc, by=pcso, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        attachments.attachment_remove(attachment=doc, by=pcso, reason="Uploaded to the wrong problem")
    doc.refresh_from_db()
    assert doc.removed_by == pcso and doc.removed_reason == "Uploaded to the wrong problem" and doc.is_removed
    assert not default_storage.exists(name)
    last = doc.history.first()
    assert last.history_user == pcso and last.removed_reason == "Uploaded to the wrong problem"
    assert list(selectors.attachments_for(pcso, problem)) == []
    with pytest.raises(ValidationError, match="already removed"):
        attachments.attachment_remove(attachment=doc, by=pcso, reason="again")
    # a partner removes what they added to their own action
    own = add(problem, partner_user, PDF, "b.pdf", action=council_action)
    with django_capture_on_commit_callbacks(execute=True):
        attachments.attachment_remove(attachment=own, by=partner_user, reason="Duplicate")


def test_the_s3_storage_is_configured_from_the_environment():
    from storages.backends.s3 import S3Storage

    from jps.settings import media_storage

    assert media_storage({})["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    config = media_storage({"AWS_STORAGE_BUCKET_NAME": "jps-files", "S3_ENDPOINT_URL": "https://s3.example.test"})
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    options = config["OPTIONS"]
    assert options["default_acl"] == "private" and options["querystring_auth"] is True
    assert options["endpoint_url"] == "https://s3.example.test" and options["file_overwrite"] is False
    storage = S3Storage(**options)  # builds without touching the network
    assert storage.bucket_name == "jps-files" and storage.default_acl == "private"
