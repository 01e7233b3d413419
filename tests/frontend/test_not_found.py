"""A 404 is the service's own page in every mode: the demo runs with DEBUG on, and Django's debug
404 page lists every URL pattern to whoever asks."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

TECHNICAL = [b"URLconf", b"DEBUG = True", b"Using the URLconf", b"api/", b"admin/"]


@pytest.fixture
def demo_debug(settings):  # type: ignore[no-untyped-def]
    settings.DEBUG = True  # as `make run`: the settings' default


def own_404(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"There is nothing here, or it is not something you can see." in response.content
    for leak in TECHNICAL:
        assert leak not in response.content


def test_a_partner_opening_another_agencys_problem_sees_our_404_in_debug(client, demo_debug, partner_user, problem):
    client.force_login(partner_user)
    own_404(client.get(reverse("problem", args=[problem.pk])))


def test_a_path_that_matches_nothing_is_our_404_in_debug(client, demo_debug, partner_user):
    own_404(client.get("/no-such-page/"))
    client.force_login(partner_user)
    own_404(client.get("/problems/999999/nothing-here/"))


def test_debug_still_redirects_a_missing_slash_and_answers_json_under_api(client, demo_debug, partner_user, problem):
    client.force_login(partner_user)
    response = client.get(reverse("problem", args=[problem.pk]).rstrip("/"))
    assert response.status_code == 301
    api = client.get("/api/no-such-thing/")
    assert api.status_code == 404 and api.json() == {"detail": "Not found."}


def test_production_404_is_unchanged(client, settings, partner_user, problem):
    settings.DEBUG = False
    client.force_login(partner_user)
    own_404(client.get(reverse("problem", args=[problem.pk])))
