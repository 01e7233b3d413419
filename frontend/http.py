"""The request of a signed-in view, typed: ``request.user`` is a ``User``, not ``User | AnonymousUser``.

Views behind ``login_required`` take an ``AuthedHttpRequest`` (as django-stubs documents), so the
signed-in user reaches services and forms without a cast.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse

from jps.models import User


class AuthedHttpRequest(HttpRequest):
    user: User


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
