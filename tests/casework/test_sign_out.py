from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_signing_out_clears_the_apps_cached_pages(client, pcso):
    client.force_login(pcso)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache"'
    assert client.get("/").status_code == 302  # signed out: my work now asks to sign in
