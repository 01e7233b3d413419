"""The signature and the POST: the standard library only (ten lines do not need a new dependency).

``X-JPS-Signature: sha256=<hex>`` is the HMAC-SHA256, keyed with the endpoint's secret, of
``<X-JPS-Timestamp>.<body>``: a receiver recomputes it over the raw body and rejects a stale
timestamp, so a captured delivery cannot be replayed later (docs/api.md shows the check).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

USER_AGENT = "JPS-Webhooks/1"


def body_of(envelope: dict[str, Any]) -> bytes:
    """The JSON sent: compact and with sorted keys, so every attempt sends the same bytes."""
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is the receiver's answer (a failure), never followed: it could point inward."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


#: No proxies from the environment, no redirects: the request goes where the checked URL says.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST ``body``; the status code, or the error that stopped the request (never raises)."""
    if not url.startswith(("https://", "http://")):
        return Answer(None, "Not an http(s) address.")
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
    )
    try:
        # The scheme is checked above: bandit's B310 warns of file:// and custom schemes.
        with _OPENER.open(request, timeout=timeout) as response:  # nosec B310
            response.read(1024)
            return Answer(response.status)
    except urllib.error.HTTPError as error:
        return Answer(error.code, str(error.reason)[:300])
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return Answer(None, f"{type(error).__name__}: {reason}"[:300])
