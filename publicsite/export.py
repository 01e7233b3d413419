"""``publish``: the one entry point that exports the public site, composing the three parts of the package.

``viewmodels`` loads what is public (from ``jps.publishing``) and shapes it, ``render`` turns it
into files, ``store`` writes them as a new version and switches it into place. A full export
renders everything; an incremental run renders only the pages a changed problem appears on,
where it is now and where it was, so a run costs one link per shard plus the touched shards'
files, not the size of the site.

The package registers ``publish`` with ``jps.publishing`` (``PublicSiteConfig.ready``), so the
publishing job calls ``jps.publishing.site_publish`` and never imports this package; the
``publish_site`` command calls it directly (it also takes ``--output`` and ``--rollback``).
"""

from __future__ import annotations

import datetime
import secrets
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.utils import timezone

from jps import publishing
from jps.db_router import replica_lag_allowance, replica_reads
from jps.models import Postcode, PublishRun
from jps.pledge.public import team_pages_changed_since
from jps.progress import NoProgress, Progress

from . import store
from .render import Renderer
from .viewmodels import SiteData, photo_folder, priority_path, site_languages


def publish(
    *,
    output: str | Path | None = None,
    full: bool = False,
    now: datetime.datetime | None = None,
    progress: Progress | None = None,
) -> store.PublishResult:
    """Export the public site; incremental from the current version unless ``full`` (or there is none).

    ``progress`` hears of each district, neighbourhood and priority rendered by a full export.
    """
    root = store.site_root(output)
    with store.locked(root):
        return _publish(root, full=full, now=now or timezone.now(), progress=progress or NoProgress())


def _publish(root: Path, *, full: bool, now: datetime.datetime, progress: Progress) -> store.PublishResult:
    current = store.target(root, "current")
    manifest = store.read_manifest(current)
    languages = site_languages()
    if manifest is None or manifest.get("languages") != languages or "shards" not in manifest:
        full = True  # nothing to start from, a language came or went, or a version from before shards
    version = now.strftime("%Y%m%dT%H%M%S%f") + "-" + secrets.token_hex(3)
    build = store.Build(root, version, None if full else manifest, current)
    build.dir.mkdir(parents=True)
    run = PublishRun.objects.create(started_at=now, full=full, version=version)
    try:
        # What is public can be a second old: the export reads the replica when there is a healthy one
        # (jps/db_router.py); the run row just written is the export's own bookkeeping, not its data.
        with replica_reads(own_scope=True):
            if full:
                _full(build, now=now, languages=languages, progress=progress)
            else:
                assert manifest is not None
                _incremental(build, manifest, now=now, languages=languages)
    except BaseException:
        build.discard()
        run.delete()
        raise
    store.switch(root, build.dir)
    result = build.result
    PublishRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(), files_written=len(result.written), files_kept=result.kept
    )
    return result


def _full(build: store.Build, *, now: datetime.datetime, languages: list[str], progress: Progress) -> None:
    data = SiteData(now, languages=languages)
    progress.start("pages", len(data.districts) + len(data.neighbourhoods) + len(data.priorities))
    renderer = Renderer(data)
    outwards = list(Postcode.objects.order_by("outward").values_list("outward", flat=True).distinct())
    files: dict[str, str | bytes] = {}
    parts = (renderer.static(), renderer.home(outwards), renderer.postcodes(), renderer.case_review_figures(),
             renderer.mirror.forces())  # fmt: skip
    for part in parts:
        files.update(part)
    for district_id in data.districts:
        files.update(renderer.district(district_id))
        progress.advance()
    for n in data.neighbourhoods:
        files.update(renderer.neighbourhood(n.pk))
        progress.advance()
    problems: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
    for p in data.priorities:
        files.update(renderer.priority(p.id))
        progress.advance()
        key = store.shard_key(data.priority_path(p))
        assert key is not None
        problems[key][str(p.id)] = {"n": p.neighbourhood_id, "d": p.district_id}
    progress.finish()
    manifest = {"exported_at": now.isoformat(), "languages": languages, "outwards": outwards}
    build.save(files, manifest=manifest, problems=problems)


def _incremental(build: store.Build, manifest: dict[str, Any], *, now: datetime.datetime, languages: list[str]) -> None:
    """Re-render only the pages a changed problem appears on, where it is now and where it was.

    Where it was comes from the ``PROBLEMS`` file of its force's priorities shard (found from
    its reference), where it is now from one query; only those districts are then loaded.
    """
    # Back by the replica's allowed lag: a change committed just before the last export but not yet
    # replayed where that export read it is picked up now (at worst a page is rendered twice).
    since = datetime.datetime.fromisoformat(manifest["exported_at"]) - replica_lag_allowance()
    references = publishing.problem_references(ids=publishing.problems_changed_since(since=since))
    shelves: dict[str, dict[str, dict[str, int]]] = {}
    before: dict[int, dict[str, int]] = {}
    for pid, reference in references.items():
        key = store.shard_key(priority_path(reference))
        assert key is not None
        if key not in shelves:
            shelves[key] = build.published_problems(key)
        if str(pid) in shelves[key]:
            before[pid] = shelves[key][str(pid)]
    now_public = publishing.public_priority_places(ids=references)
    kept = {"exported_at": now.isoformat(), "languages": languages, "outwards": manifest.get("outwards", [])}
    changed = set(before) | set(now_public)
    team = team_pages_changed_since(since=since)  # a team member's consent, team details, a Pledge explanation
    if not changed and not team:
        build.save({}, manifest=kept)
        return
    districts = {b["d"] for b in before.values()} | {d for _n, d in now_public.values()} | set(team.values())
    nbhds = {b["n"] for b in before.values()} | {n for n, _d in now_public.values()} | set(team)
    data = SiteData(now, languages=languages, district_ids=districts, neighbourhood_ids=nbhds)
    renderer = Renderer(data)
    files: dict[str, str | bytes] = {}
    removed: dict[str, list[str]] = defaultdict(list)
    problems: dict[str, dict[str, dict[str, int]]] = {}
    for pid in sorted(changed):
        page = priority_path(references[pid])
        key = store.shard_key(page)
        assert key is not None
        shelf = problems.setdefault(key, dict(shelves[key]))
        removed[key].append(photo_folder(references[pid]))  # its photos still published are written again
        p = data.by_id.get(pid)
        if p is not None:
            files.update(renderer.priority(pid))
            shelf[str(pid)] = {"n": p.neighbourhood_id, "d": p.district_id}
            continue
        shelf.pop(str(pid), None)
        for gone in (page, f"cy/{page}"):
            if build.published(gone):
                removed[str(store.shard_key(gone))].append(gone)
    for nid in sorted(nbhds):
        files.update(renderer.neighbourhood(nid))
    for did in sorted(districts):
        files.update(renderer.district(did))
    files.update(renderer.home(kept["outwards"]))
    build.save(files, manifest=kept, removed=removed, problems=problems)


def rollback(*, output: str | Path | None = None) -> str:
    """Serve the previous version again; the rolled-back one becomes ``previous`` (so it can be undone)."""
    root = store.site_root(output)
    with store.locked(root):
        served, rolled_back = store.swap_back(root)
        PublishRun.objects.filter(version=rolled_back.name).update(rolled_back_at=timezone.now())
        return served.name
