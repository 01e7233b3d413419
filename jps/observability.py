"""Structured logs: one JSON object a line, each carrying the id of the request it belongs to.

The request id comes from the load balancer's ``X-Request-ID`` header when it sends a
sane one, or is made here; it is echoed in the response so a user's report can be
matched to the log lines.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        request.request_id = request_id  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """Render a record as one JSON line; extra fields given with ``extra={...}`` are kept."""

    BASE = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id"}

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in self.BASE})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 answer: no detail of the failure, but the request id to quote, and JSON under /api/.

    It must work with the database gone (the usual cause), so it renders without a
    request context: no session, no user, no query.
    """
    from django.http import HttpResponseServerError, JsonResponse
    from django.template import loader

    request_id = getattr(request, "request_id", None) or request_id_var.get()
    if request.path.startswith("/api/"):
        body = {"detail": "Sorry, there is a problem with the service. Try again later.", "request_id": request_id}
        return JsonResponse(body, status=500)
    return HttpResponseServerError(loader.render_to_string("500.html", {"request_id": request_id}))
