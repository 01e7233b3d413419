"""The public site's files: each target (a page and its data files) rendered to ``{path: content}``.

HTML pages in every language through the ``public_site/`` templates, and the machine-readable
files beside them (``requests.json`` as Open311, ``priorities.json`` as data.police.uk,
``feed.atom``, ``events.json``, the postcode finder's ``.json``). Everything is built from
``publicsite.viewmodels``; links between pages are relative, so the site works from any folder
or ``file://``. Nothing here touches the disk but the stylesheet it copies.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks

from jps import publishing
from jps.case_reviews.public import COUNTS, AreaFigures, Counts, public_case_review_figures
from jps.models import Neighbourhood, Postcode
from jps.publishing import PublicPriority

from .ical import meetings_ics
from .police_uk import PoliceUkMirror
from .viewmodels import SiteData, closed_key, localise, photo_path

STATIC_CSS = Path(__file__).parent / "assets" / "public_site.css"
STATIC_ICON = Path(__file__).parent / "assets" / "favicon.svg"
#: Where a resident reports a crime online: police.uk passes them to their own force.
REPORT_URL = "https://www.police.uk/"
#: The pages' Content Security Policy, also in a <meta> tag so it holds wherever the files are served.
#: No inline script or style: the pages have none. docker/nginx-public.conf sends the same policy as a
#: header, with frame-ancestors 'none' (which a <meta> policy cannot carry).
PUBLIC_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"
)
#: What a closed priority without a public outcome says, on its page and in the feed.
CLOSED_TEXT = "This priority has been closed."


def rel(from_page: str, to_path: str) -> str:
    """A relative link from one page to another file, so the site works from any folder or file://."""
    start = os.path.dirname(from_page) or "."
    target = os.path.relpath(to_path, start)
    if to_path.endswith("index.html"):
        target = target[: -len("index.html")] or "./"
    return target


def _iso_midnight(day: datetime.date | None) -> str | None:
    return f"{day.isoformat()}T00:00:00" if day else None


def _html(text: str) -> str:
    """Public text as HTML, escaped and with its line breaks, exactly as the pages show it.

    This is the ``linebreaks`` filter the templates apply (autoescaped): every character of
    approved text is text, so a ``<script>`` in it is shown, never run, wherever the HTML goes
    (the data.police.uk file, the Atom feed's ``type="html"`` summaries).
    """
    return linebreaks(text.strip(), autoescape=True) if text.strip() else ""


class Renderer:
    def __init__(self, data: SiteData) -> None:
        self.data = data
        self.mirror = PoliceUkMirror(data)

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
                "icon": rel(page, "static/favicon.svg"),
                "report_url": REPORT_URL,
                "csp": PUBLIC_CSP,
                "home_url": rel(page, home),
                "switch": [
                    {"code": code, "label": label, "url": rel(page, path if code == "en" else f"cy/{path}")}
                    for code, label in (("en", "English"), ("cy", "Cymraeg"))
                    if code in self.data.languages and code != lang
                ],
            }
            ctx = self._resolve_links(localise(ctx, lang), page, lang)
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

    # targets -----------------------------------------------------------------------------------

    def home(self, outwards: list[str]) -> dict[str, str | bytes]:
        """Every district with its count of current priorities (one aggregate query) and the postcode finder.

        Districts' pages list their neighbourhoods, so the home page does no work per
        neighbourhood or priority and is cheap to render again on every incremental run.
        """
        counts = publishing.current_priority_counts()
        forces: dict[int, dict[str, Any]] = {}
        for d in publishing.public_districts():
            force = forces.setdefault(d.force_id, {
                "name": d.force.name, "name_cy": d.force.name_cy, "districts": [],
                "figures_to": f"case-reviews/{d.force.slug}/index.html",
            })  # fmt: skip
            page = self.data.district_dir(d) + "index.html"
            force["districts"].append({"name": d.name, "page_to": page, "current_count": counts.get(d.pk, 0)})
        context = {
            "forces": sorted(forces.values(), key=lambda f: f["name"]),  # under a heading each, when there are several
            "outwards": [{"code": o, "page_to": f"postcodes/{o}.html"} for o in outwards],
            "current_count": sum(counts.values()),
            "force": ", ".join(sorted(f["name"] for f in forces.values())),
            "force_cy": ", ".join(sorted(f["name_cy"] or f["name"] for f in forces.values())),
        }
        return self.html("index.html", "home.html", context, self.data.now)

    def district(self, district_id: int) -> dict[str, str | bytes]:
        """The district's page, and its public priorities as Open311 (``requests.json``) beside it."""
        district = self.data.districts.get(district_id)
        if district is None:
            return {}
        nbhds = sorted(
            (n for n in self.data.neighbourhoods if n.district_id == district_id), key=lambda n: n.display_name
        )
        items = self.data.in_district.get(district_id, [])
        base = self.data.district_dir(district)
        context = {
            "district": district.name,
            "force": district.force.name,
            "force_cy": district.force.name_cy,
            "neighbourhoods": [self.data.nbhd_vm(n) for n in nbhds],
            "current": [self.data.priority_vm(p) for p in items if not p.is_closed],
            "requests_to": base + "requests.json",
        }
        updated = self.data.last_changed(items)
        files = self.html(base + "index.html", "district.html", context, updated)
        files[base + "requests.json"] = json.dumps(self.open311(items), indent=2, ensure_ascii=False)
        return files

    def _neighbourhood_heading(self, n: Neighbourhood) -> dict[str, str]:
        """What every page of a neighbourhood is headed with: its name, its force's and its district's."""
        return {
            "name": n.display_name,
            "name_cy": n.public_name_cy,
            "force": n.district.force.name,
            "force_cy": n.district.force.name_cy,
            "district": n.district.name,
            "district_to": self.data.district_dir(n.district) + "index.html",
        }

    def neighbourhood(self, nbhd_id: int) -> dict[str, str | bytes]:
        n = self.data.nbhd.get(nbhd_id)
        if n is None:
            return {}
        items = self.data.in_nbhd.get(nbhd_id, [])
        base = self.data.nbhd_dir(n)
        context = {
            **self._neighbourhood_heading(n),
            "current": [self.data.priority_vm(p) for p in items if not p.is_closed],
            "past": [self.data.priority_vm(p) for p in sorted(items, key=closed_key) if p.is_closed],
            "json_to": base + "priorities.json",
            "feed_to": base + "feed.atom",
            "alerts_url": f"{self.data.alerts_url}?neighbourhood={n.pk}",
            "problem_report_url": f"{self.data.problem_report_url}?neighbourhood={n.pk}",
            "contact_url": self.data.contact_url(n),
            "meetings": self.data.meetings[n.pk],
            "events_to": base + "events.json",
            "calendar_to": base + "meetings.ics",
            "pledge_to": base + "pledge.html",
        }
        team, photos = self.data.team_vm(n)
        context["team"] = {
            "members": team, "unnamed": self.data.team_unnamed.get(n.pk, 0), "email": n.team_email,
            "base": n.team_base, "base_cy": n.team_base_cy,
        }  # fmt: skip
        updated = self.data.last_changed(items)
        files: dict[str, str | bytes] = dict(self.html(base + "index.html", "neighbourhood.html", context, updated))
        files.update(photos)
        files.update(self.pledge(n))
        priorities = self.police_uk(items)
        mirror = self.mirror.neighbourhood(n, priorities)
        files[base + "priorities.json"] = json.dumps(priorities, indent=2, ensure_ascii=False)
        files[base + "feed.atom"] = self.feed(n, items)
        # the mirror's events (with the team's contact details), also at the first address they were published at
        files[base + "events.json"] = next(v for k, v in mirror.items() if k.endswith("/events"))
        files[base + "meetings.ics"] = meetings_ics(
            name=n.display_name,
            page_url=self.data.site_url + base,
            meetings=self.data.meetings[n.pk]["calendar"],
        )
        files.update(mirror)
        return files

    def pledge(self, n: Neighbourhood) -> dict[str, str | bytes]:
        """The neighbourhood's Pledge page: the last twelve months of each commitment, and the "why not" of a miss."""
        base = self.data.nbhd_dir(n)
        context = {
            **self._neighbourhood_heading(n),
            "neighbourhood_to": base + "index.html",
            "commitments": self.data.pledge_vm(self.data.pledge.get(n.pk, [])),
        }
        return self.html(base + "pledge.html", "pledge.html", context, self.data.now)

    def priority(self, priority_id: int) -> dict[str, str | bytes]:
        p = self.data.by_id.get(priority_id)
        if p is None:
            return {}
        vm = self.data.priority_vm(p)
        context = {"p": vm, "force": vm["force"], "force_cy": vm["force_cy"]}
        files = self.html(self.data.priority_path(p), "priority.html", context, p.last_changed)
        for update in p.updates:
            if update.photo:  # the copy we re-encoded (no EXIF, no location), approved by a web editor
                with default_storage.open(update.photo, "rb") as photo:
                    files[photo_path(p.reference, update.photo)] = photo.read()
        return files

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
                    "neighbourhood_cy": self.data.nbhd[pc.neighbourhood_id].public_name_cy,
                    "page_to": self.data.nbhd_path(self.data.nbhd[pc.neighbourhood_id]),
                }
                for pc in codes
                if pc.neighbourhood_id in self.data.nbhd
            ]
            forces = sorted(
                {
                    self.data.nbhd[pc.neighbourhood_id].district.force.name
                    for pc in codes
                    if pc.neighbourhood_id in self.data.nbhd
                }
            )
            context = {"outward": outward, "rows": rows, "force": ", ".join(forces)}
            files.update(self.html(f"postcodes/{outward}.html", "postcode.html", context, self.data.now))
            lookup = {r["postcode"]: {"neighbourhood": r["neighbourhood"], "url": r["page_to"]} for r in rows}
            files[f"postcodes/{outward}.json"] = json.dumps(lookup, indent=1, ensure_ascii=False)
        return files

    def case_review_figures(self) -> dict[str, str | bytes]:
        """The statutory ASB case review figures: a page per force and per CSP area, each with its CSV and JSON.

        Counts only (``jps.case_reviews.public``): no name, reference or date of any application.
        Rendered by the full export (nightly): the figures are yearly and quarterly, and an incremental
        run is about a changed priority.
        """
        files: dict[str, str | bytes] = {}
        forces = public_case_review_figures(districts=list(publishing.public_districts()))
        for force in forces:
            base = f"case-reviews/{force.slug}/"
            areas = [(area, f"{base}{area.slug}/") for area in force.areas]
            yearly = [{"name": str(y), "counts": _counts(c)} for y, c in force.years.items()]
            by_area = [{"name": a.name, "page_to": p + "index.html", "counts": _counts(_total(a))} for a, p in areas]
            tables = [{"caption": "Each year", "first": "Year", "rows": yearly},
                      {"caption": "Each area, all years", "first": "Area", "rows": by_area}]  # fmt: skip
            files.update(self._figures_page(base, force.name, force.name, tables, force.areas))
            for area, path in areas:
                files.update(self._figures_page(path, area.name, force.name, _area_tables(area), [area], base))
        return files

    def _figures_page(
        self, base: str, place: str, force: str, tables: list[dict[str, Any]], areas: list[AreaFigures],
        force_page: str = "",
    ) -> dict[str, str | bytes]:  # fmt: skip
        context = {
            "place": place, "force": force, "tables": tables, "labels": [label for _key, label in COUNTS],
            "csv_to": base + "figures.csv", "json_to": base + "figures.json",
        }  # fmt: skip
        if force_page:
            context["force_page_to"] = force_page + "index.html"
        files = self.html(base + "index.html", "case_reviews.html", context, self.data.now)
        files[base + "figures.csv"] = _figures_csv(areas)
        files[base + "figures.json"] = json.dumps(
            {"place": place, "force": force, "areas": [_area_json(a) for a in areas]}, indent=2, ensure_ascii=False
        )
        return files

    def static(self) -> dict[str, str | bytes]:
        return {"static/public_site.css": STATIC_CSS.read_bytes(), "static/favicon.svg": STATIC_ICON.read_bytes()}

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
                    "issue": _html(p.title),
                    "issue-date": _iso_midnight(p.adopted_on),
                    "action": _html(action) if action else None,
                    "action-date": _iso_midnight(action_date) if action else None,
                }
            )
        return out

    def open311(self, items: list[PublicPriority]) -> list[dict[str, Any]]:
        """Open311 GeoReport v2 service requests; the position is the neighbourhood's centre only."""
        out = []
        for p in items:
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
        """The neighbourhood's approved updates and outcomes as Atom, from the pages' own view models.

        Titles are ``type="text"`` (Atom's default); summaries are ``type="html"`` holding the
        same escaped HTML the priority page shows (``_html``), so a feed reader renders the text
        as text, line breaks and all, and no markup in approved text reaches it as markup.
        """
        base = self.data.site_url
        page = base + self.data.nbhd_dir(n)
        feed = Atom1Feed(
            title=f"Neighbourhood priorities: {n.display_name}",
            link=page,
            description=f"Approved updates and outcomes for {n.display_name}",
            feed_url=page + "feed.atom",
            language="en-gb",
            author_name=n.district.force.name,  # RFC 4287 4.1.1: a feed without author on every entry needs one
            author_link=base,
        )
        entries = []
        for vm in (self.data.priority_vm(p) for p in items):
            url = base + vm["page_to"]
            count = len(vm["updates"])  # newest first, numbered as the page numbers them (oldest is 1)
            for i, u in enumerate(vm["updates"]):
                entries.append((u["at"], f"{vm['title']}: update", url, u["text"], f"{url}#update-{count - i}"))
            if vm["is_closed"] and vm["closed_at"]:
                outcome = vm["outcome"] or CLOSED_TEXT
                entries.append((vm["closed_at"], f"{vm['title']}: outcome", url, outcome, f"{url}#outcome"))
        for at, title, url, text, uid in sorted(entries, key=lambda e: e[0], reverse=True)[:100]:
            feed.add_item(title=title, link=url, description=_html(text), unique_id=uid, pubdate=at, updateddate=at)
        return feed.writeString("utf-8").encode()


# --- the case review figures' tables and files ----------------------------------------------------


def _counts(counts: Counts) -> list[int]:
    return [getattr(counts, key) for key, _label in COUNTS]


def _total(area: AreaFigures) -> Counts:
    total = Counts()
    for counts in area.years.values():
        total.add(counts)
    return total


def _area_tables(area: AreaFigures) -> list[dict[str, Any]]:
    yearly = [{"name": str(y), "counts": _counts(c)} for y, c in sorted(area.years.items())]
    quarterly = [{"name": f"{y} Q{q}", "counts": _counts(c)} for (y, q), c in sorted(area.quarters.items())]
    return [{"caption": "Each year", "first": "Year", "rows": yearly},
            {"caption": "Each quarter", "first": "Quarter", "rows": quarterly}]  # fmt: skip


def _figures_csv(areas: list[AreaFigures]) -> str:
    """One row per area and year ("Quarter": "All year") and per area and quarter with any application."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["CSP area", "Year", "Quarter", *(label for _key, label in COUNTS)])
    for area in areas:
        for year, counts in sorted(area.years.items()):
            writer.writerow([area.name, year, "All year", *_counts(counts)])
            for (y, q), quarter in sorted(area.quarters.items()):
                if y == year:
                    writer.writerow([area.name, year, f"Q{q}", *_counts(quarter)])
    return out.getvalue()


def _area_json(area: AreaFigures) -> dict[str, Any]:
    years = []
    for year, counts in sorted(area.years.items()):
        quarters = [{"quarter": q, **c.as_dict()} for (y, q), c in sorted(area.quarters.items()) if y == year]
        years.append({"year": year, **counts.as_dict(), "quarters": quarters})
    return {"area": area.name, "years": years}
