"""Where a resident's report belongs: a postcode or a point to a neighbourhood, for anyone (no sign-in).

A postcode is looked up in the postcodes the public site's finder knows (``Postcode``, loaded with
``load_postcodes``); failing that, in a small table of postcodes and their points (``POSTCODE_POINTS``,
enough for the demo and the tests: no call to an outside service is made). A point is placed in the
neighbourhood whose boundary contains it, else the one whose centre is nearest within 5 km, among all
the neighbourhoods that have a public page (the same rule as logging a problem from a phone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ..models import Neighbourhood, Postcode
from ..problems.selectors import distance_metres, geometry_contains
from ..publishing import public_neighbourhoods

POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")

#: Postcodes with a point, where the finder's table has none (the demo's wards; see docs/public-site.md).
POSTCODE_POINTS: dict[str, tuple[float, float]] = {
    "CT1 2EH": (51.2842, 1.0876),  # Northgate, Canterbury
    "CT1 2BX": (51.2801, 1.0752),  # Westgate, Canterbury
    "CT1 3RU": (51.2702, 1.0703),  # Wincheap
    "CT6 5JS": (51.3702, 1.1301),  # Herne Bay
    "CT5 1AB": (51.3612, 1.0252),  # Whitstable
    "CT16 1DL": (51.1262, 1.3131),  # Dover
    "CT14 6EW": (51.2231, 1.3989),  # Deal
    "ME14 1XX": (51.2721, 0.5221),  # Maidstone
    "CT9 2AA": (51.3891, 1.3921),  # Margate
    "CT11 8AA": (51.3331, 1.4191),  # Ramsgate
}


@dataclass(frozen=True)
class Found:
    neighbourhood: Neighbourhood
    latitude: Decimal | None
    longitude: Decimal | None


def normalise_postcode(raw: str) -> str | None:
    """``"ct1 2eh"`` → ``"CT1 2EH"``; None when it is not shaped like a postcode."""
    match = POSTCODE.match((raw or "").strip().upper())
    return f"{match[1]} {match[2]}" if match else None


def _decimal(value: float) -> Decimal:
    return Decimal(str(round(value, 6)))


def neighbourhood_at_point(*, latitude: float, longitude: float) -> Neighbourhood | None:
    """The public neighbourhood containing the point, else the nearest centre within 5 km."""
    places = list(public_neighbourhoods())
    for place in places:
        if place.boundary and geometry_contains(place.boundary, latitude=latitude, longitude=longitude):
            return place
    centred = [
        (distance_metres(latitude, longitude, float(p.latitude), float(p.longitude)), p)
        for p in places
        if p.latitude is not None and p.longitude is not None and not p.boundary
    ]
    nearest = min(centred, key=lambda pair: pair[0], default=None)
    return nearest[1] if nearest and nearest[0] <= 5000 else None


def place_for_point(*, latitude: float, longitude: float) -> Found | None:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    found = neighbourhood_at_point(latitude=latitude, longitude=longitude)
    return Found(found, _decimal(latitude), _decimal(longitude)) if found else None


def place_for_postcode(raw: str) -> Found | None:
    """The neighbourhood of a postcode (and its point, where the table knows it); None if unknown."""
    postcode = normalise_postcode(raw)
    if postcode is None:
        return None
    point = POSTCODE_POINTS.get(postcode)
    known = Postcode.objects.select_related("neighbourhood").filter(postcode=postcode).first()
    if known is not None:
        lat, lon = point or (None, None)
        return Found(known.neighbourhood, _decimal(lat) if lat else None, _decimal(lon) if lon else None)
    if point is not None:
        return place_for_point(latitude=point[0], longitude=point[1])
    return None
