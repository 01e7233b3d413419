"""Glue between DRF and the rules in ``jps.rules``; no rule is decided here.

Objects are always fetched through ``jps.selectors`` first, so a user who may not
see a problem gets 404 before any permission is asked; a refusal from
``user.has_perm`` (or from a service) on a visible object is then a 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from rest_framework import exceptions, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from jps.limits import sign_in_wait
from jps.net import client_ip
from jps.security import object_label, refused
from jps.services import FinalContactRequired, TransitionRefused


def require_perm(user: Any, perm: str, obj: Any = None) -> None:
    """Answer 403 unless ``user.has_perm(perm, obj)``; the object is known to be visible. Refusals are logged."""
    if not user.has_perm(perm, obj):
        refused("permission refused", user=user, object=object_label(obj), permission=perm)
        raise exceptions.PermissionDenied(f"You do not have permission to do this ({perm.split('.')[-1]}).")


def _validation_detail(error: DjangoValidationError) -> dict[str, Any]:
    if hasattr(error, "error_dict"):
        detail = {}
        for field, messages in error.message_dict.items():
            detail["non_field_errors" if field == "__all__" else field] = list(messages)
        return detail
    return {"non_field_errors": list(error.messages)}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus the domain's exceptions as clear JSON answers.

    ``ValidationError`` from a service → 400 naming the field; ``PermissionDenied`` →
    403 (the object was already found visible, else the view answered 404);
    ``TransitionRefused`` → 409 with what is missing; a closure refused for want of a final contact
    with a victim (``FinalContactRequired``) → 400, naming each victim in ``victims``: the caller can
    put it right, by logging the contact or recording the reason there can be none.
    """
    if isinstance(exc, FinalContactRequired):
        body = {"detail": exc.message, "missing": exc.missing, "victims": exc.victims, "conflict": False}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, TransitionRefused):
        body = {"detail": exc.message, "missing": exc.missing, "conflict": exc.conflict}
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        return Response(_validation_detail(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, ProtectedError):
        return Response({"detail": "This record is in use and cannot be removed."}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)


class _SettingsRateThrottle(ScopedRateThrottle):
    """A scoped throttle that reads its rate on every request.

    DRF binds ``THROTTLE_RATES`` when the class is defined; reading ``api_settings``
    when asked follows ``override_settings`` (tests) and the environment (settings).
    A scope without a rate is not throttled.
    """

    scope_name = ""
    unsafe_only = False

    def get_ident(self, request: Any) -> str:
        """The client's address as ``jps.net.client_ip`` decides: a forged X-Forwarded-For is not a new client."""
        return client_ip(request)

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.unsafe_only and request.method in SAFE_METHODS:
            return True
        self.scope = self.scope_name
        self.rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        if not self.rate:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return SimpleRateThrottle.allow_request(self, request, view)


class AuthThrottle(_SettingsRateThrottle):
    """Token requests, per client address: slows password guessing.

    Also refuses an address past its failed sign-ins (``JPS_SIGN_IN_FAILURES_PER_ADDRESS``,
    counted across usernames and shared with the web sign-in), so spraying one password
    over many usernames stops; the answer is 429 with Retry-After.
    """

    scope_name = "auth"
    _sign_in_wait = 0

    def allow_request(self, request: Any, view: Any) -> bool:
        if not super().allow_request(request, view):
            return False
        self._sign_in_wait = sign_in_wait(request)
        return not self._sign_in_wait

    def wait(self) -> float | None:
        return self._sign_in_wait or super().wait()


class WriteThrottle(_SettingsRateThrottle):
    """Writes (POST, PUT, PATCH, DELETE) per user; reads are not throttled."""

    scope_name = "writes"
    unsafe_only = True
