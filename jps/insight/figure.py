"""One dashboard figure (``Figure``): a table that is also a chart and a CSV file, and the scope it counts over.

Beside ``figures`` (the registry of every figure and the cache of slow ones), so the figures kept in
their own modules (``contact_figures``, ``partnership_figures``) build on it without importing the registry.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from ..problems.selectors import problems_visible_to

Cell = str | int | float | None


@dataclass(frozen=True)
class Figure:
    """One dashboard figure: a table that is also a chart and a CSV file.

    ``label_column`` names the rows on the chart and ``value_column`` is the number
    drawn as a bar; all columns are shown beside the chart and exported.
    """

    slug: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    value_column: int = 1
    label_column: int = 0
    note: str = ""
    total: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    as_of: datetime.datetime | None = None  # set when the figure comes from the cache of slow figures

    @property
    def max_value(self) -> float:
        values = [row[self.value_column] for row in self.rows]
        return max([float(v) for v in values if isinstance(v, int | float)] or [0.0])

    @property
    def numeric_columns(self) -> tuple[bool, ...]:
        """Which columns hold numbers only (right-aligned in a table, as GOV.UK does); words are left-aligned."""
        return tuple(
            any(row[i] is not None for row in self.rows)
            and all(row[i] is None or isinstance(row[i], int | float) for row in self.rows)
            for i in range(len(self.columns))
        )


def _scope(user: Any) -> Any:
    """The visible problems with no ordering, ready to GROUP BY."""
    return problems_visible_to(user).order_by()
