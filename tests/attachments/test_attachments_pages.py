"""Attachments through the staff pages and the API: upload, list, download headers, 404s, removal, the schema."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jps.models import Attachment, ProblemView
from tests.api.conftest import client_for
from tests.conftest import verified_login

from .conftest import PDF, add, jpeg_with_gps

pytestmark = pytest.mark.django_db


def test_the_problem_page_lists_and_adds_files(client, problem, pcso):
    verified_login(client, pcso)
    page = client.get(reverse("problem", args=[problem.pk]))
    assert b'id="attachments"' in page.content and b"govuk-file-upload" in page.content
    upload = SimpleUploadedFile("photo.jpg", jpeg_with_gps(), content_type="image/jpeg")
    done = client.post(reverse("attachment_add", args=[problem.pk]), {"file": upload, "description": "The alley"})
    assert done.status_code == 302
    photo = Attachment.objects.get()
    assert photo.uploaded_by == pcso and photo.description == "The alley"
    assert b"photo.jpg" in client.get(reverse("problem", args=[problem.pk])).content


def test_a_refused_upload_shows_a_govuk_error(client, problem, pcso):
    verified_login(client, pcso)
    fake = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 64, content_type="application/pdf")
    refused = client.post(reverse("attachment_add", args=[problem.pk]), {"file": fake})
    assert refused.status_code == 400
    assert b"govuk-error-summary" in refused.content and b"must be an image or a PDF" in refused.content


def test_a_download_is_an_attachment_never_sniffed_and_logged(client, problem, pcso):
    doc = add(problem, pcso, b"plain notes\n", "notes.txt")
    verified_login(client, pcso)
    response = client.get(reverse("attachment_download", args=[problem.pk, doc.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"plain notes\n"
    assert response["Content-Disposition"].startswith("attachment;") and "notes.txt" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"] and "sandbox" in response["Content-Security-Policy"]
    assert ProblemView.objects.filter(channel=ProblemView.Channel.FILE, user=pcso, problem=problem).count() == 1


def test_another_agency_or_force_gets_a_404(client, problem, pcso, other_partner, council_action, partner_user):
    doc = add(problem, partner_user, PDF, "council.pdf", action=council_action)
    url = reverse("attachment_download", args=[problem.pk, doc.pk])
    verified_login(client, other_partner)  # another agency on the same problem
    assert client.get(url).status_code == 404
    assert (
        client_for(other_partner).get(f"/api/problems/{problem.pk}/attachments/{doc.pk}/download/").status_code == 404
    )
    verified_login(client, partner_user)
    assert client.get(url).status_code == 200
    # the right attachment, through the wrong problem: 404 too
    other = add(__import__("tests.factories", fromlist=["x"]).ProblemFactory(owner=pcso), pcso, PDF, "o.pdf")
    assert client.get(reverse("attachment_download", args=[problem.pk, other.pk])).status_code == 404


def test_the_remove_page_asks_why(client, problem, pcso):
    doc = add(problem, pcso, PDF, "a.pdf")
    verified_login(client, pcso)
    url = reverse("attachment_remove", args=[problem.pk, doc.pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    assert client.post(url, {"reason": "Wrong problem"}).status_code == 302
    doc.refresh_from_db()
    assert doc.is_removed and client.get(reverse("attachment_download", args=[problem.pk, doc.pk])).status_code == 404


def test_the_api_uploads_lists_downloads_and_removes(problem, pcso, other_officer):
    api = client_for(pcso)
    base = f"/api/problems/{problem.pk}/attachments/"
    created = api.post(base, {"file": SimpleUploadedFile("a.pdf", PDF), "description": "Letter"}, format="multipart")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["content_type"] == "application/pdf" and created.json()["published"] is False
    refused = api.post(
        base, {"file": SimpleUploadedFile("a.html.txt", b"<html><script>x</script>")}, format="multipart"
    )
    assert refused.status_code == 400 and "file" in refused.json()
    assert [a["id"] for a in api.get(base).json()] == [pk]
    download = api.get(f"{base}{pk}/download/")
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert client_for(other_officer).get(base).status_code == 404
    assert api.delete(f"{base}{pk}/", {"reason": ""}, format="json").status_code == 400
    assert api.delete(f"{base}{pk}/", {"reason": "Duplicate"}, format="json").status_code == 204
    assert api.get(base).json() == []


def test_the_attachments_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert "post" in paths["/api/problems/{problem_pk}/attachments/"]
    assert "multipart/form-data" in paths["/api/problems/{problem_pk}/attachments/"]["post"]["requestBody"]["content"]
    assert "/api/problems/{problem_pk}/attachments/{id}/download/" in paths
