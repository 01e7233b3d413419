"""Per-address and per-recipient limits: fixed-window counters in the shared cache.

Used where one client could make the application do costly or harmful work for free:
sign-in attempts (password guessing and spraying across usernames), password-reset
requests, and every public form that sends an email (alert subscriptions today). A rate
reads as in DRF, ``"5/hour"``; several windows join with commas, ``"1/10minutes,3/day"``,
and all of them must allow. Counters live in the cache (Redis with ``CACHE_URL``, so every
web process shares them); keys hold a hash of the address or email, never the value.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

from .net import client_ip

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])[a-z]*\s*$")


@dataclass(frozen=True)
class Window:
    limit: int
    seconds: int


def parse_rate(rate: str) -> list[Window]:
    """``"1/10minutes,3/day"`` → two windows; an empty rate means no limit. A bad rate is a configuration error."""
    windows = []
    for part in (rate or "").split(","):
        if not part.strip():
            continue
        match = _RATE.match(part.lower())
        if not match:
            raise ValueError(f"Bad rate {part!r}: write it as '5/hour' or '1/10minutes,3/day'.")
        windows.append(Window(int(match[1]), int(match[2] or 1) * _UNITS[match[3]]))
    return windows


def _key(scope: str, ident: str, window: Window, now: float) -> str:
    digest = hashlib.sha256(ident.strip().lower().encode()).hexdigest()[:32]
    return f"jps:limit:{scope}:{window.seconds}:{digest}:{int(now // window.seconds)}"


def _wait(window: Window, now: float) -> int:
    return max(int(window.seconds - now % window.seconds), 1)


def limit_hit(scope: str, ident: str, rate: str) -> int:
    """Count one attempt; 0 if every window of ``rate`` still allows it, else the seconds to wait."""
    now, wait = time.time(), 0
    for window in parse_rate(rate):
        key = _key(scope, ident, window, now)
        cache.add(key, 0, timeout=window.seconds + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # the window ended between add and incr
            count = 1
            cache.set(key, count, timeout=window.seconds + 1)
        if count > window.limit:
            wait = max(wait, _wait(window, now))
    return wait


def limit_reached(scope: str, ident: str, rate: str) -> int:
    """Like ``limit_hit`` without counting: the seconds to wait if some window is already full, else 0."""
    now = time.time()
    waits = [
        _wait(window, now)
        for window in parse_rate(rate)
        if (cache.get(_key(scope, ident, window, now)) or 0) >= window.limit
    ]
    return max(waits, default=0)


# --- sign-in: failures per address, whatever the usernames ------------------------------------

SIGN_IN_FAILURES = "sign-in-failures"


def sign_in_wait(request: Any) -> int:
    """Seconds before this address may try a password again (0: it may now).

    django-axes locks a username tried from one address; this stops one address trying one
    password against many usernames (spraying). Web sign-in, the admin's and the API token
    share the counter.
    """
    if request is None:
        return 0
    return limit_reached(SIGN_IN_FAILURES, client_ip(request), settings.JPS_SIGN_IN_FAILURES_PER_ADDRESS)


@receiver(user_login_failed, dispatch_uid="jps.limits.count_sign_in_failure")
def count_sign_in_failure(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    if request is not None:
        limit_hit(SIGN_IN_FAILURES, client_ip(request), settings.JPS_SIGN_IN_FAILURES_PER_ADDRESS)


class SignInLimitBackend:
    """First authentication backend: refuses every sign-in from an address over its failure limit.

    The password is then not even checked, so a spraying client learns nothing, on any
    sign-in form (the web's, the admin's, the API token). The views answer 429 before
    reaching here; this is the backstop.
    """

    def authenticate(self, request: Any, **credentials: Any) -> None:
        if sign_in_wait(request):
            raise PermissionDenied("Too many failed sign-ins from this address.")
        return None  # no ``get_user``: it signs no one in, so no session names it (and force_login skips it)


# --- forms that send email: per address and per recipient -------------------------------------


def _address_and_recipient(
    *, scope: str, request: Any, recipient: str, per_address: str, per_recipient: str
) -> tuple[int, bool]:
    wait = limit_hit(f"{scope}-address", client_ip(request), per_address)
    if wait:
        return wait, False
    return 0, not limit_hit(f"{scope}-recipient", recipient, per_recipient)


def public_email_allowed(*, request: Any, recipient: str) -> tuple[int, bool]:
    """Count one email a public form wants to send: (seconds this address must wait, may the email go).

    Per address (``JPS_PUBLIC_EMAILS_PER_ADDRESS``: one client cannot make us mail many people)
    and per recipient (``JPS_PUBLIC_EMAILS_PER_RECIPIENT``: many clients cannot flood one
    inbox), shared by every public form that sends email. When the address is over, the
    form says so (429) and sends nothing; when only the recipient is, the form answers as
    usual and sends nothing, so it tells no one whether that inbox was written to lately.
    """
    return _address_and_recipient(
        scope="public-email",
        request=request,
        recipient=recipient,
        per_address=settings.JPS_PUBLIC_EMAILS_PER_ADDRESS,
        per_recipient=settings.JPS_PUBLIC_EMAILS_PER_RECIPIENT,
    )


def password_reset_allowed(*, request: Any, email: str) -> tuple[int, bool]:
    """The same for password-reset requests: ``JPS_PASSWORD_RESETS_PER_ADDRESS`` and ``..._PER_EMAIL``.

    The per-email count is kept whether or not an account has that address, so the
    answer never depends on it.
    """
    return _address_and_recipient(
        scope="password-reset",
        request=request,
        recipient=email,
        per_address=settings.JPS_PASSWORD_RESETS_PER_ADDRESS,
        per_recipient=settings.JPS_PASSWORD_RESETS_PER_EMAIL,
    )
