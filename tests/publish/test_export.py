"""Incremental export (which files were rewritten), the atomic switch, rollback and the command."""

from __future__ import annotations

import os

import pytest
from django.core.management import CommandError, call_command

from frontend.public_site import renderer
from frontend.public_site.renderer import publish, rollback
from jps import services
from jps.models import PublishRun
from tests import factories as f

from .conftest import work_priority

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_areas(people, area, other_neighbourhood, category):  # type: ignore[no-untyped-def]
    here = work_priority(**people, neighbourhood=area, category=category, close=False, public_title="Here")
    dover_officer = f.UserFactory(role="officer", agency=people["pcso"].agency, neighbourhoods=[other_neighbourhood])
    dover_sergeant = f.UserFactory(
        role="supervisor", agency=people["pcso"].agency, districts=[other_neighbourhood.district]
    )
    there = work_priority(
        pcso=dover_officer,
        supervisor=dover_sergeant,
        web_editor=people["web_editor"],
        neighbourhood=other_neighbourhood,
        category=category,
        close=False,
        public_title="There",
    )
    return here, there


def inode(root, path):  # type: ignore[no-untyped-def]
    return os.stat(root / "current" / path).st_ino


def test_one_changed_problem_rewrites_only_the_pages_it_appears_on(two_areas, people, settings, area):
    here, there = two_areas
    root = settings.PUBLIC_SITE_DIR
    first = publish(full=True)
    assert first.full and len(first.written) > 10
    there_page = f"priorities/{there.reference.lower()}/index.html"
    before = {p: inode(root, p) for p in (there_page, f"priorities/{here.reference.lower()}/index.html")}

    update = services.update_add(problem=here, by=people["pcso"], text="internal draft", propose_public=True)
    services.update_decide(update=update, by=people["web_editor"], approve=True, public_text="Patrols doubled.")
    second = publish()

    nbhd = f"neighbourhoods/{area.district.slug}/{area.slug}/"
    assert not second.full
    assert sorted(second.written) == sorted(
        [
            f"priorities/{here.reference.lower()}/index.html",
            nbhd + "index.html",
            nbhd + "priorities.json",
            nbhd + "feed.atom",
            nbhd + "events.json",  # the neighbourhood's meetings, rendered with its page
            f"districts/{area.district.slug}/index.html",
            "index.html",
            "requests.json",
        ]
    )
    # unchanged files are the very same files (hard links), changed ones are new files
    assert inode(root, there_page) == before[there_page]
    assert (
        inode(root, f"priorities/{here.reference.lower()}/index.html")
        != before[f"priorities/{here.reference.lower()}/index.html"]
    )
    assert "Patrols doubled." in (root / "current" / nbhd / "index.html").read_text()
    # the previous version was not touched through the shared links
    assert "Patrols doubled." not in (root / "previous" / nbhd / "index.html").read_text()
    # nothing changed: nothing rewritten
    assert publish().written == []
    runs = list(PublishRun.objects.order_by("started_at").values_list("full", "files_written"))
    assert runs == [(True, len(first.written)), (False, 8), (False, 0)]


def test_a_withdrawn_priority_leaves_no_stale_pages(two_areas, people, settings, area, other_neighbourhood):
    here, _there = two_areas
    root = settings.PUBLIC_SITE_DIR
    publish(full=True)
    services.problem_update(problem=here, by=people["pcso"], public_priority=False)
    result = publish()
    page = f"priorities/{here.reference.lower()}/index.html"
    assert page in result.removed
    assert not (root / "current" / page).exists()
    nbhd_html = (root / "current" / f"neighbourhoods/{area.district.slug}/{area.slug}/index.html").read_text()
    assert "Here" not in nbhd_html.split("<main")[1]


def test_switch_is_atomic_and_a_failed_export_changes_nothing(two_areas, settings, monkeypatch):
    root = settings.PUBLIC_SITE_DIR
    first = publish(full=True)
    assert os.path.islink(root / "current")
    assert os.readlink(root / "current") == f"versions/{first.version}"

    def broken(self, priority_id):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(renderer.Renderer, "priority", broken)
    with pytest.raises(RuntimeError):
        publish(full=True)
    assert os.readlink(root / "current") == f"versions/{first.version}"
    assert sorted(os.listdir(root / "versions")) == [first.version]  # the half-written folder is gone
    assert PublishRun.objects.count() == 1


def test_rollback_serves_the_previous_version_and_can_be_undone(two_areas, people, settings, area):
    here, _ = two_areas
    root = settings.PUBLIC_SITE_DIR
    first = publish(full=True)
    services.problem_update(problem=here, by=people["pcso"], public_title="Renamed for the public")
    second = publish()
    assert os.readlink(root / "previous") == f"versions/{first.version}"
    page = root / "current" / f"priorities/{here.reference.lower()}/index.html"
    assert "Renamed for the public" in page.read_text()

    call_command("publish_site", "--rollback")
    assert os.readlink(root / "current") == f"versions/{first.version}"
    assert os.readlink(root / "previous") == f"versions/{second.version}"
    assert "Renamed for the public" not in page.read_text()
    assert PublishRun.objects.get(version=second.version).rolled_back_at is not None

    # the next incremental export starts from what is served, so the change comes back
    third = publish()
    assert f"priorities/{here.reference.lower()}/index.html" in third.written
    assert "Renamed for the public" in page.read_text()
    assert sorted(os.listdir(root / "versions")) == sorted([first.version, third.version])


def test_rollback_without_a_previous_version_is_a_clear_error(settings):
    with pytest.raises(CommandError, match="no previous version"):
        call_command("publish_site", "--rollback")
    with pytest.raises(renderer.PublishError):
        rollback()


def test_command_full_export_to_a_chosen_folder(two_areas, tmp_path, capsys):
    out = tmp_path / "elsewhere"
    call_command("publish_site", "--full", "--output", str(out))
    assert (out / "current" / "index.html").exists()
    assert (out / "current" / "static" / "public_site.css").exists()
    assert "Full export" in capsys.readouterr().out


def test_a_priority_moved_to_another_neighbourhood_is_rerendered_in_both(two_areas, people, settings, area):
    here, there = two_areas
    root = settings.PUBLIC_SITE_DIR
    publish(full=True)
    elsewhere = f.NeighbourhoodFactory(district=area.district, name="Wincheap")
    services.problem_update(problem=here, by=people["pcso"], neighbourhood=elsewhere)
    result = publish()
    old_page = f"neighbourhoods/{area.district.slug}/{area.slug}/index.html"
    new_page = f"neighbourhoods/{area.district.slug}/{elsewhere.slug}/index.html"
    assert {old_page, new_page} <= set(result.written)
    assert f"priorities/{there.reference.lower()}/index.html" not in result.written
    assert "Here" not in (root / "current" / old_page).read_text().split("<main")[1]
    assert "Here" in (root / "current" / new_page).read_text().split("<main")[1]
