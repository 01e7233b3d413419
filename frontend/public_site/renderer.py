"""Render the public site to static files, incrementally and atomically.

Layout of the output folder (``settings.PUBLIC_SITE_DIR`` or ``--output``)::

    current  -> versions/<v2>     the site being served (a symlink, switched with os.replace)
    previous -> versions/<v1>     kept for ``publish_site --rollback``
    versions/<v>/                 one complete rendering each, with .publish.json (its manifest)

A new version is rendered into a fresh sibling folder: on an incremental run every
unchanged file is hard-linked from the current version and only the pages a changed
problem appears on are rendered again (a re-rendered file is unlinked first, so the
version being served is never written to). Only when the folder is complete does the
``current`` symlink move, so readers never see a half-written site.

All content comes from ``jps.publishing``, the one place that decides what is public.
"""

from __future__ import annotations

import datetime
import fcntl
import json
import os
import secrets
import shutil
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from jps import meetings, publishing
from jps.models import Force, Neighbourhood, Postcode, PublishRun
from jps.publishing import PublicPriority

MANIFEST = ".publish.json"
STATIC_CSS = Path(__file__).parent / "static" / "public_site.css"
#: The pages' Content Security Policy, also in a <meta> tag so it holds wherever the files are served.
#: No inline script or style: the pages have none. docker/nginx-public.conf sends the same policy as a
#: header, with frame-ancestors 'none' (which a <meta> policy cannot carry).
PUBLIC_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"
)


class PublishError(Exception):
    pass


@dataclass
class PublishResult:
    version: str
    full: bool
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: int = 0


def site_root(output: str | Path | None = None) -> Path:
    return Path(output or settings.PUBLIC_SITE_DIR)


def rel(from_page: str, to_path: str) -> str:
    """A relative link from one page to another file, so the site works from any folder or file://."""
    start = os.path.dirname(from_page) or "."
    target = os.path.relpath(to_path, start)
    if to_path.endswith("index.html"):
        target = target[: -len("index.html")] or "./"
    return target


def _iso_midnight(day: datetime.date | None) -> str | None:
    return f"{day.isoformat()}T00:00:00" if day else None


def _p(text: str) -> str:
    return "".join(f"<p>{escape(para.strip())}</p>" for para in text.split("\n\n") if para.strip())


# --- the data one run renders from ------------------------------------------------------------


class SiteData:
    """Everything public, loaded once per run (a handful of queries)."""

    def __init__(self, now: datetime.datetime) -> None:
        self.now = now
        self.priorities = publishing.public_priorities()
        self.by_id = {p.id: p for p in self.priorities}
        self.neighbourhoods = list(publishing.public_neighbourhoods())
        self.nbhd = {n.pk: n for n in self.neighbourhoods}
        self.districts = {n.district_id: n.district for n in self.neighbourhoods}
        self.in_nbhd: dict[int, list[PublicPriority]] = defaultdict(list)
        self.in_district: dict[int, list[PublicPriority]] = defaultdict(list)
        for p in self.priorities:
            self.in_nbhd[p.neighbourhood_id].append(p)
            self.in_district[p.district_id].append(p)
        self.languages = ["en"] + (["cy"] if Force.objects.filter(welsh_enabled=True).exists() else [])
        self.site_url = settings.PUBLIC_SITE_URL.rstrip("/") + "/"
        self.alerts_url = settings.SITE_URL.rstrip("/") + "/alerts/subscribe/"
        self.meetings = meetings.public_meetings_by_neighbourhood(neighbourhood_ids=list(self.nbhd), now=now)

    def last_changed(self, items: list[PublicPriority]) -> datetime.datetime:
        return max((p.last_changed for p in items), default=self.now)

    @staticmethod
    def nbhd_path(n: Neighbourhood) -> str:
        return f"neighbourhoods/{n.district.slug}/{n.slug}/index.html"

    @staticmethod
    def nbhd_dir(n: Neighbourhood) -> str:
        return f"neighbourhoods/{n.district.slug}/{n.slug}/"

    @staticmethod
    def priority_path(p: PublicPriority) -> str:
        return f"priorities/{p.slug}/index.html"


# --- rendering: each target yields (path, content) ----------------------------------------


class Renderer:
    def __init__(self, data: SiteData) -> None:
        self.data = data

    def html(
        self, path: str, template: str, context: dict[str, Any], updated: datetime.datetime
    ) -> dict[str, str | bytes]:
        """The page in every language: English at ``path``, Welsh at ``cy/path``."""
        out: dict[str, str | bytes] = {}
        for lang in self.data.languages:
            page = path if lang == "en" else f"cy/{path}"
            home = "index.html" if lang == "en" else "cy/index.html"
            ctx = {
                **context,
                "lang": lang,
                "page": page,
                "updated": updated,
                "css": rel(page, "static/public_site.css"),
                "csp": PUBLIC_CSP,
                "home_url": rel(page, home),
                "switch": [
                    {"code": code, "label": label, "url": rel(page, path if code == "en" else f"cy/{path}")}
                    for code, label in (("en", "English"), ("cy", "Cymraeg"))
                    if code in self.data.languages and code != lang
                ],
            }
            ctx = self._resolve_links(ctx, page, lang)
            with translation.override(lang):
                out[page] = render_to_string(f"public_site/{template}", ctx)
        return out

    def _resolve_links(self, ctx: dict[str, Any], page: str, lang: str) -> dict[str, Any]:
        """Turn every ``*_to`` site path in the context into a link relative to this page."""

        def fix(value: Any) -> Any:
            if isinstance(value, dict):
                fixed = {k: fix(v) for k, v in value.items()}
                for key, target in value.items():
                    if key.endswith("_to") and isinstance(target, str):
                        is_data = not target.endswith(".html")
                        full = target if (lang == "en" or is_data) else f"cy/{target}"
                        fixed[key[:-3] + "_url"] = rel(page, full)
                return fixed
            if isinstance(value, list):
                return [fix(v) for v in value]
            return value

        return fix(ctx)

    # view models -----------------------------------------------------------------------------

    def _priority_vm(self, p: PublicPriority) -> dict[str, Any]:
        n = self.data.nbhd[p.neighbourhood_id]
        return {
            "title": p.title,
            "reference": p.reference,
            "category": p.category,
            "adopted_on": p.adopted_on,
            "lead_agency": p.lead_agency,
            "is_closed": p.is_closed,
            "closed_on": p.closed_on,
            "outcome": p.outcome,
            "latest": p.latest_update,
            "updates": list(reversed(p.updates)),
            "neighbourhood": n.display_name,
            "neighbourhood_to": self.data.nbhd_path(n),
            "district": n.district.name,
            "page_to": self.data.priority_path(p),
        }

    def _nbhd_vm(self, n: Neighbourhood) -> dict[str, Any]:
        items = self.data.in_nbhd.get(n.pk, [])
        return {
            "name": n.display_name,
            "current_count": sum(1 for p in items if not p.is_closed),
            "page_to": self.data.nbhd_path(n),
        }

    # targets -----------------------------------------------------------------------------------

    def home(self) -> dict[str, str | bytes]:
        districts = []
        for district in sorted(self.data.districts.values(), key=lambda d: d.name):
            nbhds = [n for n in self.data.neighbourhoods if n.district_id == district.pk]
            districts.append(
                {
                    "name": district.name,
                    "page_to": f"districts/{district.slug}/index.html",
                    "neighbourhoods": [self._nbhd_vm(n) for n in sorted(nbhds, key=lambda n: n.display_name)],
                }
            )
        outwards = sorted(set(Postcode.objects.values_list("outward", flat=True)))
        context = {
            "districts": districts,
            "outwards": [{"code": o, "page_to": f"postcodes/{o}.html"} for o in outwards],
            "current_count": sum(1 for p in self.data.priorities if not p.is_closed),
            "requests_to": "requests.json",
        }
        return self.html("index.html", "home.html", context, self.data.now)

    def district(self, district_id: int) -> dict[str, str | bytes]:
        district = self.data.districts.get(district_id)
        if district is None:
            return {}
        nbhds = sorted(
            (n for n in self.data.neighbourhoods if n.district_id == district_id), key=lambda n: n.display_name
        )
        items = self.data.in_district.get(district_id, [])
        context = {
            "district": district.name,
            "neighbourhoods": [self._nbhd_vm(n) for n in nbhds],
            "current": [self._priority_vm(p) for p in items if not p.is_closed],
        }
        updated = self.data.last_changed(items)
        return self.html(f"districts/{district.slug}/index.html", "district.html", context, updated)

    def neighbourhood(self, nbhd_id: int) -> dict[str, str | bytes]:
        n = self.data.nbhd.get(nbhd_id)
        if n is None:
            return {}
        items = self.data.in_nbhd.get(nbhd_id, [])
        base = self.data.nbhd_dir(n)
        context = {
            "name": n.display_name,
            "district": n.district.name,
            "district_to": f"districts/{n.district.slug}/index.html",
            "current": [self._priority_vm(p) for p in items if not p.is_closed],
            "past": [self._priority_vm(p) for p in sorted(items, key=_closed_key) if p.is_closed],
            "json_to": base + "priorities.json",
            "feed_to": base + "feed.atom",
            "alerts_url": f"{self.data.alerts_url}?neighbourhood={n.pk}",
            "meetings": self.data.meetings[n.pk],
            "events_to": base + "events.json",
        }
        updated = self.data.last_changed(items)
        files: dict[str, str | bytes] = dict(self.html(base + "index.html", "neighbourhood.html", context, updated))
        files[base + "priorities.json"] = json.dumps(self.police_uk(items), indent=2, ensure_ascii=False)
        files[base + "feed.atom"] = self.feed(n, items)
        files[base + "events.json"] = json.dumps(self.data.meetings[n.pk]["events"], indent=2, ensure_ascii=False)
        return files

    def priority(self, priority_id: int) -> dict[str, str | bytes]:
        p = self.data.by_id.get(priority_id)
        if p is None:
            return {}
        return self.html(self.data.priority_path(p), "priority.html", {"p": self._priority_vm(p)}, p.last_changed)

    def requests_json(self) -> dict[str, str | bytes]:
        return {"requests.json": json.dumps(self.open311(), indent=2, ensure_ascii=False)}

    def postcodes(self) -> dict[str, str | bytes]:
        files: dict[str, str | bytes] = {}
        by_outward: dict[str, list[Postcode]] = defaultdict(list)
        for pc in Postcode.objects.order_by("postcode"):
            by_outward[pc.outward].append(pc)
        for outward, codes in by_outward.items():
            rows = [
                {
                    "postcode": pc.postcode,
                    "neighbourhood": self.data.nbhd[pc.neighbourhood_id].display_name,
                    "page_to": self.data.nbhd_path(self.data.nbhd[pc.neighbourhood_id]),
                }
                for pc in codes
                if pc.neighbourhood_id in self.data.nbhd
            ]
            files.update(
                self.html(
                    f"postcodes/{outward}.html", "postcode.html", {"outward": outward, "rows": rows}, self.data.now
                )
            )
            lookup = {r["postcode"]: {"neighbourhood": r["neighbourhood"], "url": r["page_to"]} for r in rows}
            files[f"postcodes/{outward}.json"] = json.dumps(lookup, indent=1, ensure_ascii=False)
        return files

    def static(self) -> dict[str, str | bytes]:
        return {"static/public_site.css": STATIC_CSS.read_bytes()}

    # machine-readable formats ------------------------------------------------------------------

    @staticmethod
    def police_uk(items: list[PublicPriority]) -> list[dict[str, str | None]]:
        """data.police.uk neighbourhood priorities: issue/action as HTML, hyphenated keys."""
        out = []
        for p in items:
            if p.is_closed:
                action, action_date = p.outcome or None, p.closed_on
            else:
                latest = p.latest_update
                action, action_date = (latest.text, latest.date) if latest else (None, None)
            out.append(
                {
                    "issue": _p(p.title),
                    "issue-date": _iso_midnight(p.adopted_on),
                    "action": _p(action) if action else None,
                    "action-date": _iso_midnight(action_date) if action else None,
                }
            )
        return out

    def open311(self) -> list[dict[str, Any]]:
        """Open311 GeoReport v2 service requests; the position is the neighbourhood's centre only."""
        out = []
        for p in self.data.priorities:
            n = self.data.nbhd[p.neighbourhood_id]
            latest = p.latest_update
            notes = p.outcome if p.is_closed else (latest.text if latest else "")
            adopted = datetime.datetime.combine(p.adopted_on, datetime.time(), tzinfo=timezone.get_current_timezone())
            out.append(
                {
                    "service_request_id": p.reference,
                    "status": "closed" if p.is_closed else "open",
                    "status_notes": notes,
                    "service_name": p.category,
                    "service_code": p.category_slug,
                    "description": p.title,
                    "agency_responsible": p.lead_agency,
                    "service_notice": "",
                    "requested_datetime": adopted.isoformat(),
                    "updated_datetime": timezone.localtime(p.last_changed).isoformat(),
                    "expected_datetime": None,
                    "address": f"{n.display_name}, {n.district.name}",
                    "address_id": "",
                    "zipcode": "",
                    "lat": float(n.latitude) if n.latitude is not None else None,
                    "long": float(n.longitude) if n.longitude is not None else None,
                    "media_url": "",
                }
            )
        return out

    def feed(self, n: Neighbourhood, items: list[PublicPriority]) -> bytes:
        base = self.data.site_url
        page = base + self.data.nbhd_dir(n)
        feed = Atom1Feed(
            title=f"Neighbourhood priorities: {n.display_name}",
            link=page,
            description=f"Approved updates and outcomes for {n.display_name}",
            feed_url=page + "feed.atom",
            language="en-gb",
        )
        entries = []
        for p in items:
            url = base + f"priorities/{p.slug}/"
            for i, u in enumerate(p.updates):
                entries.append((u.at, f"{p.title}: update", url, u.text, f"{url}#update-{i + 1}"))
            if p.is_closed and p.closed_at:
                entries.append((p.closed_at, f"{p.title}: outcome", url, p.outcome or "Closed.", f"{url}#outcome"))
        for at, title, url, text, uid in sorted(entries, key=lambda e: e[0], reverse=True)[:100]:
            feed.add_item(title=title, link=url, description=text, unique_id=uid, pubdate=at, updateddate=at)
        return feed.writeString("utf-8").encode()


def _closed_key(p: PublicPriority) -> tuple[int, float]:
    return (0, -(p.closed_at.timestamp() if p.closed_at else 0))


# --- the export: versions, incremental, atomic switch ------------------------------------------


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _target(root: Path, name: str) -> Path | None:
    link = root / name
    if not link.is_symlink():
        return None
    path = (root / os.readlink(link)).resolve()
    return path if path.is_dir() else None


def _point(root: Path, name: str, version_dir: Path) -> None:
    """Point ``root/name`` at a version with one atomic rename of a fresh symlink."""
    tmp = root / f".{name}.{secrets.token_hex(4)}"
    os.symlink(os.path.relpath(version_dir, root), tmp)
    os.replace(tmp, root / name)


def _write(version_dir: Path, path: str, content: str | bytes) -> None:
    target = version_dir / path
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()  # it may be a hard link into the version being served
    data = content.encode() if isinstance(content, str) else content
    target.write_bytes(data)


def _link_tree(src: Path, dst: Path) -> int:
    count = 0
    for dirpath, _dirs, files in os.walk(src):
        rel_dir = Path(dirpath).relative_to(src)
        (dst / rel_dir).mkdir(parents=True, exist_ok=True)
        for name in files:
            if name == MANIFEST:
                continue
            try:
                os.link(Path(dirpath) / name, dst / rel_dir / name)
            except OSError:
                shutil.copy2(Path(dirpath) / name, dst / rel_dir / name)
            count += 1
    return count


def _read_manifest(version_dir: Path | None) -> dict[str, Any] | None:
    if version_dir is None or not (version_dir / MANIFEST).exists():
        return None
    return json.loads((version_dir / MANIFEST).read_text())


def publish(
    *, output: str | Path | None = None, full: bool = False, now: datetime.datetime | None = None
) -> PublishResult:
    """Export the public site; incremental from the current version unless ``full`` (or there is none)."""
    root = site_root(output)
    with _locked(root):
        return _publish(root, full=full, now=now or timezone.now())


def _publish(root: Path, *, full: bool, now: datetime.datetime) -> PublishResult:
    current = _target(root, "current")
    manifest = _read_manifest(current)
    data = SiteData(now)
    if manifest is None or manifest.get("languages") != data.languages:
        full = True
    version = now.strftime("%Y%m%dT%H%M%S%f") + "-" + secrets.token_hex(3)
    version_dir = root / "versions" / version
    version_dir.mkdir(parents=True)
    run = PublishRun.objects.create(started_at=now, full=full, version=version)
    renderer = Renderer(data)
    result = PublishResult(version=version, full=full)
    problems: dict[str, dict[str, Any]] = {
        str(p.id): {"n": p.neighbourhood_id, "d": p.district_id, "slug": p.slug} for p in data.priorities
    }
    try:
        if full:
            files: dict[str, str | bytes] = {}
            for part in (renderer.static(), renderer.home(), renderer.requests_json(), renderer.postcodes()):
                files.update(part)
            for district_id in data.districts:
                files.update(renderer.district(district_id))
            for n in data.neighbourhoods:
                files.update(renderer.neighbourhood(n.pk))
            for p in data.priorities:
                files.update(renderer.priority(p.id))
        else:
            assert current is not None and manifest is not None
            result.kept = _link_tree(current, version_dir)
            since = datetime.datetime.fromisoformat(manifest["exported_at"])
            files = _incremental(renderer, data, manifest, since, version_dir, result)
        for path, content in files.items():
            _write(version_dir, path, content)
        result.written = sorted(files)
        result.kept = max(result.kept - len(files), 0)
        (version_dir / MANIFEST).write_text(
            json.dumps({"exported_at": now.isoformat(), "languages": data.languages, "problems": problems})
        )
    except BaseException:
        shutil.rmtree(version_dir, ignore_errors=True)
        run.delete()
        raise
    if current is not None:
        _point(root, "previous", current)
    _point(root, "current", version_dir)
    _prune(root)
    PublishRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(), files_written=len(result.written), files_kept=result.kept
    )
    return result


def _incremental(
    renderer: Renderer,
    data: SiteData,
    manifest: dict[str, Any],
    since: datetime.datetime,
    version_dir: Path,
    result: PublishResult,
) -> dict[str, str | bytes]:
    """Re-render only the pages a changed problem appears on, where it is now and where it was."""
    changed = publishing.problems_changed_since(since=since)
    before = manifest.get("problems", {})
    changed = {pid for pid in changed if pid in data.by_id or str(pid) in before}
    files: dict[str, str | bytes] = {}
    if not changed:
        return files
    nbhds: set[int] = set()
    districts: set[int] = set()
    for pid in changed:
        old = before.get(str(pid))
        if old:
            nbhds.add(old["n"])
            districts.add(old["d"])
            if pid not in data.by_id:
                for prefix in ["", "cy/"]:
                    gone = version_dir / prefix / "priorities" / old["slug"]
                    if gone.exists():
                        shutil.rmtree(gone)
                        result.removed.append(f"{prefix}priorities/{old['slug']}/index.html")
        p = data.by_id.get(pid)
        if p:
            nbhds.add(p.neighbourhood_id)
            districts.add(p.district_id)
            files.update(renderer.priority(pid))
    for nid in nbhds:
        files.update(renderer.neighbourhood(nid))
    for did in districts:
        files.update(renderer.district(did))
    files.update(renderer.home())
    files.update(renderer.requests_json())
    return files


def _prune(root: Path) -> None:
    keep = {_target(root, "current"), _target(root, "previous")}
    for child in (root / "versions").iterdir():
        if child.resolve() not in keep:
            shutil.rmtree(child, ignore_errors=True)


def rollback(*, output: str | Path | None = None) -> str:
    """Serve the previous version again; the rolled-back one becomes ``previous`` (so it can be undone)."""
    root = site_root(output)
    with _locked(root):
        current, previous = _target(root, "current"), _target(root, "previous")
        if previous is None or current is None:
            raise PublishError("There is no previous version to roll back to.")
        _point(root, "current", previous)
        _point(root, "previous", current)
        PublishRun.objects.filter(version=current.name).update(rolled_back_at=timezone.now())
        return previous.name
