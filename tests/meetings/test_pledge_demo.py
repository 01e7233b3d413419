"""The demo shows the team pages and the Pledge: named officers with photos, a miss explained and one not."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from jps import selectors
from jps.models import Neighbourhood, PledgeExplanation, User
from publicsite.export import publish
from tests.publicsite.site import nbhd_dir, site_files

pytestmark = pytest.mark.django_db


def test_demo_team_pages_and_pledge(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_SITE_DIR = tmp_path / "site"
    call_command("load_demo", "--password", "pw-for-tests-123")
    call_command("load_demo", "--password", "pw-for-tests-123")  # idempotent
    named = User.objects.filter(publish_on_team_page=True)
    assert set(named.values_list("username", flat=True)) == {"officer", "supervisor", "pcso_herne"}
    assert named.exclude(team_photo="").count() == 2
    northgate = Neighbourhood.objects.get(name="Northgate")
    assert northgate.team_email and northgate.team_base and northgate.team_base_cy
    [explanation] = PledgeExplanation.objects.filter(neighbourhood=northgate)
    supervisor = User.objects.get(username="supervisor")
    assert [m for m in selectors.pledge_misses_for(user=supervisor) if m.neighbourhood == northgate]  # one left to do

    publish(full=True)
    files = site_files(settings.PUBLIC_SITE_DIR)
    page = files[nbhd_dir(northgate) + "index.html"].decode()
    assert "Priya Shah" in page and "Dan Mercer" in page and "Old Dover Road" in page
    assert len([p for p in files if p.startswith(nbhd_dir(northgate) + "team/")]) == 2
    pledge = files[nbhd_dir(northgate) + "pledge.html"].decode()
    assert explanation.text in pledge.replace("&#x27;", "'") and "An explanation is on its way." in pledge
