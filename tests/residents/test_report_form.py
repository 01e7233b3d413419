"""The resident's form: a report in a minute, GOV.UK messages, the limits, the honeypot, photos without metadata."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from jps import models as m
from tests.csp import inline_code

from .conftest import POSTCODE, jpeg_with_gps

pytestmark = pytest.mark.django_db


def _post(client, category, **extra):  # type: ignore[no-untyped-def]
    data = {"postcode": POSTCODE, "category": category.pk, "description": "Bikes on the footpath every evening"}
    return client.post(reverse("resident_report"), {**data, **extra})


def test_the_form_is_csp_clean_and_works_without_sign_in(client, postcode, category):
    response = client.get(reverse("resident_report"))
    assert response.status_code == 200
    assert inline_code(response.content.decode()) == []
    assert "Content-Security-Policy" in response


def test_a_report_is_stored_acknowledged_and_given_a_reference(
    client, postcode, category, django_capture_on_commit_callbacks, monkeypatch
):
    from tasks.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)  # the real worker: test_notices.py
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, category, name="Gwen", email="gwen@example.com", consent="on")
    assert response.status_code == 302
    report = m.ResidentReport.objects.get()
    assert report.neighbourhood == postcode.neighbourhood and report.location == POSTCODE
    assert report.status == "new" and report.reporter_email == "gwen@example.com" and report.consent_at
    sent = client.get(response["Location"]).content.decode()
    assert report.reference in sent
    (ack,) = mail.outbox
    assert ack.to == ["gwen@example.com"] and report.reference in ack.subject + ack.body
    assert "List-Unsubscribe" in ack.extra_headers


def test_anonymous_reports_keep_no_email_and_send_nothing(client, postcode, category):
    assert _post(client, category).status_code == 302
    report = m.ResidentReport.objects.get()
    assert report.reporter_email == "" and report.reporter_name == "" and not report.notices.exists()
    assert mail.outbox == []


def test_govuk_messages(client, postcode, category):
    response = client.post(reverse("resident_report"), {"email": "nope"})
    assert response.status_code == 400
    page = response.content.decode()
    for message in [
        "There is a problem",
        "Enter the postcode where it is happening, or choose a point on the map",
        "Select what kind of problem it is",
        "Enter what is happening",
        "Enter an email address in the correct format, like name@example.com",
    ]:
        assert message in page, message
    response = _post(client, category, email="gwen@example.com")
    assert "Select the box to agree to emails, or leave your email address empty" in response.content.decode()
    response = _post(client, category, postcode="ZZ9 9ZZ")
    assert "We could not find that postcode in our area" in response.content.decode()
    assert not m.ResidentReport.objects.exists()


def test_a_point_on_the_map_finds_the_neighbourhood(client, postcode, category):
    where = client.get(reverse("resident_report_where"), {"lat": "51.2845", "lng": "1.0881"}).json()
    assert where["neighbourhood"] == postcode.neighbourhood.display_name
    assert client.get(reverse("resident_report_where"), {"lat": "10", "lng": "10"}).status_code == 404
    response = _post(client, category, postcode="", latitude="51.2845", longitude="1.0881")
    assert response.status_code == 302
    report = m.ResidentReport.objects.get()
    assert report.neighbourhood == postcode.neighbourhood and str(report.latitude) == "51.284500"


def test_the_per_address_limit(client, postcode, category, settings):
    settings.JPS_RESIDENT_REPORTS_PER_ADDRESS = "2/hour"
    assert [_post(client, category).status_code for _ in range(2)] == [302, 302]
    refused = _post(client, category)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Too many reports from your connection" in refused.content.decode()
    assert m.ResidentReport.objects.count() == 2
    other = client.post(
        reverse("resident_report"),
        {"postcode": POSTCODE, "category": category.pk, "description": "x"},
        REMOTE_ADDR="203.0.113.9",
    )
    assert other.status_code == 302


def test_the_honeypot_answers_as_usual_and_keeps_nothing(client, postcode, category):
    response = _post(client, category, website="http://spam.example", email="bot@example.com", consent="on")
    assert response.status_code == 302
    assert "Report sent" in client.get(response["Location"]).content.decode()
    assert not m.ResidentReport.objects.exists() and mail.outbox == []


def test_photo_metadata_is_stripped(client, postcode, category):
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(0x8825)  # the planted GPS is really there
    photo = SimpleUploadedFile("IMG_2041.jpg", original, content_type="image/jpeg")
    assert _post(client, category, photos=[photo]).status_code == 302
    stored = m.ResidentReport.objects.get().photos.get()
    content = stored.file.read()
    with Image.open(io.BytesIO(content)) as after:
        assert after.format == "JPEG" and after.size == (64, 48)
        assert len(after.getexif()) == 0 and "exif" not in after.info and "comment" not in after.info
    for planted in (b"PhoneMaker", b"SecretPhone", b"Gwendolyn", b"ZZCOMMENT", b"GPS"):
        assert planted not in content
    assert "IMG_2041" not in stored.file.name


def test_photo_size_type_and_number_are_checked(client, postcode, category, settings):
    settings.JPS_RESIDENT_PHOTO_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.jpg", b"0" * (1024 * 1024 + 1), content_type="image/jpeg")
    assert "Each photo must be smaller than 1 MB" in _post(client, category, photos=[big]).content.decode()
    fake = SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    assert "Each photo must be a JPG, PNG, WEBP or GIF" in _post(client, category, photos=[fake]).content.decode()
    pdf = SimpleUploadedFile("x.pdf", b"%PDF-1.4", content_type="application/pdf")
    assert "Each photo must be a JPG, PNG, WEBP or GIF" in _post(client, category, photos=[pdf]).content.decode()
    four = [SimpleUploadedFile(f"{i}.jpg", jpeg_with_gps(), content_type="image/jpeg") for i in range(4)]
    assert "Choose 3 photos or fewer" in _post(client, category, photos=four).content.decode()
    assert not m.ResidentReport.objects.exists()
