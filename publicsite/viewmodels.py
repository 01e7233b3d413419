"""What one export renders from: the public data loaded once, the site's paths, and the pages' view models.

All content comes from ``jps.publishing``, the one place that decides what is public
(``PublicPriority`` and friends); this module only arranges it by place and turns it into
the dictionaries the templates are given. Nothing here writes a file.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.conf import settings

from jps import links, meetings, publishing
from jps.models import District, Force, Neighbourhood
from jps.publishing import PublicPriority


def site_languages() -> list[str]:
    return ["en"] + (["cy"] if Force.objects.filter(welsh_enabled=True).exists() else [])


def photo_folder(reference: str) -> str:
    """The folder of a priority's published photos, beside its page: ``priorities/<force>/<reference>/``.

    In the priority's shard, so a changed priority rewrites its photos with its page, and an
    incremental export drops the folder whole before writing back the photos still published.
    """
    return priority_path(reference)[: -len(".html")] + "/"


def photo_path(reference: str, stored: str) -> str:
    """A published photo's site path: the stored copy's random name (never the uploader's file name)."""
    return photo_folder(reference) + stored.rsplit("/", 1)[-1]


def priority_path(reference: str) -> str:
    """A priority's page, ``priorities/<force code>/<reference>.html``: stable for ever (references never change).

    The force code is the reference's prefix (``KNT-2026-00042``), so pages shard by force. A file,
    not a folder with an ``index.html``: a force's priorities shard is rewritten when one of them
    changes, and a new folder per priority cost ten times a hard link (2.5 s for a change in the
    largest force at national scale, against 0.8 s for one elsewhere; docs/performance.md).
    """
    slug = reference.lower()
    return f"priorities/{slug.rsplit('-', 2)[0]}/{slug}.html"


class SiteData:
    """What one run renders from, loaded once (a handful of queries).

    A full export loads everything public. An incremental run passes ``district_ids`` (the
    districts a changed priority is in now or was in) and ``neighbourhood_ids`` (the
    neighbourhood pages it will render), so it loads only those districts' priorities and
    places and only those neighbourhoods' meetings.
    """

    def __init__(
        self,
        now: datetime.datetime,
        *,
        languages: list[str] | None = None,
        district_ids: set[int] | None = None,
        neighbourhood_ids: set[int] | None = None,
    ) -> None:
        self.now = now
        self.priorities = publishing.public_priorities(district_ids=district_ids)
        self.by_id = {p.id: p for p in self.priorities}
        self.neighbourhoods = list(publishing.public_neighbourhoods(district_ids=district_ids))
        self.nbhd = {n.pk: n for n in self.neighbourhoods}
        self.districts = {n.district_id: n.district for n in self.neighbourhoods}
        self.in_nbhd: dict[int, list[PublicPriority]] = defaultdict(list)
        self.in_district: dict[int, list[PublicPriority]] = defaultdict(list)
        for p in self.priorities:
            self.in_nbhd[p.neighbourhood_id].append(p)
            self.in_district[p.district_id].append(p)
        self.languages = languages if languages is not None else site_languages()
        self.site_url = settings.PUBLIC_SITE_URL.rstrip("/") + "/"
        self.alerts_url = links.url_for("alerts_subscribe")
        self.problem_report_url = links.url_for("resident_report_form")
        ids = list(self.nbhd) if neighbourhood_ids is None else [i for i in neighbourhood_ids if i in self.nbhd]
        self.meetings = meetings.public_meetings_by_neighbourhood(neighbourhood_ids=ids, now=now)
        self.team = publishing.public_team(neighbourhoods=[self.nbhd[i] for i in ids])

    def last_changed(self, items: list[PublicPriority]) -> datetime.datetime:
        return max((p.last_changed for p in items), default=self.now)

    @staticmethod
    def contact_url(n: Neighbourhood) -> str:
        """The web application's form to send a message to ``n``'s team (nothing sent is published)."""
        return links.url_for(
            "team_message_form", force=n.district.force.slug, district=n.district.slug, neighbourhood=n.slug
        )

    @staticmethod
    def nbhd_path(n: Neighbourhood) -> str:
        return f"neighbourhoods/{n.district.force.slug}/{n.district.slug}/{n.slug}/index.html"

    @staticmethod
    def nbhd_dir(n: Neighbourhood) -> str:
        return f"neighbourhoods/{n.district.force.slug}/{n.district.slug}/{n.slug}/"

    @staticmethod
    def district_dir(district: District) -> str:
        return f"districts/{district.force.slug}/{district.slug}/"

    @staticmethod
    def priority_path(p: PublicPriority) -> str:
        return priority_path(p.reference)

    # view models: what a template (and the feed) is given of a priority or a neighbourhood ------

    def priority_vm(self, p: PublicPriority) -> dict[str, Any]:
        """A priority as every page and the feed show it; ``*_to`` keys are site paths made relative per page.

        Each ``*_cy`` key is its neighbour's Welsh twin: the Welsh pages show it instead, where there is one.
        """
        n = self.nbhd[p.neighbourhood_id]
        return {
            "title": p.title,
            "title_cy": p.title_cy,
            "reference": p.reference,
            "category": p.category,
            "adopted_on": p.adopted_on,
            "lead_agency": p.lead_agency,
            "is_closed": p.is_closed,
            "closed_on": p.closed_on,
            "closed_at": p.closed_at,
            "outcome": p.outcome,
            "outcome_cy": p.outcome_cy,
            "latest": update_vm(p.latest_update) if p.latest_update else None,
            "updates": [update_vm(u) | _photo(p.reference, u) for u in reversed(p.updates)],
            "neighbourhood": n.display_name,
            "neighbourhood_cy": n.public_name_cy,
            "neighbourhood_to": self.nbhd_path(n),
            "district": n.district.name,
            "district_to": self.district_dir(n.district) + "index.html",
            "force": n.district.force.name,
            "force_cy": n.district.force.name_cy,
            "page_to": self.priority_path(p),
        }

    def nbhd_vm(self, n: Neighbourhood) -> dict[str, Any]:
        items = self.in_nbhd.get(n.pk, [])
        return {
            "name": n.display_name,
            "name_cy": n.public_name_cy,
            "current_count": sum(1 for p in items if not p.is_closed),
            "page_to": self.nbhd_path(n),
        }


def update_vm(u: publishing.PublicUpdate) -> dict[str, Any]:
    return {"text": u.text, "text_cy": u.text_cy, "date": u.date, "at": u.at}


def _photo(reference: str, u: publishing.PublicUpdate) -> dict[str, Any]:
    """The photo a web editor published with an update: where the export copies it, and its alt text."""
    return {"photo_to": photo_path(reference, u.photo), "photo_alt": u.photo_alt} if u.photo else {}


def localise(value: Any, lang: str) -> Any:
    """The Welsh page's view of a context: each ``x_cy`` that is written replaces ``x``.

    Where a Welsh twin is blank (an English force, or words approved before Welsh was asked
    for) the English stays, and ``x_lang`` is set to ``"en"`` so the template marks it
    ``lang="en"`` inside the Welsh page (WCAG 3.1.2, language of parts).
    """
    if lang != "cy":
        return value
    if isinstance(value, list):
        return [localise(v, lang) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: localise(v, lang) for k, v in value.items()}
    for key, welsh in value.items():
        if not (key.endswith("_cy") and isinstance(welsh, str)):
            continue
        base = key[:-3]
        if welsh.strip():
            out[base] = welsh
        elif isinstance(value.get(base), str) and value[base].strip():
            out[f"{base}_lang"] = "en"
    return out


def closed_key(p: PublicPriority) -> tuple[int, float]:
    """Past priorities, most recently closed first."""
    return (0, -(p.closed_at.timestamp() if p.closed_at else 0))
