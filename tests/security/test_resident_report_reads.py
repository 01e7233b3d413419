"""A resident's name and email on their report are personal data: every read is logged, nobody outside
the neighbourhood's team reads them, the subject-access export finds them, and retention removes them.

Adversarial: another district's officer, a partner, a call handler and an analyst each try the triage
page, the API list, one report, a decision and the photo, and leave nothing in the log but get nothing.
"""

from __future__ import annotations

import datetime
import io
import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from jps import models as m
from jps import services
from jps.models import ProblemView
from jps.privacy import REDACTED, resident_reports_redact, subject_access_export
from tests.api.conftest import client_for
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db

NAME, EMAIL = "Gwendolyn Resident", "gwen.resident@example.org"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def _jpeg() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 200, 10)).save(out, format="JPEG")
    out.seek(0)
    out.name = "photo.jpg"
    return out


def report(neighbourhood, category, **extra) -> m.ResidentReport:  # type: ignore[no-untyped-def]
    fields = {"description": "Motorbikes on the playing field every evening", **extra}
    return services.resident_report_create(neighbourhood=neighbourhood, category=category, **fields)


@pytest.fixture
def named(neighbourhood, category) -> m.ResidentReport:  # type: ignore[no-untyped-def]
    return report(neighbourhood, category, reporter_name=NAME, reporter_email=EMAIL, consent=True, photos=[_jpeg()])


@pytest.fixture
def anonymous(neighbourhood, category) -> m.ResidentReport:  # type: ignore[no-untyped-def]
    return report(neighbourhood, category)


def report_reads(**filters: object) -> list[tuple[int, int, str]]:
    rows = ProblemView.objects.filter(resident_report__isnull=False, **filters).order_by("id")
    return list(rows.values_list("resident_report_id", "user_id", "channel"))


def test_the_triage_page_logs_each_read_of_a_named_report(client, pcso, named):
    verified_login(client, pcso)
    page = client.get(f"/resident-reports/{named.pk}/")
    assert page.status_code == 200 and NAME in page.content.decode()
    client.get(f"/resident-reports/{named.pk}/")
    assert report_reads() == [(named.pk, pcso.pk, "web")] * 2
    assert set(ProblemView.objects.values_list("request_id", flat=True)) - {""}, "the request is named"


def test_an_anonymous_report_holds_nothing_personal_and_is_not_logged(client, pcso, anonymous):
    verified_login(client, pcso)
    assert client.get(f"/resident-reports/{anonymous.pk}/").status_code == 200
    assert client_for(pcso).get(f"/api/resident-reports/{anonymous.pk}/").status_code == 200
    assert report_reads() == []


def test_the_api_list_logs_the_named_reports_on_the_page_with_one_insert(
    pcso, named, anonymous, neighbourhood, category
):
    second = report(neighbourhood, category, reporter_email="other@example.org", consent=True)
    with CaptureQueriesContext(connection) as ctx:
        response = client_for(pcso).get("/api/resident-reports/", {"status": "new"})
    assert response.status_code == 200
    shown = {row["id"] for row in response.json()["results"]}
    assert shown == {named.pk, anonymous.pk, second.pk}
    inserts = [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith('INSERT INTO "JPS_PROBLEMVIEW"')]
    assert len(inserts) == 1
    assert sorted(report_reads()) == sorted([(named.pk, pcso.pk, "api"), (second.pk, pcso.pk, "api")])


def test_one_report_and_a_decision_are_logged_in_the_api(pcso, named):
    client = client_for(pcso)
    assert client.get(f"/api/resident-reports/{named.pk}/").json()["reporter_email"] == EMAIL
    declined = client.post(f"/api/resident-reports/{named.pk}/decline/", {"reason": "Not police"}, format="json")
    assert declined.status_code == 200 and declined.json()["reporter_name"] == NAME
    assert report_reads() == [(named.pk, pcso.pk, "api")] * 2


@pytest.mark.parametrize("who", ["other_officer", "partner_user", "call_handler", "analyst"])
def test_nobody_outside_the_team_reads_a_report_or_leaves_a_read(request, client, who, named):
    user = request.getfixturevalue(who)
    api = client_for(user)
    assert named.pk not in {row["id"] for row in api.get("/api/resident-reports/").json().get("results", [])}
    assert api.get(f"/api/resident-reports/{named.pk}/").status_code in (403, 404)
    decided = api.post(f"/api/resident-reports/{named.pk}/decline/", {"reason": "x"}, format="json")
    assert decided.status_code in (403, 404)
    verified_login(client, user)
    for url in (f"/resident-reports/{named.pk}/", f"/resident-reports/{named.pk}/photos/{named.photos.get().pk}/"):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert NAME not in response.content.decode(errors="ignore")
    named.refresh_from_db()
    assert named.status == m.ResidentReport.Status.NEW
    assert report_reads() == []


def test_the_subject_access_export_finds_a_residents_reports_and_logs_the_read(supervisor, named, anonymous):
    export = subject_access_export(by=supervisor, email=EMAIL.upper())
    assert [r["reference"] for r in export["as_resident_reporter"]] == [named.reference]
    assert export["as_resident_reporter"][0]["name"] == NAME
    assert report_reads() == [(named.pk, supervisor.pk, "sar")]


def test_retention_redacts_old_declined_reports_and_those_of_redacted_problems(pcso, named, neighbourhood, category):
    services.resident_report_decline(report=named, by=pcso, reason="Not police")
    recent = report(neighbourhood, category, reporter_name="Recent Resident")
    photo_path = named.photos.get().file.path
    later = timezone.now() + datetime.timedelta(days=7 * 365)
    assert resident_reports_redact(now=timezone.now()) == 0  # nothing is past retention yet

    assert resident_reports_redact(now=later) == 2
    named.refresh_from_db()
    assert (named.reporter_name, named.reporter_email, named.description) == ("", "", REDACTED)
    assert not named.photos.exists()
    assert not os.path.exists(photo_path)
    history = m.ResidentReport.history.filter(id=named.pk)
    assert not history.filter(reporter_name=NAME).exists() and not history.filter(reporter_email=EMAIL).exists()
    assert named.reference and named.status == m.ResidentReport.Status.DECLINED  # the figures still count it
    recent.refresh_from_db()
    assert recent.reporter_name == ""
    assert resident_reports_redact(now=later) == 0  # once


def test_messages_to_the_team_are_in_the_subject_access_export_and_leave_with_retention(
    pcso, supervisor, neighbourhood
):
    message = services.team_message_create(
        neighbourhood=neighbourhood, sender_name=NAME, sender_email=EMAIL, subject="Bikes", body="ZZBODY on the field"
    )
    services.team_message_reply(message=message, by=pcso, body="ZZREPLY we will patrol")
    export = subject_access_export(by=supervisor, email=EMAIL)
    sent = export["as_sender_of_messages"]
    assert [m["reference"] for m in sent] == [message.reference] and sent[0]["message"] == "ZZBODY on the field"
    assert "ZZREPLY we will patrol" in [e["text"] for e in sent[0]["emails_from_the_team"]]
    assert ProblemView.objects.filter(team_message=message, user=supervisor, channel="sar").count() == 1

    assert resident_reports_redact(now=timezone.now() + datetime.timedelta(days=7 * 365)) == 1
    message.refresh_from_db()
    assert (message.sender_name, message.sender_email, message.body) == (REDACTED, "", REDACTED)
    history = m.TeamMessage.history.filter(id=message.pk)
    assert not history.filter(sender_email=EMAIL).exists() and not history.filter(body__contains="ZZBODY").exists()
    assert not m.TeamMessageReply.objects.filter(body__contains="ZZREPLY").exists()
    assert not m.TeamMessageReply.history.filter(body__contains="ZZREPLY").exists()
