"""A partner's webhook receiver, for real: an HTTP server in a thread on loopback, checking signatures.

``receiver.fail_first(n)`` answers the next ``n`` deliveries with a 500 (then 200s). Each request is kept
with its headers, body and whether its signature was right, and whether its event id was new (a receiver
drops an id it has already accepted: ``duplicates_accepted`` counts ids answered 2xx more than once).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from jps import models as m
from jps.webhooks import services
from tests.celery_fixtures import celery_worker  # noqa: F401


@dataclass
class Received:
    headers: dict[str, str]  # by lower-case name
    body: bytes
    status: int
    signed: bool

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def event_id(self) -> str:
        return self.headers["x-jps-delivery"]


@dataclass
class Receiver:
    url: str = ""
    secrets: dict[str, str] = field(default_factory=dict)  # url path → secret
    received: list[Received] = field(default_factory=list)
    failures_left: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_first(self, n: int) -> None:
        self.failures_left = n

    def check(self, headers: dict[str, str], body: bytes, path: str) -> bool:
        secret = self.secrets.get(path, "")
        timestamp = headers.get("x-jps-timestamp", "")
        expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) < 300
        return fresh and hmac.compare_digest(f"sha256={expected}", headers.get("x-jps-signature", ""))

    def accepted(self) -> list[Received]:
        return [r for r in self.received if 200 <= r.status < 300]

    def duplicates_accepted(self) -> int:
        return sum(n - 1 for n in Counter(r.event_id for r in self.accepted()).values())

    def wait_for(self, accepted: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.accepted()) < accepted and time.monotonic() < deadline:
            time.sleep(0.05)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}  # names are case-insensitive
            with receiver.lock:
                status = 500 if receiver.failures_left > 0 else 204
                receiver.failures_left = max(receiver.failures_left - 1, 0)
                signed = receiver.check(headers, body, self.path)
                receiver.received.append(Received(headers, body, status if signed else 401, signed))
            self.send_response(status if signed else 401)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:  # type: ignore[no-untyped-def]
    """The receiver on 127.0.0.1, and the settings that let deliveries reach loopback over http, retrying fast."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.2
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def council_admin(partner_user, council) -> m.User:  # type: ignore[no-untyped-def]
    """The council's manager: its webhook administrator."""
    council.manager = partner_user
    council.save()
    return partner_user


@pytest.fixture
def housing_admin(other_partner, housing) -> m.User:  # type: ignore[no-untyped-def]
    housing.manager = other_partner
    housing.save()
    return other_partner


@pytest.fixture
def sent(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """Event ids queued for sending (no worker, no broker): the services' tests look at the rows."""
    queued: list[str] = []
    monkeypatch.setattr(services, "_send_soon", lambda ids: queued.extend(str(i) for i in ids))
    return queued


def endpoint_for(receiver: Receiver, agency: m.Agency, by: m.User, events: list[str], path: str) -> m.WebhookEndpoint:
    endpoint = services.endpoint_create(by=by, agency=agency, url=f"{receiver.url}{path}", events=events)
    receiver.secrets[path] = endpoint.secret
    return endpoint
