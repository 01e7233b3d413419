"""Who is asking: the client's address and the request id, trusting forwarding headers only from our proxies.

A header such as ``X-Forwarded-For`` is whatever the client wrote unless a proxy we run
rewrote it. ``TRUSTED_PROXY_COUNT`` says how many proxies of ours stand in front of the
application (0: none, the peer's address is the client's). Each proxy appends the address
it received the request from, so with N proxies the N-th address from the right was
written by our outermost proxy: that is the client. Anything to its left was sent by the
client and is ignored. The DRF throttles, django-axes, the sign-in and public-form limits
and the request logs all ask ``client_ip``, so they all agree on who is asking.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from django.conf import settings

#: A request id from a trusted proxy: letters, digits and hyphens (a UUID, nginx's $request_id), 8-64 long.
REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{7,63}\Z")


def trusted_proxy_count() -> int:
    return max(int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0), 0)


_WITH_PORT = re.compile(r"^\[(?P<v6>[0-9A-Fa-f:.]+)\](?::\d+)?$|^(?P<v4>\d{1,3}(?:\.\d{1,3}){3}):\d+$")


def _valid_ip(value: str) -> str:
    """The address in normal form, or "" if it is none; ``1.2.3.4:5678`` and ``[::1]:443`` lose their port."""
    value = value.strip()
    if match := _WITH_PORT.match(value):
        value = match["v6"] or match["v4"]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


def client_ip(request: Any) -> str:
    """The client's address: ``REMOTE_ADDR``, or with trusted proxies the right-most address they did not add.

    A header with fewer addresses than there are proxies (the request did not come through
    them all) or an entry that is not an address falls back to the peer's own address.
    Works for Django's and DRF's requests (and axes' calls with either).
    """
    meta = request.META
    remote = _valid_ip(meta.get("REMOTE_ADDR", "")) or "0.0.0.0"  # noqa: S104  # nosec B104 - a placeholder key, not a bind
    proxies = trusted_proxy_count()
    if not proxies:
        return remote
    hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    return _valid_ip(hops[-proxies]) or remote


def incoming_request_id(request: Any) -> str:
    """The ``X-Request-ID`` our load balancer set, or "" when there is no trusted proxy or it is malformed."""
    if not trusted_proxy_count():
        return ""
    value = request.headers.get("X-Request-ID", "")
    return value if REQUEST_ID.match(value) else ""
