"""Open311 GeoReport v2 at ``/open311/v2/`` (http://wiki.open311.org/GeoReport_v2), both ways.

Read: ``discovery``, ``services``, ``services/<code>``, ``requests`` (with the specification's
filters) and ``requests/<id>``, each as ``.xml`` (which the specification requires) or ``.json``.
Write: ``POST requests.json|xml``, form-encoded, with a partner system's ``api_key``
(``manage.py create_open311_key``). Every answer is built in ``jps.open311`` from public fields
only; errors are GeoReport's ``[{"code", "description"}]`` / ``<errors><error>``. XML is built with
ElementTree, so no text sent to us or stored by us is ever pasted into markup. No session, no
CSRF token (no cookie is read); calls are limited per client address, posts per key too.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import re_path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from jps import open311
from jps.limits import limit_hit
from jps.models import Category
from jps.net import client_ip

SPEC = "http://wiki.open311.org/GeoReport_v2"
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
FMT = r"\.(?P<fmt>json|xml)$"

View = Callable[..., HttpResponse]


# --- rendering --------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(tag: str, value: Any) -> ET.Element:
    """A dict is an element of elements; a list repeats ``tag``'s singular inside it (``formats/format``)."""
    node = ET.Element(tag)
    if isinstance(value, dict):
        for key, inner in value.items():
            node.append(_element(key, inner))
    elif isinstance(value, list):
        for inner in value:
            node.append(_element(tag.removesuffix("s"), inner))
    else:
        node.text = _text(value)
    return node


def _xml(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _respond(fmt: str, data: Any, *, root: str, item: str = "", status: int = 200) -> HttpResponse:
    """``data`` as JSON, or as XML under ``root`` (one ``item`` element per entry of a list)."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False).encode()
    elif isinstance(data, list):
        node = ET.Element(root)
        node.extend(_element(item, entry) for entry in data)
        body = _xml(node)
    else:
        body = _xml(_element(root, data))
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def _error(fmt: str, status: int, description: str) -> HttpResponse:
    return _respond(fmt, [{"code": status, "description": description}], root="errors", item="error", status=status)


def _too_many(fmt: str, wait: int) -> HttpResponse:
    response = _error(fmt, 429, f"Too many requests: try again in {wait} seconds.")
    response["Retry-After"] = str(wait)
    return response


def open311_view(*methods: str) -> Callable[[View], View]:
    """Allow ``methods`` only, and limit every call per client address, answering errors as Open311 does."""

    def wrap(view: View) -> View:
        @csrf_exempt
        def wrapped(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = _error(fmt, 405, f"Use {' or '.join(methods)}.")
                response["Allow"] = ", ".join(methods)
                return response
            wait = limit_hit("open311-address", client_ip(request), settings.JPS_OPEN311_PER_ADDRESS)
            if wait:
                return _too_many(fmt, wait)
            return view(request, fmt, **kwargs)

        wrapped.__doc__, wrapped.__name__ = view.__doc__, view.__name__
        return wrapped

    return wrap


# --- reads ------------------------------------------------------------------------------------


@open311_view("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311-discovery", kwargs={"fmt": "json"})).rsplit("/", 1)[0]
    changed = timezone.now().replace(microsecond=0).isoformat()
    endpoint = {
        "specification": SPEC,
        "url": base,
        "changeset": changed,
        "type": "production",
        "formats": ["text/xml", "application/json"],
    }
    data = {
        "changeset": changed,
        "contact": "Your neighbourhood policing team through the public site; 101 for the police, 999 in an emergency.",
        "key_service": "Keys for partner systems are issued by the force's JPS administrators (create_open311_key).",
        "endpoints": [endpoint],
    }
    return _respond(fmt, data, root="discovery")


@open311_view("GET")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return _respond(fmt, open311.open311_services(), root="services", item="service")


@open311_view("GET")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    if not Category.objects.filter(slug=code).exists():
        return _error(fmt, 404, "No such service_code: see services.json.")
    return _respond(fmt, {"service_code": code, "attributes": []}, root="service_definition")


def _moment(raw: str, name: str) -> datetime.datetime | None:
    if not raw:
        return None
    try:
        moment = parse_datetime(raw)
        if moment is None and (day := parse_date(raw)) is not None:
            moment = datetime.datetime.combine(day, datetime.time())
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationError(f"{name} must be an ISO 8601 date and time, e.g. 2026-01-01T00:00:00Z.")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _values(request: HttpRequest, name: str) -> tuple[str, ...]:
    """A parameter given comma-separated, repeated, or both."""
    return tuple(v.strip() for raw in request.GET.getlist(name) for v in raw.split(",") if v.strip())[:200]


def _window(request: HttpRequest) -> tuple[datetime.datetime, datetime.datetime]:
    """``start_date``/``end_date``; what is missing makes a 90-day window with what is given (the spec's default)."""
    start = _moment(request.GET.get("start_date", ""), "start_date")
    end = _moment(request.GET.get("end_date", ""), "end_date")
    span = datetime.timedelta(days=90)
    if end is None:
        end = start + span if start is not None else timezone.now()
    if start is None:
        start = end - span
    if start > end:
        raise ValidationError("start_date must be before end_date.")
    return start, end


def _query(request: HttpRequest) -> open311.RequestQuery:
    statuses = _values(request, "status")
    if set(statuses) - {"open", "closed"}:
        raise ValidationError("status must be open or closed.")
    start, end = _window(request)
    return open311.RequestQuery(
        ids=_values(request, "service_request_id"),
        service_codes=_values(request, "service_code"),
        statuses=statuses,
        start=start,
        end=end,
        limit=settings.JPS_OPEN311_PAGE_SIZE,
    )


def _requests(fmt: str, query: open311.RequestQuery, status: int = 200) -> HttpResponse:
    found = open311.open311_request_dicts(open311.open311_requests(query))
    return _respond(fmt, found, root="service_requests", item="request", status=status)


@open311_view("GET", "POST")
def requests_list(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: public service requests; POST: a partner system sends one."""
    return (_post if request.method == "POST" else _get)(request, fmt)


def _get(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        query = _query(request)
    except ValidationError as error:
        return _error(fmt, 400, " ".join(error.messages))
    return _requests(fmt, query)


@open311_view("GET")
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    found = open311.open311_request_dicts(open311.open311_requests(open311.RequestQuery(ids=(request_id,), limit=1)))
    if not found:
        return _error(fmt, 404, "No public service request has that service_request_id.")
    return _respond(fmt, found, root="service_requests", item="request")


@open311_view("GET")
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """The request a posted one became: ``service_request_id`` once it is a public priority, else empty."""
    request_id = open311.open311_token_request_id(token)
    return _respond(fmt, [{"service_request_id": request_id, "token": token}], root="service_requests", item="request")


# --- the write --------------------------------------------------------------------------------

POSTED_FIELDS = ("description", "lat", "long", "address_string", "email", "first_name", "last_name", "phone",
                 "media_url")  # fmt: skip


def _post(request: HttpRequest, fmt: str) -> HttpResponse:
    key = open311.open311_key_check(request.POST.get("api_key", ""))
    if key is None:
        return _error(fmt, 403, "A valid api_key is required to post a service request.")
    wait = limit_hit("open311-key", str(key.pk), settings.JPS_OPEN311_POSTS_PER_KEY)
    if wait:
        return _too_many(fmt, wait)
    if not request.POST.get("service_code", "").strip():
        return _error(fmt, 400, "service_code is required: see services.json.")
    posted = open311.Posted(
        service_code=request.POST["service_code"],
        **{name: request.POST.get(name, "")[:5000] for name in POSTED_FIELDS},
    )
    try:
        report = open311.open311_request_create(key=key, posted=posted)
    except ValidationError as error:
        return _error(fmt, 400, " ".join(error.messages))
    answer = {
        "token": report.reference,
        "service_request_id": report.reference,  # until the team makes it a public priority: see tokens/
        "service_notice": "The neighbourhood team will look at this report; it is not public until they act on it.",
        "account_id": None,
    }
    return _respond(fmt, [answer], root="service_requests", item="request")


urlpatterns = [
    re_path(r"^discovery" + FMT, discovery, name="open311-discovery"),
    re_path(r"^services" + FMT, services, name="open311-services"),
    re_path(r"^services/(?P<code>[-\w]{1,120})" + FMT, service_definition, name="open311-service"),
    re_path(r"^requests" + FMT, requests_list, name="open311-requests"),
    re_path(r"^requests/(?P<request_id>[-\w]{1,40})" + FMT, request_detail, name="open311-request"),
    re_path(r"^tokens/(?P<token>[-\w]{1,40})" + FMT, token, name="open311-token"),
]
