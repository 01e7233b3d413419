"""Content Security Policy violation reports: the browser posts them here (the policy's report-uri).

A report means a page tried something the policy refuses, an inline script or a script from
elsewhere: a bug of ours, or an injection attempt. Each is logged on ``jps.security`` with the
paths only (query strings can hold search terms or names), a few per address per minute so a
flood cannot fill the logs; the browser gets 204 whatever happens.
"""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlsplit

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

security_log = logging.getLogger("jps.security")
MAX_BYTES = 16_384
FIELDS = ("violated-directive", "effective-directive", "disposition", "status-code", "line-number")


def _path(url: object) -> str:
    """A URL without its query or fragment; keywords such as 'inline' or 'eval' as they are."""
    text = str(url or "")[:500]
    parts = urlsplit(text)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else parts.path or text.split("?")[0]


def _allowed(address: str) -> bool:
    key = f"jps:csp-report:{address}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=60)
    try:
        return cache.incr(key) <= settings.JPS_CSP_REPORTS_PER_MINUTE
    except ValueError:  # expired between add and incr
        return True


@csrf_exempt  # the browser sends reports without a token; the view changes nothing
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    if len(request.body) > MAX_BYTES or not _allowed(get_client_ip_address(request) or "-"):
        return HttpResponse(status=204)
    try:
        report = json.loads(request.body).get("csp-report", {})
    except (ValueError, AttributeError):
        return HttpResponse(status=204)
    if isinstance(report, dict):
        extra = {key.replace("-", "_"): str(report.get(key, ""))[:100] for key in FIELDS}
        extra.update(
            document=_path(report.get("document-uri")),
            blocked=_path(report.get("blocked-uri")),
            source=_path(report.get("source-file")),
        )
        security_log.warning("content security policy violation", extra=extra)
    return HttpResponse(status=204)
