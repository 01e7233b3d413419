"""The data.police.uk mirror under ``api/``: the national API's paths, keys and types, as static files.

A client of https://data.police.uk/api/ pointed at ``<public site>/api/`` works unchanged:
``forces``, ``forces/<force>``, ``<force>/neighbourhoods``, ``<force>/<neighbourhood>``, and the
neighbourhood's ``people``, ``priorities``, ``events`` and ``boundary`` (where one is loaded). Files
have no extension, as the national paths have none; a path that is also a folder (``forces``,
``forces/<force>``, ``<force>/<neighbourhood>``) is that folder's ``index`` file, which the web
server serves for the path (``docs/deploy.md``: ``try_files $uri $uri/index``, everything as JSON).

Identifiers: a force is its slug (``kent``, as the national API's ``id``); a neighbourhood is
``<district slug>.<neighbourhood slug>``, unique within its force (slugs are unique only within a
district, and never hold a dot) and stable while the place keeps its slugs. Like the national API,
coordinates are strings, dates local ISO 8601 without an offset, and ``population`` is ``"0"``.

Built from ``SiteData`` only (public priorities, public meeting fields, the published team), so it
holds nothing the pages do not.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.html import linebreaks

from jps import publishing
from jps.models import Force, Neighbourhood

from .viewmodels import SiteData

API = "api/"
#: The non-emergency number, the national API's ``telephone`` for every force we publish.
TELEPHONE = "101"


def force_id(force: Force) -> str:
    return force.slug


def neighbourhood_id(n: Neighbourhood) -> str:
    """``<district slug>.<neighbourhood slug>``: a slug never holds a dot, so two places never share one."""
    return publishing.police_uk_ids(n)[1]


def nbhd_api_dir(n: Neighbourhood) -> str:
    return f"{API}{force_id(n.district.force)}/{neighbourhood_id(n)}/"


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def boundary_points(geometry: dict[str, Any] | None) -> list[dict[str, str]]:
    """A GeoJSON Polygon or MultiPolygon as data.police.uk's boundary: the outer ring, as latitude/longitude strings.

    The national format is one ring; of a MultiPolygon the ring with the most points (the main
    part of the ward) is given. GeoJSON positions are ``[longitude, latitude]``.
    """
    if not geometry:
        return []
    if geometry.get("type") == "Feature":
        geometry = geometry.get("geometry") or {}
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    rings = [polygon[0] for polygon in polygons if polygon]
    if not rings:
        return []
    ring = max(rings, key=len)
    return [{"latitude": str(point[1]), "longitude": str(point[0])} for point in ring]


class PoliceUkMirror:
    """Renders the mirror's files (``{path: JSON text}``) from one export's ``SiteData``."""

    def __init__(self, data: SiteData) -> None:
        self.data = data

    def forces(self) -> dict[str, str | bytes]:
        """``forces``, each ``forces/<force>`` (and its senior officers: none published), ``<force>/neighbourhoods``.

        Rendered by the full export: forces and the list of places change only when places are renamed.
        """
        by_force: dict[int, list[Neighbourhood]] = {}
        forces: dict[int, Force] = {}
        for n in self.data.neighbourhoods:
            forces[n.district.force_id] = n.district.force
            by_force.setdefault(n.district.force_id, []).append(n)
        ordered = sorted(forces.values(), key=lambda f: f.name)
        files: dict[str, str | bytes] = {
            f"{API}forces/index": _json([{"id": force_id(f), "name": f.name} for f in ordered])
        }
        for force in ordered:
            files[f"{API}forces/{force_id(force)}/index"] = _json(self.force_detail(force))
            files[f"{API}forces/{force_id(force)}/people"] = _json([])
            places = sorted(by_force[force.pk], key=lambda n: (n.display_name, neighbourhood_id(n)))
            files[f"{API}{force_id(force)}/neighbourhoods"] = _json(
                [{"id": neighbourhood_id(n), "name": n.display_name} for n in places]
            )
        return files

    def force_detail(self, force: Force) -> dict[str, Any]:
        home = self.data.site_url
        return {
            "id": force_id(force),
            "name": force.name,
            "description": None,
            "url": home,
            "telephone": TELEPHONE,
            "engagement_methods": [
                {
                    "type": "website",
                    "title": "Neighbourhood priorities",
                    "description": "What residents told us, and what we and our partners are doing about it.",
                    "url": home,
                }
            ],
        }

    def neighbourhood(self, n: Neighbourhood, priorities: list[dict[str, str | None]]) -> dict[str, str | bytes]:
        """The neighbourhood's detail (``index``), ``people``, ``priorities``, ``events`` and ``boundary``."""
        base = nbhd_api_dir(n)
        email = {"email": n.team_email} if n.team_email else {}
        events = [{**event, "contact_details": dict(email)} for event in self.data.meetings[n.pk]["events"]]
        people = [
            {"name": o.name, "rank": o.rank, "bio": "", "contact_details": dict(email)}
            for o in self.data.team.get(n.pk, [])
        ]
        files: dict[str, str | bytes] = {
            base + "index": _json(self.neighbourhood_detail(n, email)),
            base + "people": _json(people),
            base + "priorities": _json(priorities),
            base + "events": _json(events),
        }
        points = boundary_points(n.boundary)
        if points:
            files[base + "boundary"] = _json(points)
        return files

    def neighbourhood_detail(self, n: Neighbourhood, email: dict[str, str]) -> dict[str, Any]:
        page = self.data.site_url + self.data.nbhd_dir(n)
        centre = (
            {"latitude": str(n.latitude), "longitude": str(n.longitude)}
            if n.latitude is not None and n.longitude is not None
            else None
        )
        return {
            "id": neighbourhood_id(n),
            "name": n.display_name,
            "description": None,
            "population": "0",
            "url_force": page,
            "contact_details": {**email, "web": page, "rss": page + "feed.atom"},
            "links": [
                {"title": "Atom feed of updates", "description": None, "url": page + "feed.atom"},
                {"title": "Meetings calendar", "description": None, "url": page + "meetings.ics"},
            ],
            "centre": centre,
            "locations": self.locations(n),
        }

    @staticmethod
    def locations(n: Neighbourhood) -> list[dict[str, Any]]:
        """Where to find the team (``Neighbourhood.team_base``), as one location described in HTML.

        The national shape's locations are places with an address and a position; ours is the team's
        own words (a station, surgeries, opening hours), so only ``name`` and ``description`` are set.
        """
        if not n.team_base.strip():
            return []
        keys = ("address", "postcode", "latitude", "longitude", "telephone", "type")
        return [{"name": "Where to find us", "description": linebreaks(n.team_base.strip(), autoescape=True),
                 **dict.fromkeys(keys)}]  # fmt: skip
