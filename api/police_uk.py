"""``/api/locate-neighbourhood?q=<lat>,<lng>``: data.police.uk's neighbourhood lookup, answered by the web application.

The rest of the data.police.uk mirror is static files in the public site (``publicsite.police_uk``);
this one call needs the boundaries, so the public site's web server passes it here
(docs/deploy.md). Public, with no session or token, and limited per address
(``JPS_LOCATE_PER_ADDRESS``). Answers as the national API does: ``{"force": ..., "neighbourhood": ...}``,
404 where no neighbourhood is found, 400 for a malformed ``q``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from jps import publishing
from jps.limits import limit_hit
from jps.net import client_ip


def _point(q: str) -> tuple[float, float] | None:
    try:
        latitude, longitude = (float(part) for part in q.split(","))
    except ValueError:
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude


@require_GET
def locate_neighbourhood(request: HttpRequest) -> JsonResponse:
    wait = limit_hit("locate", client_ip(request), settings.JPS_LOCATE_PER_ADDRESS)
    if wait:
        response = JsonResponse({"detail": f"Too many requests. Expected available in {wait} seconds."}, status=429)
        response["Retry-After"] = str(wait)
        return response
    point = _point(request.GET.get("q", ""))
    if point is None:
        return JsonResponse({"detail": "Give q as latitude,longitude in decimal degrees."}, status=400)
    place = publishing.public_neighbourhood_at(latitude=point[0], longitude=point[1])
    if place is None:
        return JsonResponse({"detail": "No neighbourhood found at that point."}, status=404)
    force, neighbourhood = publishing.police_uk_ids(place)
    return JsonResponse({"force": force, "neighbourhood": neighbourhood})
