"""Every error under ``/api/`` answers JSON; the staff pages answer with the service's own pages.

DRF answers JSON for what happens inside its views (400, 401, 403, 404, 405, 409, 429), and
``jps.observability.server_error`` for a 500. What happens before a view runs does not reach
DRF: a URL that matches nothing (404), a body too large (413), a malformed request Django
itself refuses (400). These handlers (``handler400/403/404`` in ``jps.urls``) and
``RequestBodyLimitMiddleware`` answer those in the same ``{"detail": ...}`` shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.views import defaults

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error(status: int, detail: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"detail": detail, **extra}, status=status)


def too_large() -> JsonResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return api_error(
        413,
        f"The request body is too large: at most {limit:,} bytes are accepted.",
        max_bytes=limit,
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django refused the request itself (a body past the limit, too many fields, a bad host...)."""
    if not is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return too_large()
    return api_error(400, "Bad request.")


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api(request):
        return defaults.permission_denied(request, exception)
    return api_error(403, "You do not have permission to do this.")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """No URL matched (or a view outside DRF raised Http404): the same answer as DRF's 404."""
    if not is_api(request):
        return defaults.page_not_found(request, exception)
    return api_error(404, "Not found.")


class RequestBodyLimitMiddleware:
    """Refuse an ``/api/`` body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` before anything reads it.

    Django checks that limit only when ``request.body`` or ``request.POST`` is read; DRF's
    parsers read the stream themselves, so without this a JSON body of any size was read
    into memory and parsed. The declared length is enough: Django never reads past it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and is_api(request):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return too_large()
        return self.get_response(request)


class OwnNotFoundPageMiddleware:
    """With ``DEBUG`` on (the demo), answer a 404 with the service's own page, never Django's technical one.

    Django's debug 404 lists every URL pattern: the demo showed it to a partner who opened a
    problem they may not see. ``handler404`` answers only when ``DEBUG`` is off, so here, in
    debug mode only, a path that matches nothing and a view's ``Http404`` both go to it. The
    middleware sits after ``CommonMiddleware``, which still redirects a path missing its slash.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.DEBUG:
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404 as exc:
                return page_not_found(request, exc)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
