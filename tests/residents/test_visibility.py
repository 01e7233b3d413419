"""A report from an anonymous resident is seen by the neighbourhood's team only, until accepted (pages, API)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.conftest import verified_login

pytestmark = pytest.mark.django_db

OUTSIDERS = ["other_officer", "other_supervisor", "partner_user", "call_handler", "analyst", "web_editor",
             "training_manager"]  # fmt: skip


def _api(user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("who", OUTSIDERS)
def test_no_one_outside_the_team_sees_a_new_report(request, who, anonymous_report, client):
    user = request.getfixturevalue(who)
    verified_login(client, user)
    assert client.get(reverse("resident_report_triage", args=[anonymous_report.pk])).status_code == 404
    assert anonymous_report.reference not in client.get(reverse("home")).content.decode()
    api = _api(user)
    assert api.get("/api/resident-reports/").json()["results"] == []
    assert api.get(f"/api/resident-reports/{anonymous_report.pk}/").status_code == 404
    response = api.post(f"/api/resident-reports/{anonymous_report.pk}/accept/", {"title": "X"}, format="json")
    assert response.status_code == 404
    assert not user.has_perm("jps.see_resident_report", anonymous_report)


@pytest.mark.parametrize("who", ["pcso", "supervisor", "admin_user"])
def test_the_team_sees_it_in_the_queue_on_my_work_and_in_the_api(request, who, anonymous_report, client):
    user = request.getfixturevalue(who)
    verified_login(client, user)
    home = client.get(reverse("home")).content.decode()
    assert anonymous_report.reference in home and "reports to triage" in home
    page = client.get(reverse("resident_report_triage", args=[anonymous_report.pk]))
    assert page.status_code == 200 and "ZZRESIDENT" in page.content.decode()
    listed = _api(user).get("/api/resident-reports/?status=new").json()["results"]
    assert [r["reference"] for r in listed] == [anonymous_report.reference]


def test_after_acceptance_others_learn_of_it_through_the_problem_only(
    anonymous_report, pcso, partner_user, other_officer
):
    created = _api(pcso).post(
        f"/api/resident-reports/{anonymous_report.pk}/accept/", {"title": "Drinking in Orchard Street"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "accepted"
    # The triage record stays the team's; the problem follows the problem's own rule.
    assert _api(partner_user).get(f"/api/resident-reports/{anonymous_report.pk}/").status_code == 404
    assert _api(other_officer).get(f"/api/resident-reports/{anonymous_report.pk}/").status_code == 404


def test_photos_are_only_streamed_to_the_team(client, neighbourhood, category, pcso, partner_user):
    import io

    from .conftest import jpeg_with_gps, new_report

    report = new_report(neighbourhood, category, photos=[io.BytesIO(jpeg_with_gps())])
    photo = report.photos.get()
    url = reverse("resident_report_photo", args=[report.pk, photo.pk])
    verified_login(client, partner_user)
    assert client.get(url).status_code == 404
    verified_login(client, pcso)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert "/media/" not in photo.file.name and not photo.file.name.startswith("/")
