"""Reads of the Pledge: each neighbourhood's last twelve months, and the misses still to be explained.

``pledge_table`` answers for any number of neighbourhoods in a fixed number of queries (each
commitment's row function, plus one for the explanations), so the public export does not grow
its queries with the country.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from ..models import Neighbourhood, PledgeExplanation
from .commitments import COMMITMENTS, Cell, Commitment, Month

#: How many complete months the Pledge page shows.
PLEDGE_MONTHS = 12


def pledge_months(*, today: datetime.date | None = None, count: int = PLEDGE_MONTHS) -> list[Month]:
    """The ``count`` complete months before ``today``'s month, oldest first (the current month is not over)."""
    month = (today or timezone.localdate()).replace(day=1)
    months = []
    for _ in range(count):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
        months.append(month)
    return list(reversed(months))


@dataclass(frozen=True)
class PledgeMonth:
    month: Month
    cell: Cell
    explanation: PledgeExplanation | None


@dataclass(frozen=True)
class PledgeRow:
    commitment: Commitment
    months: list[PledgeMonth]

    @property
    def missed(self) -> int:
        return sum(1 for m in self.months if m.cell.met is False)


NOTHING_DUE = Cell(done=0, due=0)


def pledge_table(
    *, neighbourhood_ids: Iterable[int], months: Sequence[Month] | None = None, cache_seconds: int = 0
) -> dict[int, list[PledgeRow]]:
    """Every commitment's months for each neighbourhood, with the explanations recorded for them.

    ``cache_seconds``: keep the commitments' counts (complete months only, so they change only when
    something is recorded late) that long, for these neighbourhoods and months; the explanations are
    always read afresh, so one just recorded shows at once. "My work" uses it; exports do not.
    """
    ids = sorted(set(neighbourhood_ids))
    months = list(months or pledge_months())
    if not ids:
        return {}
    cells = _cells(ids, months, cache_seconds)
    explained = {
        (e.neighbourhood_id, e.commitment, e.month): e
        for e in PledgeExplanation.objects.filter(neighbourhood_id__in=ids, month__gte=months[0], month__lte=months[-1])
    }
    return {
        nid: [
            PledgeRow(
                commitment=c,
                months=[
                    PledgeMonth(m, cells[c.slug].get((nid, m), NOTHING_DUE), explained.get((nid, c.slug, m)))
                    for m in months
                ],
            )
            for c in COMMITMENTS
        ]
        for nid in ids
    }


def _cells(ids: list[int], months: list[Month], cache_seconds: int) -> dict[str, dict[tuple[int, Month], Cell]]:
    def compute() -> dict[str, dict[tuple[int, Month], Cell]]:
        return {c.slug: c.row(ids, months) for c in COMMITMENTS}

    if not cache_seconds:
        return compute()
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:32]
    key = f"pledge-cells:{months[0]:%Y-%m}:{months[-1]:%Y-%m}:{digest}"
    cells = cache.get(key)
    if cells is None:
        cells = compute()
        cache.set(key, cells, cache_seconds)
    return cells  # type: ignore[no-any-return]


@dataclass(frozen=True)
class PledgeMiss:
    neighbourhood: Neighbourhood
    commitment: Commitment
    month: Month
    cell: Cell


def pledge_misses(
    *,
    neighbourhoods: Sequence[Neighbourhood],
    months: Sequence[Month] | None = None,
    unexplained: bool = True,
    cache_seconds: int = 0,
) -> list[PledgeMiss]:
    """The months a commitment was missed in these neighbourhoods (only those not yet explained, by default)."""
    ids = [n.pk for n in neighbourhoods]
    table = pledge_table(neighbourhood_ids=ids, months=months, cache_seconds=cache_seconds)
    misses = []
    for n in neighbourhoods:
        for row in table.get(n.pk, []):
            for m in row.months:
                if m.cell.met is False and not (unexplained and m.explanation is not None):
                    misses.append(PledgeMiss(n, row.commitment, m.month, m.cell))
    return misses


def neighbourhoods_to_explain(*, user: Any) -> list[Neighbourhood]:
    """The neighbourhoods whose Pledge misses ``user`` explains: a supervisor's districts' (no one else's)."""
    if not getattr(user, "is_authenticated", False) or user.role != user.Role.SUPERVISOR:
        return []
    queryset = Neighbourhood.objects.filter(district_id__in=sorted(user.scope_district_ids))
    return list(queryset.select_related("district").order_by("district__name", "name"))


def pledge_misses_for(*, user: Any, today: datetime.date | None = None) -> list[PledgeMiss]:
    """'My work': a supervisor's neighbourhoods' misses in the last twelve months with no explanation yet."""
    neighbourhoods = neighbourhoods_to_explain(user=user)
    if not neighbourhoods:
        return []
    return pledge_misses(
        neighbourhoods=neighbourhoods,
        months=pledge_months(today=today),
        cache_seconds=settings.JPS_PLEDGE_CACHE_SECONDS,
    )
