"""Which addresses may receive deliveries: the guard against server-side request forgery.

An endpoint's URL is chosen by a partner, and the worker that POSTs to it sits inside our network,
so a URL naming a private, loopback or link-local address (the cloud's metadata service at
169.254.169.254, the database, Redis) would let a partner reach what nobody outside may. Such an
address is refused when the endpoint is registered, and again before every send, after the name is
resolved afresh (a name that pointed outside when registered may point inside later). Redirects are
never followed (``jps.webhooks.signing``), so a public address cannot bounce a delivery inward.

``WEBHOOK_ALLOW_HTTP`` (default: ``DEBUG``) allows plain http; ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES``
(default off) allows private and loopback addresses: the test suite's receiver listens on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


def allow_http() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_HTTP", settings.DEBUG))


def allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False))


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (a literal address resolves to itself)."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]).split("%", 1)[0] for info in infos})


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def url_refusal(url: str) -> str:
    """Why ``url`` may not receive deliveries, in words for the partner; empty when it may."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return "Enter a valid URL."
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "Enter a full https:// address."
    if parts.scheme == "http" and not allow_http():
        return "Use an https:// address: deliveries are only sent encrypted."
    if parts.username or parts.password:
        return "Leave user names and passwords out of the address: deliveries are signed instead."
    if allow_private():
        return ""
    try:
        addresses = resolve(parts.hostname, port)
    except (OSError, UnicodeError):
        return f"{parts.hostname} cannot be found: check the address."
    private = [a for a in addresses if not is_public(a)]
    if private or not addresses:
        return (
            f"{parts.hostname} is a private, loopback or reserved address ({', '.join(private)}): "
            "deliveries go to public addresses only."
        )
    return ""
