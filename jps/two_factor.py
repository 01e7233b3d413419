"""Two-factor authentication (TOTP, with django-otp): enrolment, verification, reset, enforcement.

Who needs it is one rule, ``User.two_factor_required`` (administrators, and everyone in an
agency that requires it). ``TwoFactorMiddleware`` holds such a person, once signed in with a
password, to the enrolment and verification pages until a code has been entered in this
session; the API's token endpoint asks for a code too (``two_factor_check_for_token``).

Codes are checked by django-otp's devices, whose throttling backs off exponentially after
each wrong code (1, 2, 4, 8... seconds); every refusal, enrolment, use of a recovery code and
reset is logged on ``jps.security``, and the TOTP device has simple-history (without its key).
"""

from __future__ import annotations

import logging
from base64 import b32encode
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User
from .security import attribute_change

security_log = logging.getLogger("jps.security")

#: How many single-use recovery codes a person gets at enrolment.
RECOVERY_CODES = 8
DEVICE_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


class CodeRefused(Exception):
    """A code that was wrong, expired, missing or tried too soon after wrong ones."""

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


# --- reads -----------------------------------------------------------------------------------


def totp_device_for(user: User) -> TOTPDevice | None:
    """The person's confirmed authenticator (there is at most one: enrolment replaces others)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def secret_for_display(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _normalise(code: str) -> str:
    return "".join(str(code or "").split()).replace("-", "").lower()


# --- writes ----------------------------------------------------------------------------------


def two_factor_enrolment_start(*, user: User) -> TOTPDevice:
    """An unconfirmed device to enrol; reused while unconfirmed, so the QR code survives a reload."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice(user=user, name=DEVICE_NAME, confirmed=False)
        attribute_change(device, by=user, reason="enrolment started")
        device.full_clean()
        device.save()
    return device


def two_factor_enrolment_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm ``device`` with a code it generated; return fresh single-use recovery codes.

    Any other device of the person's is removed, so each person has one authenticator and
    one set of recovery codes. The recovery codes are returned once and never shown again.
    """
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied("This is not your device to confirm.")
    _check(user=user, device=device, code=code, purpose="enrolment")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        device.confirmed = True
        attribute_change(device, by=user, reason="enrolled")
        device.save()
        for other in TOTPDevice.objects.filter(user=user).exclude(pk=device.pk):
            attribute_change(other, by=user, reason="replaced at enrolment")
            other.delete()
        codes = _recovery_codes_replace(user)
    security_log.info("two-factor enrolled", extra={"user": user.username, "device": device.persistent_id})
    return codes


def _recovery_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def two_factor_verify(*, user: User, code: str) -> Device:
    """The device that accepts ``code`` (a 6-digit code, or a recovery code, used up); else refused."""
    code = _normalise(code)
    if not code:
        raise CodeRefused("Enter the 6-digit code from your authenticator app.")
    totp = totp_device_for(user)
    if code.isdigit() and len(code) == (totp.digits if totp else 6):
        if totp is None:
            raise CodeRefused("Set up two-factor authentication first.")
        return _check(user=user, device=totp, code=code, purpose="sign-in")
    device: Device | None = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        _refused(user, "recovery code", "no recovery codes")
        raise CodeRefused("That recovery code is not right. Enter the 6-digit code from your authenticator app.")
    verified = _check(user=user, device=device, code=code, purpose="recovery code")
    left = StaticToken.objects.filter(device__user=user).count()
    security_log.warning("two-factor recovery code used", extra={"user": user.username, "codes_left": left})
    return verified


def two_factor_check_for_token(*, user: User, code: str | None) -> None:
    """Refuse an API token to a person who needs two-factor without a right code."""
    if not user.two_factor_required:
        return
    if not code:
        _refused(user, "api token", "no code")
        raise CodeRefused(
            'This account uses two-factor authentication: send the 6-digit code from your authenticator app as "otp".'
        )
    if not has_confirmed_device(user):
        _refused(user, "api token", "not enrolled")
        raise CodeRefused(
            "This account must set up two-factor authentication: sign in on the web first, then ask for a token."
        )
    two_factor_verify(user=user, code=code)


def two_factor_reset(*, user: User, by: User) -> int:
    """Remove every device of ``user`` (a lost phone): they enrol again at their next sign-in.

    Only superusers may, since it weakens someone else's sign-in; audited on ``jps.security``
    and in the device's history (who deleted it, and why).
    """
    if not by.is_superuser:
        security_log.warning(
            "permission refused", extra={"user": by.username, "permission": "two_factor_reset", "object": user.username}
        )
        raise PermissionDenied("Only a superuser may reset someone's two-factor authentication.")
    with transaction.atomic():
        devices = list(TOTPDevice.objects.filter(user=user))
        for device in devices:
            attribute_change(device, by=by, reason="reset by an administrator")
            device.delete()
        StaticDevice.objects.filter(user=user).delete()
    security_log.warning("two-factor reset", extra={"user": user.username, "by": by.username, "devices": len(devices)})
    return len(devices)


def _check(*, user: User, device: Device, code: str, purpose: str) -> Device:
    """Verify with django-otp (a row lock and its throttle), refusing clearly and logging refusals."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        locked_until = (info or {}).get("locked_until")
        wait = max(1, int((locked_until - timezone.now()).total_seconds()) + 1) if locked_until else 60
        _refused(user, purpose, "too many wrong codes", failures=(info or {}).get("failure_count"))
        raise CodeRefused(
            f"Too many wrong codes. Wait {wait} second{'s' if wait != 1 else ''}, then try again.", retry_after=wait
        )
    verified = django_otp.verify_token(user, device.persistent_id, _normalise(code))
    if verified is None:
        device.refresh_from_db(fields=["throttling_failure_count"])
        _refused(user, purpose, "wrong code", failures=getattr(device, "throttling_failure_count", None))
        raise CodeRefused("That code is wrong or has expired. Enter the code your authenticator app shows now.")
    return verified


def _refused(user: User, purpose: str, why: str, failures: int | None = None) -> None:
    security_log.warning(
        "two-factor code refused",
        extra={"user": user.username, "purpose": purpose, "reason": why, "failures": failures},
    )


def sign_in_second_factor(request: HttpRequest, device: Device) -> None:
    """Mark this session as verified by ``device``, with a new session key (no fixation)."""
    request.session.cycle_key()
    django_otp.login(request, device)


# --- enforcement -----------------------------------------------------------------------------

API_REFUSAL = (
    "Two-factor authentication is required for this account: sign in on the web and enter your code, "
    "or use an API token (POST /api/auth/token/ with username, password and otp)."
)


class TwoFactorMiddleware:
    """After sign-in, someone who needs two-factor and has not entered a code reaches only
    the enrolment or verification page, sign-out, static files and the health check.

    Pages redirect there (htmx requests are told to), API calls authenticated by the session
    get a 403 with a reason; API calls with a token pass, since tokens are only issued with a
    code. Must come after ``django_otp.middleware.OTPMiddleware``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        if user.is_authenticated and not _is_verified(user) and user.two_factor_required:
            request.two_factor_pending = True  # type: ignore[attr-defined]
            if not _open_to_pending(request):
                return _hold(request, user)
        return self.get_response(request)


def _is_verified(user: Any) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def _open_to_pending(request: HttpRequest) -> bool:
    path = request.path_info
    if path.startswith(settings.STATIC_URL) or path == "/healthz":
        return True
    if path.startswith("/api/") and request.headers.get("Authorization", "").startswith("Token "):
        return True  # DRF authenticates the token, not the session
    names = ("two_factor_verify", "two_factor_enrol", "logout", "admin:logout", "api-token", "csp_report")
    return path in {reverse(name) for name in names}


def _hold(request: HttpRequest, user: User) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": API_REFUSAL}, status=403)
    target = reverse("two_factor_verify" if has_confirmed_device(user) else "two_factor_enrol")
    if request.method == "GET":
        target += "?" + urlencode({"next": request.get_full_path()})
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)
