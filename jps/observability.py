"""Structured logs: one JSON object a line, each carrying the id of the request it belongs to.

The request id comes from the load balancer's ``X-Request-ID`` header only when a proxy
of ours is trusted (``TRUSTED_PROXY_COUNT``) and the id is well-formed; otherwise it is
made here, so a client cannot write what it likes into the logs or pass itself off as
another request. It is echoed in the response so a user's report can be matched to the
log lines. Each line also carries the client's address as ``jps.net.client_ip`` sees it.
"""

from __future__ import annotations

import contextvars
import json
import logging
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .net import client_ip, incoming_request_id

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
client_ip_var: contextvars.ContextVar[str] = contextvars.ContextVar("client_ip", default="-")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = incoming_request_id(request) or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        address = client_ip_var.set(client_ip(request))
        request.request_id = request_id  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
            client_ip_var.reset(address)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        address = client_ip_var.get()
        if address != "-" and not hasattr(record, "client_ip"):
            record.client_ip = address  # only inside a request; worker lines have none
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
