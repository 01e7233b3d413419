"""Open311 GeoReport v2 in the domain's words: partner keys, services, public service requests, posting one.

A service is a problem category. A service request is a **public priority**, read only through
``jps.publishing`` (``public_problems`` to choose, ``public_priorities`` to build), so Open311 shows
exactly what the public site shows and nothing else: the public title, category, lead agency, the
public outcome (or the latest approved update) as ``status_notes``, the adopted date, the date the
public content last changed, and the neighbourhood's public name and centre as the address and
position. A request posted by a partner system becomes a resident report for the neighbourhood
team to triage (``resident_report_create(channel="open311")``); it is never public by itself.
The web views (``api.open311``) only parse, call these and render.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import CLOSED_STAGES, Agency, Category, Neighbourhood, Open311Key, ResidentReport
from .publishing import PublicPriority, public_priorities, public_problems
from .residents.places import Found, normalise_postcode
from .selectors import place_for_point, place_for_postcode
from .services import resident_report_create

POSTCODE_IN_TEXT = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2})\b", re.IGNORECASE)


# --- keys -------------------------------------------------------------------------------------


def key_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def open311_key_create(*, name: str, agency: Agency | None = None) -> tuple[Open311Key, str]:
    """A new key for a partner system: the row (with the key's hash only) and the key, to hand over once."""
    raw = secrets.token_urlsafe(32)
    key = Open311Key(name=name.strip(), agency=agency, key_hash=key_digest(raw))
    key.full_clean()
    key._change_reason = "Key created"  # type: ignore[attr-defined]
    key.save()
    return key, raw


def open311_key_check(raw: str) -> Open311Key | None:
    """The active key ``raw`` is, noting its use; None for a wrong, revoked or absurd one."""
    if not raw or len(raw) > 200:
        return None
    key = Open311Key.objects.filter(key_hash=key_digest(raw), active=True).first()
    if key is not None:
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


# --- services ---------------------------------------------------------------------------------


def open311_services() -> list[dict[str, Any]]:
    """Every problem category as a GeoReport service; none has attributes (``metadata`` false)."""
    return [open311_service(c) for c in Category.objects.order_by("group", "name")]


def open311_service(category: Category) -> dict[str, Any]:
    words = [category.group.lower(), *category.slug.split("-")]
    return {
        "service_code": category.slug,
        "service_name": category.name,
        "description": f"{category.group}: {category.name}" if category.group else category.name,
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys(w for w in words if w)),
        "group": category.group,
    }


# --- service requests (public priorities) -----------------------------------------------------


@dataclass(frozen=True)
class RequestQuery:
    """What a GET ``requests`` asks for; ``ids`` (references) overrides everything else, as the spec says."""

    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # "open", "closed"
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None
    limit: int = 200


def _first_day_from(moment: datetime.datetime) -> datetime.date:
    """The first adopted date whose midnight (the request's ``requested_datetime``) is at or after ``moment``."""
    local = timezone.localtime(moment)
    return local.date() if local.time() == datetime.time() else local.date() + datetime.timedelta(days=1)


def open311_requests(query: RequestQuery) -> list[PublicPriority]:
    """The public priorities asked for, newest adopted first, at most ``query.limit``."""
    qs = public_problems()
    if query.ids:
        qs = qs.filter(reference__in=query.ids)
    else:
        if query.service_codes:
            qs = qs.filter(category__slug__in=query.service_codes)
        if set(query.statuses) == {"closed"}:
            qs = qs.filter(stage__in=CLOSED_STAGES)
        elif set(query.statuses) == {"open"}:
            qs = qs.exclude(stage__in=CLOSED_STAGES)
        if query.start is not None:
            qs = qs.filter(adopted_on__gte=_first_day_from(query.start))
        if query.end is not None:
            qs = qs.filter(adopted_on__lte=timezone.localtime(query.end).date())
    ids = list(qs.order_by("-adopted_on", "-pk").values_list("pk", flat=True)[: query.limit])
    return public_priorities(ids=ids) if ids else []


def public_address(n: Neighbourhood) -> str:
    """The neighbourhood's public name, with its town only where the name does not already say it."""
    name, town = n.display_name, n.district.name
    return name if town.lower() in name.lower() else f"{name}, {town}"


def open311_request(p: PublicPriority, n: Neighbourhood) -> dict[str, Any]:
    """One GeoReport service request from a public priority; the position is the neighbourhood's centre only."""
    latest = p.latest_update
    adopted = datetime.datetime.combine(p.adopted_on, datetime.time(), tzinfo=timezone.get_current_timezone())
    return {
        "service_request_id": p.reference,
        "status": "closed" if p.is_closed else "open",
        "status_notes": p.outcome if p.is_closed else (latest.text if latest else ""),
        "service_name": p.category,
        "service_code": p.category_slug,
        "description": p.title,
        "agency_responsible": p.lead_agency,
        "service_notice": "",
        "requested_datetime": adopted.isoformat(),
        "updated_datetime": timezone.localtime(p.last_changed).isoformat(),
        "expected_datetime": None,
        "address": public_address(n),
        "address_id": "",
        "zipcode": "",
        "lat": float(n.latitude) if n.latitude is not None else None,
        "long": float(n.longitude) if n.longitude is not None else None,
        "media_url": "",
    }


def open311_request_dicts(items: list[PublicPriority]) -> list[dict[str, Any]]:
    places = Neighbourhood.objects.select_related("district").in_bulk({p.neighbourhood_id for p in items})
    return [open311_request(p, places[p.neighbourhood_id]) for p in items]


def open311_token_request_id(token: str) -> str | None:
    """The public request a posted report became, once it is one (accepted or attached, and public); else None."""
    report = ResidentReport.objects.filter(reference=token, channel=ResidentReport.Channel.OPEN311).first()
    if report is None or report.problem_id is None:
        return None
    return public_problems().filter(pk=report.problem_id).values_list("reference", flat=True).first()


# --- posting a request ------------------------------------------------------------------------


@dataclass(frozen=True)
class Posted:
    """What a partner system sent, as the form fields name it (all strings, as posted)."""

    service_code: str
    description: str = ""
    lat: str = ""
    long: str = ""
    address_string: str = ""
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    media_url: str = ""


def _point(lat: str, long: str) -> Found | None:
    try:
        latitude, longitude = Decimal(lat.strip()), Decimal(long.strip())
    except InvalidOperation:
        raise ValidationError({"lat": "Give lat and long in decimal degrees (WGS84)."}) from None
    if not (latitude.is_finite() and longitude.is_finite()):
        raise ValidationError({"lat": "Give lat and long in decimal degrees (WGS84)."})
    return place_for_point(latitude=float(latitude), longitude=float(longitude))


def _place(posted: Posted) -> Found:
    """Where it is: the point if given, else a postcode in ``address_string``; a 400 if neither is in our area."""
    if posted.lat.strip() and posted.long.strip():
        found = _point(posted.lat, posted.long)
    elif posted.address_string.strip():
        match = POSTCODE_IN_TEXT.search(posted.address_string)
        found = place_for_postcode(match[1]) if match and normalise_postcode(match[1]) else None
    else:
        raise ValidationError({"lat": "Give lat and long, or an address_string with a postcode."})
    if found is None:
        raise ValidationError({"lat": "That location is not in an area we serve."})
    return found


def _description(posted: Posted, key: Open311Key) -> str:
    """The resident's words, then (for the team only) which partner system sent it and the media link, unfetched."""
    text = posted.description.strip()
    if not text:
        raise ValidationError({"description": "Describe the problem (description)."})
    extra = [f"Sent through Open311 by {key.name}."]
    if posted.media_url.strip().lower().startswith(("https://", "http://")):
        extra.append(f"Media (not fetched by JPS): {posted.media_url.strip()[:500]}")
    return text + "\n\n" + "\n".join(extra)


@transaction.atomic
def open311_request_create(*, key: Open311Key, posted: Posted) -> ResidentReport:
    """A partner system's service request, stored as a resident report for the neighbourhood team's triage.

    Validates everything before anything is written (an unknown service or a place outside our
    area saves nothing). The email is not kept and nobody is emailed: the partner system cannot
    tell us the resident agreed to hear from us, and it follows the request through ``tokens``
    and ``requests`` itself. A phone number is not kept either (a report has no place for one),
    and ``media_url`` is recorded as text for the team, never fetched.
    """
    category = Category.objects.filter(slug=posted.service_code.strip()).first()
    if category is None:
        raise ValidationError({"service_code": "Unknown service_code: see services.json."})
    place = _place(posted)
    return resident_report_create(
        neighbourhood=place.neighbourhood,
        category=category,
        description=_description(posted, key),
        channel=ResidentReport.Channel.OPEN311,
        location=posted.address_string.strip() or "Point sent through Open311",
        latitude=place.latitude,
        longitude=place.longitude,
        reporter_name=f"{posted.first_name.strip()} {posted.last_name.strip()}".strip(),
        acknowledge=False,
    )
