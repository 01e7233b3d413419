"""Reads that tolerate a second of lag go to a streaming replica; everything else stays on the primary.

Nothing goes to the replica unasked: a view, export or selector opts in with :func:`replica_reads`
(a context manager and a decorator), and only the reads that can be a second old do so -- the
dashboards, the best-practice library, the CSV exports, the public-site export and the partners'
incremental (``updated_since``) lists. Inside such a block :class:`ReplicaRouter` answers
``db_for_read`` with ``"replica"`` when all of these hold:

- the *scope* (a request, opened by :class:`PrimaryAfterWriteMiddleware`; a Celery task, opened by
  ``tasks``; or the block itself when neither is open) has not written: ``db_for_write`` marks the
  scope, and every later read goes to the primary (read-your-writes; the access log, written and
  never read back, does not count). A request with an unsafe
  method is marked from the start, and its response sets a short cookie so that the GET after the
  redirect-after-POST reads the primary too;
- no transaction is open on the primary (its reads belong to it);
- the replica is healthy: reachable, and behind the primary by at most ``REPLICA_MAX_LAG_SECONDS``.
  The check runs at most every ``REPLICA_CHECK_SECONDS`` per process; a failed one is logged (a
  warning with the reason) and the reads go to the primary until the next check says otherwise.

Writes always go to the primary. Without ``DATABASE_REPLICA_URL`` (the SQLite demo, a single
database) there is no ``replica`` alias, the router and middleware are not installed, and
:func:`replica_reads` does nothing.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ContextDecorator, contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"
#: The cookie that sends a browser's reads to the primary for a few seconds after it wrote.
PIN_COOKIE = "jps_primary"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
#: Written but never read back by the request that wrote them: the access log (who read what), which
#: a CSV download writes chunk by chunk as it reads. Writing it does not send later reads to the primary.
WRITE_ONLY_MODELS = frozenset({"jps.problemview"})


@dataclasses.dataclass
class Scope:
    """One request or task: once it has written, the rest of it reads the primary."""

    wrote: bool = False


_scope: ContextVar[Scope | None] = ContextVar("jps_db_scope", default=None)
_replica_block: ContextVar[bool] = ContextVar("jps_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES and bool(getattr(settings, "REPLICA_READS", True))


def scope_begin(*, wrote: bool = False) -> Scope:
    """A request or task begins (the middleware; ``tasks`` on ``task_prerun``)."""
    scope = Scope(wrote=wrote)
    _scope.set(scope)
    return scope


def scope_end() -> None:
    _scope.set(None)


@contextmanager
def db_scope(*, wrote: bool = False) -> Iterator[Scope]:
    """A request or task: reads after its first write go to the primary."""
    scope = Scope(wrote=wrote)
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


class replica_reads(ContextDecorator):  # noqa: N801 (used like the context manager it is)
    """The reads in this block (or decorated function) may come from the replica, if it is healthy.

    ``own_scope=True``: the block's reads do not depend on what its caller wrote before it (the
    public-site export after its bookkeeping row), so those writes do not send it to the primary.
    """

    def __init__(self, *, own_scope: bool = False) -> None:
        self.own_scope = own_scope
        self._tokens: list[tuple[Any, Any]] = []

    def _recreate_cm(self) -> replica_reads:
        return type(self)(own_scope=self.own_scope)  # a decorated view runs in many threads at once

    def __enter__(self) -> replica_reads:
        scope_token = _scope.set(Scope()) if self.own_scope or _scope.get() is None else None
        self._tokens.append((scope_token, _replica_block.set(True)))
        return self

    def __exit__(self, *exc: object) -> None:
        scope_token, block_token = self._tokens.pop()
        _replica_block.reset(block_token)
        if scope_token is not None:
            _scope.reset(scope_token)


def replica_lag_allowance() -> datetime.timedelta:
    """How old a replica's read may be -- the lag allowed, plus the time until the next check -- and so
    how far back an incremental job that reads the replica must look."""
    if not replica_configured():
        return datetime.timedelta(0)
    return datetime.timedelta(seconds=settings.REPLICA_MAX_LAG_SECONDS + settings.REPLICA_CHECK_SECONDS)


def reading_from_replica() -> bool:
    """Whether a read made now would go to the replica (for tests and the request log)."""
    if not _replica_block.get() or not replica_configured():
        return False
    scope = _scope.get()
    if (scope and scope.wrote) or connections[PRIMARY].in_atomic_block:
        return False  # read-your-writes; and a transaction's reads belong to it
    return replica_healthy()


# --- health ------------------------------------------------------------------------------------------

_HEALTH_SQL = """
SELECT pg_is_in_recovery(),
       pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn(),
       EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
"""


@dataclasses.dataclass
class _Health:
    checked_at: float = float("-inf")
    healthy: bool = False
    reason: str = "not checked"


_health = _Health()
_health_lock = threading.Lock()


def replica_lag() -> tuple[bool, str]:
    """Ask the replica now: (usable, why not). Lag is ``now() - pg_last_xact_replay_timestamp()``,
    but an idle primary sends no transactions, so that timestamp grows old on a replica that is
    fully caught up: when everything received has been replayed the lag counts as nil.
    """
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(_HEALTH_SQL)
            in_recovery, caught_up, seconds = cursor.fetchone()
    except DatabaseError as error:
        connections[REPLICA].close()
        return False, f"unreachable ({str(error).strip().splitlines()[0] if str(error).strip() else error!r})"
    if not in_recovery:
        return True, "not a standby (a mirror of the primary)"
    if not caught_up and seconds is None:
        return False, "catching up (nothing replayed yet since it started)"
    lag = 0.0 if caught_up else float(seconds)
    if lag > settings.REPLICA_MAX_LAG_SECONDS:
        return False, f"{lag:.1f} s behind (limit {settings.REPLICA_MAX_LAG_SECONDS} s)"
    return True, f"{lag:.1f} s behind"


def replica_healthy() -> bool:
    """The last answer of :func:`replica_lag`, asked again when older than ``REPLICA_CHECK_SECONDS``."""
    now = time.monotonic()
    if now - _health.checked_at < settings.REPLICA_CHECK_SECONDS:
        return _health.healthy
    with _health_lock:
        if now - _health.checked_at < settings.REPLICA_CHECK_SECONDS:
            return _health.healthy
        healthy, reason = replica_lag()
        if not healthy:
            logger.warning(
                "Read replica not used for %s s, reads go to the primary: %s", settings.REPLICA_CHECK_SECONDS, reason
            )
        elif not _health.healthy and _health.checked_at > float("-inf"):
            logger.info("Read replica in use again: %s", reason)
        _health.checked_at, _health.healthy, _health.reason = time.monotonic(), healthy, reason
        return healthy


def replica_health_forget() -> None:
    """The next read in a replica block asks the replica again (tests; after a failover)."""
    _health.checked_at, _health.healthy, _health.reason = float("-inf"), False, "not checked"


# --- the router and the middleware --------------------------------------------------------------------


class ReplicaRouter:
    """``DATABASE_ROUTERS``: the replica for reads in a :func:`replica_reads` block, the primary otherwise."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return REPLICA if reading_from_replica() else PRIMARY

    def db_for_write(self, model: Any, **hints: Any) -> str:
        scope = _scope.get()
        if scope is not None and model._meta.label_lower not in WRITE_ONLY_MODELS:
            scope.wrote = True
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, two copies

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY


class PrimaryAfterWriteMiddleware:
    """Each request is a scope; a write (or an unsafe method) sends its later reads to the primary,
    and a cookie does the same for ``REPLICA_PIN_SECONDS`` afterwards (the redirect after a POST).

    A GET that writes (the access log, a session) pins only itself: nobody expects to read those back.
    A streamed response keeps its scope while it streams (the next request on the thread opens its own).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        scope_begin(wrote=request.method not in SAFE_METHODS or PIN_COOKIE in request.COOKIES)
        try:
            response = self.get_response(request)
        except BaseException:
            scope_end()
            raise
        if not response.streaming:
            scope_end()
        if request.method not in SAFE_METHODS:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
