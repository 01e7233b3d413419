"""The request of a signed-in view, typed: ``request.user`` is a ``User``, not ``User | AnonymousUser``.

Views behind ``login_required`` take an ``AuthedHttpRequest`` (as django-stubs documents), so the
signed-in user reaches services and forms without a cast.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from jps.models import User


class AuthedHttpRequest(HttpRequest):
    user: User


M = TypeVar("M", bound=Model)


def in_chunks(queryset: QuerySet[M], size: int = 500) -> Iterator[M]:
    """Every object of ``queryset``, in its order, fetched ``size`` at a time, without a server-side cursor.

    ``.iterator()`` streams through a server-side cursor, which a connection pooler in transaction mode
    cannot keep (docs/deploy.md, PgBouncer), and without one fetches the whole result into memory. Here
    the ids come first (a few MB for a national list), then each chunk by id: memory stays flat.
    """
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        by_pk = {obj.pk: obj for obj in queryset.filter(pk__in=chunk).order_by()}
        yield from (by_pk[pk] for pk in chunk if pk in by_pk)


def csv_cell(value: Any) -> Any:
    """A CSV cell; text starting with a formula character is neutralised so a spreadsheet never runs it."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_response(filename: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """A small table as a CSV download (streamed lists that log each row build their own)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(c) for c in row])
    return response
