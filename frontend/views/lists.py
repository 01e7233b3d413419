"""The problem list (filters, sorting, numbered pages) and its CSV, logged as it streams."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property

from jps import selectors, services
from jps.db_router import replica_reads
from jps.models import Problem, ProblemView

from .. import forms as f
from ..http import AuthedHttpRequest, csv_cell, in_chunks

# --- the problem list --------------------------------------------------------------------------

SORTS = {
    "reference": "reference",
    "title": "title",
    "stage": "stage",
    "neighbourhood": "neighbourhood__name",
    "category": "category__name",
    "owner": "owner__last_name",
    "review": "next_review_due",
    "created": "created_at",
}


def _filtered(request: AuthedHttpRequest) -> tuple[f.ProblemFilter, QuerySet[Problem], str]:
    user = request.user
    filterset = f.ProblemFilter(request.GET or None, queryset=selectors.problems_visible_to(user), user=user)
    sort = request.GET.get("sort", "-created")
    key = SORTS.get(sort.lstrip("-"))
    if key is None:
        sort, key = "-created", "created_at"
    order = f"-{key}" if sort.startswith("-") else key
    return filterset, filterset.qs.order_by(order, "-id"), sort


#: Up to this many problems the list counts them; above, PostgreSQL's estimate is shown ("about").
EXACT_COUNT_UP_TO = 10_000


class EstimatedCountPaginator(Paginator):
    """Numbered pages whose count is exact up to ``EXACT_COUNT_UP_TO`` and estimated above it.

    Counting a force's whole list on every page took a large share of the page at national scale;
    nobody needs to know there are 41,207 rather than about 41,000. The exact part counts at most
    ``EXACT_COUNT_UP_TO + 1`` rows; above that, the planner's row estimate for the filtered query
    (``EXPLAIN``), never less than the exact part. ``estimated`` says which the page shows.
    """

    estimated = False

    @cached_property
    def count(self) -> int:
        queryset: QuerySet[Problem] = self.object_list  # type: ignore[assignment]
        exact = queryset[: EXACT_COUNT_UP_TO + 1].count()
        if exact <= EXACT_COUNT_UP_TO or connections[queryset.db].vendor != "postgresql":
            return exact if exact <= EXACT_COUNT_UP_TO else queryset.count()
        sql, params = queryset.order_by().query.sql_with_params()
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        self.estimated = True
        return max(int(plan[0]["Plan"]["Plan Rows"]), exact)


@login_required
def problem_list(request: AuthedHttpRequest) -> HttpResponse:
    filterset, queryset, sort = _filtered(request)
    page = EstimatedCountPaginator(queryset, 25).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("sort", None)
    columns = []
    for name, label in [
        ("reference", "Reference"),
        ("title", "Title"),
        ("stage", "Stage"),
        ("neighbourhood", "Neighbourhood"),
        ("category", "Category"),
        ("owner", "Owner"),
        ("review", "Next review"),
    ]:
        current = sort.lstrip("-") == name
        descending = sort.startswith("-")
        next_sort = f"-{name}" if current and not descending else name
        aria = ("descending" if descending else "ascending") if current else "none"
        columns.append({"label": label, "sort": next_sort, "aria": aria})
    ctx = {
        "filter": filterset,
        "page": page,
        "columns": columns,
        "sort": sort,
        "query": params.urlencode(),
        "today": timezone.localdate(),
    }
    return render(request, "frontend/problem_list.html", ctx)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    """Text for a CSV cell; formulas are neutralised so a spreadsheet never runs a title."""
    return str(csv_cell("" if value is None else str(value)))


CSV_COLUMNS = [
    "reference",
    "title",
    "stage",
    "neighbourhood",
    "district",
    "category",
    "owner",
    "lead agency",
    "source",
    "originator",
    "risk",
    "public priority",
    "next review due",
    "days overdue",
    "logged",
]


#: Problems per access-log INSERT while a CSV streams (and per database fetch).
CSV_LOG_CHUNK = 500


def _logged_in_chunks(request: AuthedHttpRequest, problems: Iterator[Problem]) -> Iterator[Problem]:
    """The problems, each chunk written to the access log (one INSERT) before its rows go out.

    The CSV carries originators, so every row is a read of personal data; logging as it streams
    keeps memory flat on a national export, and a download cut short has logged what was sent.
    """
    while chunk := list(islice(problems, CSV_LOG_CHUNK)):
        services.problem_views_record(
            user=request.user,
            problem_ids=[p.pk for p in chunk],
            channel=ProblemView.Channel.CSV,
            request_id=getattr(request, "request_id", ""),
        )
        yield from chunk


@login_required
def problem_csv(request: AuthedHttpRequest) -> StreamingHttpResponse:
    """The filtered list as CSV, streamed row by row from the user's scope; every row is in the access log."""
    _, queryset, _ = _filtered(request)
    today = timezone.localdate()

    def rows() -> Iterator[list[str]]:
        with replica_reads():  # the rows are read as the response streams, after the view returned
            yield CSV_COLUMNS
            for p in _logged_in_chunks(request, in_chunks(queryset, CSV_LOG_CHUNK)):
                yield [
                    _cell(v)
                    for v in (
                        p.reference,
                        p.title,
                        p.get_stage_display(),
                        p.neighbourhood.display_name,
                        p.district.name,
                        p.category.name,
                        p.owner,
                        p.lead_agency.name,
                        p.get_source_display(),
                        p.originator,
                        p.get_risk_display(),
                        "yes" if p.public_priority else "no",
                        p.next_review_due.isoformat() if p.next_review_due else "",
                        p.days_overdue(today),
                        timezone.localtime(p.created_at).strftime("%Y-%m-%d %H:%M"),
                    )
                ]

    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in rows()), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="problems-{today.isoformat()}.csv"'
    return response
