"""Incremental export (which files were rewritten), the atomic switch, rollback and the command."""

from __future__ import annotations

import json
import os

import pytest
from django.core.management import CommandError, call_command

from jps import services
from jps.models import PublishRun
from publicsite import export, render, store, viewmodels
from publicsite.export import publish, rollback
from tests import factories as f

from .conftest import work_priority
from .site import district_dir, nbhd_dir, priority_page, site_files

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


def shard_links(root, name="current"):  # type: ignore[no-untyped-def]
    """The revision each shard's symlink in a version points at, read from the links themselves."""
    version = (root / name).resolve()
    manifest = json.loads((version / store.MANIFEST).read_text())
    links = {}
    for key in manifest["shards"]:
        link = version / key
        assert link.is_symlink() and not os.path.isabs(os.readlink(link)), key
        assert link.resolve().parent.parent == (root / "shards").resolve(), key
        links[key] = link.resolve().name
    assert links == manifest["shards"]
    return links


def stored_revisions(root):  # type: ignore[no-untyped-def]
    store = root / "shards"
    return {(shard.name, rev.name) for shard in store.iterdir() for rev in shard.iterdir()}


def test_shard_keys():
    key = store.shard_key
    assert key("neighbourhoods/kent/canterbury/northgate/index.html") == "neighbourhoods/kent/canterbury"
    assert key("cy/neighbourhoods/kent/canterbury/northgate/feed.atom") == "cy/neighbourhoods/kent/canterbury"
    assert key("districts/kent/canterbury/requests.json") == "districts/kent/canterbury"
    assert key("districts/kent/canterbury/index.html") == "districts/kent/canterbury"
    assert key("priorities/knt/knt-2026-00001.html") == "priorities/knt"
    assert key("postcodes/CT1.html") == "postcodes" and key("cy/postcodes/CT1.html") == "cy/postcodes"
    assert key("static/public_site.css") == "static"
    assert key("api/kent/canterbury.northgate/people") == "api/kent" and key("api/kent/neighbourhoods") == "api/kent"
    assert key("api/forces/index") == "api/forces" and key("api/forces/kent/index") == "api/forces"
    assert key("index.html") is None and key("cy/index.html") is None
    assert viewmodels.priority_path("KNT-2026-00042") == "priorities/knt/knt-2026-00042.html"
    assert viewmodels.priority_path("AB-CD-2026-00042") == "priorities/ab-cd/ab-cd-2026-00042.html"


def test_a_version_is_top_files_and_relative_symlinks_into_the_shard_store(two_areas, settings, area):
    root = settings.PUBLIC_SITE_DIR
    publish(full=True)
    version = (root / "current").resolve()
    assert (version / "index.html").is_file() and not (version / "index.html").is_symlink()
    assert (version / "neighbourhoods").is_dir() and not (version / "neighbourhoods").is_symlink()
    links = shard_links(root)
    force = area.district.force.code.lower()
    assert {
        f"neighbourhoods/{area.district.force.slug}/{area.district.slug}",
        f"districts/{area.district.force.slug}/{area.district.slug}",
        f"priorities/{force}",
    } <= set(links)
    assert {"static", "postcodes"} & set(links) == {"static"}  # no postcodes loaded: no shard
    assert os.readlink(version / "static") == f"../../shards/static/{links['static']}"


def test_one_changed_problem_rewrites_only_the_pages_it_appears_on(two_areas, people, settings, area):
    here, there = two_areas
    root = settings.PUBLIC_SITE_DIR
    first = publish(full=True)
    assert first.full and len(first.written) > 10
    there_page = priority_page(there)
    before = {p: inode(root, p) for p in (there_page, priority_page(here))}
    first_links = shard_links(root)

    update = services.update_add(problem=here, by=people["pcso"], text="internal draft", propose_public=True)
    services.update_decide(update=update, by=people["web_editor"], approve=True, public_text="Patrols doubled.")
    second = publish()

    nbhd = f"{nbhd_dir(area)}"
    district = f"{district_dir(area.district)}"
    mirror = f"api/{area.district.force.slug}/{area.district.slug}.{area.slug}/"
    assert not second.full
    assert sorted(second.written) == sorted(
        [
            priority_page(here),
            nbhd + "index.html",
            nbhd + "priorities.json",
            nbhd + "feed.atom",
            nbhd + "events.json",  # the neighbourhood's meetings, rendered with its page
            nbhd + "meetings.ics",
            nbhd + "pledge.html",  # "Our promises to you", rendered with its page
            district + "index.html",
            district + "requests.json",  # the district's Open311 file
            "index.html",
        ]
        # the neighbourhood in the data.police.uk mirror
        + [f"{mirror}{name}" for name in ("index", "people", "priorities", "events")]
    )
    # new revisions only for the shards written to; every other shard's link is the same in both versions
    touched = {
        f"neighbourhoods/{area.district.force.slug}/{area.district.slug}",
        f"districts/{area.district.force.slug}/{area.district.slug}",
        f"priorities/{here.force.code.lower()}",
        f"api/{area.district.force.slug}",
    }
    assert set(second.new_shards) == touched
    now_links, previous_links = shard_links(root), shard_links(root, "previous")
    assert previous_links == first_links
    assert {k for k in now_links if now_links[k] != first_links.get(k)} == touched
    assert all(now_links[k] == second.version for k in touched)
    untouched = f"neighbourhoods/{there.district.force.slug}/{there.district.slug}"
    assert os.lstat(root / "current" / untouched).st_ino == os.lstat(root / "previous" / untouched).st_ino
    # unchanged files are the very same files (hard links), changed ones are new files
    assert inode(root, there_page) == before[there_page]
    assert inode(root, priority_page(here)) != before[priority_page(here)]
    assert "Patrols doubled." in (root / "current" / nbhd / "index.html").read_text()
    # the previous version was not touched through the shared links
    assert "Patrols doubled." not in (root / "previous" / nbhd / "index.html").read_text()
    # nothing changed: nothing rewritten, no new revision
    third = publish()
    assert third.written == [] and third.new_shards == []
    assert shard_links(root) == now_links
    runs = list(PublishRun.objects.order_by("started_at").values_list("full", "files_written"))
    assert runs == [(True, len(first.written)), (False, 14), (False, 0)]


def test_prune_removes_revisions_neither_current_nor_previous_links_to(two_areas, people, settings):
    here, there = two_areas
    root = settings.PUBLIC_SITE_DIR
    first = publish(full=True)
    services.problem_public_set(problem=here, by=people["supervisor"], public_title="Renamed once")
    publish()
    services.problem_public_set(problem=there, by=f.UserFactory(role="admin"), public_title="Renamed too")
    publish()
    services.problem_public_set(problem=there, by=f.UserFactory(role="admin"), public_title="Renamed again")
    publish()
    linked = {(k.replace("/", "~"), r) for name in ("current", "previous") for k, r in shard_links(root, name).items()}
    assert stored_revisions(root) == linked
    assert ("static", first.version) in linked  # untouched since the full export: still the first revision
    here_key = f"neighbourhoods~{here.district.force.slug}~{here.district.slug}"
    assert (here_key, first.version) not in linked  # replaced two runs ago, so pruned
    assert any(key == here_key for key, _revision in linked)  # by a newer revision of the same shard
    assert len(os.listdir(root / "versions")) == 2


def test_a_withdrawn_priority_leaves_no_stale_pages(two_areas, people, settings, area, force):
    force.welsh_enabled = True
    force.save()
    here, there = two_areas
    root = settings.PUBLIC_SITE_DIR
    publish(full=True)
    services.problem_public_set(problem=here, by=people["supervisor"], public_priority=False)
    result = publish()
    page = priority_page(here)
    assert {page, f"cy/{page}"} <= set(result.removed)
    files = site_files(root)
    assert page not in files and f"cy/{page}" not in files
    assert priority_page(there) in files and f"cy/{priority_page(there)}" in files
    nbhd_html = files[f"{nbhd_dir(area)}index.html"].decode()
    assert "Here" not in nbhd_html.split("<main")[1]
    requests = json.loads(files[f"{district_dir(area.district)}requests.json"])
    assert here.reference not in {r["service_request_id"] for r in requests}
    published = json.loads(files[f"priorities/{here.force.code.lower()}/{store.PROBLEMS}"])
    assert str(here.pk) not in published and str(there.pk) in published
    assert (root / "previous" / page).exists()  # the previous version still has it, for a rollback


def test_a_priority_moved_to_another_district_is_rerendered_in_both_and_found_there_next_time(
    two_areas, people, settings, area, other_neighbourhood
):
    here, there = two_areas
    root = settings.PUBLIC_SITE_DIR
    publish(full=True)
    both = f.UserFactory(role="supervisor", districts=[area.district, other_neighbourhood.district])
    services.problem_update(problem=here, by=both, neighbourhood=other_neighbourhood)
    result = publish()
    old, new = area.district, other_neighbourhood.district
    for district in (old, new):
        assert f"{district_dir(district)}requests.json" in result.written
    old_nbhd = f"neighbourhoods/{old.force.slug}/{old.slug}/{area.slug}/index.html"
    new_nbhd = f"neighbourhoods/{new.force.slug}/{new.slug}/{other_neighbourhood.slug}/index.html"
    assert {old_nbhd, new_nbhd, priority_page(here)} <= set(result.written)
    files = site_files(root)
    ids = {
        d: {r["service_request_id"] for r in json.loads(files[f"{district_dir(d)}requests.json"])} for d in (old, new)
    }
    assert here.reference not in ids[old] and here.reference in ids[new]
    assert "Here" not in files[old_nbhd].decode().split("<main")[1]
    assert "Here" in files[new_nbhd].decode().split("<main")[1]
    assert other_neighbourhood.district.name in files[priority_page(here)].decode()

    # where it was last published is recorded, so withdrawing it now re-renders the new district only
    services.problem_public_set(problem=here, by=both, public_priority=False)
    result = publish()
    assert f"{district_dir(new)}index.html" in result.written
    assert not any(path.startswith(f"{district_dir(old)}") for path in result.written)
    assert "Here" not in site_files(root)[new_nbhd].decode().split("<main")[1]


def test_an_incremental_run_loads_only_the_affected_districts(two_areas, people, settings, area, monkeypatch):
    here, there = two_areas
    publish(full=True)
    loaded: list[viewmodels.SiteData] = []
    real = export.SiteData

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        loaded.append(real(*args, **kwargs))
        return loaded[-1]

    monkeypatch.setattr(export, "SiteData", spy)
    services.problem_public_set(problem=here, by=people["supervisor"], public_title="Renamed for the public")
    publish()
    [data] = loaded
    assert [p.id for p in data.priorities] == [here.pk]  # not the priority in the other district
    assert set(data.districts) == {area.district_id}
    assert {n.district_id for n in data.neighbourhoods} == {area.district_id}
    assert set(data.meetings) == {area.pk}


def test_switch_is_atomic_and_a_failed_export_changes_nothing(two_areas, settings, monkeypatch):
    root = settings.PUBLIC_SITE_DIR
    first = publish(full=True)
    assert os.path.islink(root / "current")
    assert os.readlink(root / "current") == f"versions/{first.version}"
    stored = stored_revisions(root)

    def broken(self, priority_id):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(render.Renderer, "priority", broken)
    with pytest.raises(RuntimeError):
        publish(full=True)
    assert os.readlink(root / "current") == f"versions/{first.version}"
    assert sorted(os.listdir(root / "versions")) == [first.version]  # the half-written folder is gone
    assert stored_revisions(root) == stored
    assert PublishRun.objects.count() == 1


def test_a_failed_incremental_export_leaves_no_new_revision_behind(two_areas, people, settings, monkeypatch):
    here, _there = two_areas
    root = settings.PUBLIC_SITE_DIR
    first = publish(full=True)
    stored, links = stored_revisions(root), shard_links(root)
    services.problem_public_set(problem=here, by=people["supervisor"], public_title="Renamed for the public")
    write, calls = store._write, []

    def fails_half_way(folder, path, content):  # type: ignore[no-untyped-def]
        calls.append(path)
        if len(calls) == 4:  # a shard written, the next one half-way
            raise OSError("disk full")
        write(folder, path, content)

    monkeypatch.setattr(store, "_write", fails_half_way)
    with pytest.raises(OSError):
        publish()
    assert len(calls) == 4
    assert sorted(os.listdir(root / "versions")) == [first.version]
    assert stored_revisions(root) == stored
    assert shard_links(root) == links
    assert PublishRun.objects.count() == 1
    monkeypatch.setattr(store, "_write", write)
    assert priority_page(here) in publish().written  # the change is still waiting to be published


def test_rollback_serves_the_previous_version_and_can_be_undone(two_areas, people, settings, area):
    here, _ = two_areas
    root = settings.PUBLIC_SITE_DIR
    first = publish(full=True)
    services.problem_public_set(problem=here, by=people["supervisor"], public_title="Renamed for the public")
    second = publish()
    assert os.readlink(root / "previous") == f"versions/{first.version}"
    page = root / "current" / priority_page(here)
    assert "Renamed for the public" in page.read_text()

    call_command("publish_site", "--rollback")
    assert os.readlink(root / "current") == f"versions/{first.version}"
    assert os.readlink(root / "previous") == f"versions/{second.version}"
    assert "Renamed for the public" not in page.read_text()
    assert PublishRun.objects.get(version=second.version).rolled_back_at is not None

    # the next incremental export starts from what is served, so the change comes back
    third = publish()
    assert priority_page(here) in third.written
    assert "Renamed for the public" in page.read_text()
    assert sorted(os.listdir(root / "versions")) == sorted([first.version, third.version])
    linked = {(k.replace("/", "~"), r) for name in ("current", "previous") for k, r in shard_links(root, name).items()}
    assert stored_revisions(root) == linked  # the rolled-back version's own revisions went with it


def test_rollback_without_a_previous_version_is_a_clear_error(settings):
    with pytest.raises(CommandError, match="no previous version"):
        call_command("publish_site", "--rollback")
    with pytest.raises(store.PublishError):
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
    old_page = f"{nbhd_dir(area)}index.html"
    new_page = f"neighbourhoods/{area.district.force.slug}/{area.district.slug}/{elsewhere.slug}/index.html"
    assert {old_page, new_page} <= set(result.written)
    assert priority_page(there) not in result.written
    assert "Here" not in (root / "current" / old_page).read_text().split("<main")[1]
    assert "Here" in (root / "current" / new_page).read_text().split("<main")[1]


def test_export_queries_do_not_grow_with_the_number_of_places(two_areas, people, settings, area):
    """No query per district or neighbourhood (their force names their address): a flat count as places grow."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    here, _there = two_areas
    titles = iter(f"Title {n}" for n in range(10))

    def queries(full: bool) -> int:
        services.problem_public_set(problem=here, by=people["supervisor"], public_title=next(titles))
        with CaptureQueriesContext(connection) as ctx:
            publish(full=full)
        return len(ctx.captured_queries)

    publish(full=True)
    few = (queries(full=True), queries(full=False))
    for n in range(4):
        district = f.DistrictFactory(force=f.ForceFactory(code=f"Q{n}", name=f"Force {n}", slug=f"force-{n}"))
        f.NeighbourhoodFactory(district=district)
    many = (queries(full=True), queries(full=False))
    assert many == few
