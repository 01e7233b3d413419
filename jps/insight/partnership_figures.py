"""The dashboard's figures of the partnership's other records, beside ``figures`` (which registers them).

The statutory ASB case review figures (issue 19) and residents' answers to "has it been fixed?"
(issue 20); each builds on ``Figure`` and counts only what the user may count.
"""

from __future__ import annotations

from typing import Any

from ..case_reviews import selectors as case_reviews
from ..residents.selectors import resident_feedback_figures
from .figure import Cell, Figure, _scope


def case_review_figures(*, user: Any) -> Figure:
    """The statutory ASB case review figures per CSP area and quarter (``jps.case_reviews.selectors``)."""
    rows = case_reviews.case_review_figures(districts=case_reviews.figures_scope(user))
    return Figure(
        slug="case-reviews",
        title="ASB case reviews (statutory figures)",
        columns=case_reviews.FIGURE_COLUMNS,
        rows=case_reviews.figure_table(rows),  # type: ignore[arg-type]
        value_column=3,
        total=sum(r.received for r in rows),
        note="Counted by the date each application was received; a count names no application.",
    )


def residents_fixed(*, user: Any) -> Figure:
    """Residents' reports taken on as (or attached to) visible problems, and how residents answered
    "has it been fixed?" four weeks after closure (``jps.residents.selectors.resident_feedback_figures``).

    Counted only over the problems ``user`` may see, like every figure: a partner's counts are of
    the problems their agency works, and a figure names no report and no resident.
    """
    counts = resident_feedback_figures(problems=_scope(user))
    answered = counts["fixed"] + counts["not_fixed"]
    rows: list[tuple[Cell, ...]] = [
        ("Residents' reports taken on", counts["reported"]),
        ("Of them, on closed problems", counts["closed"]),
        ("Answered: fixed", counts["fixed"]),
        ("Answered: not fixed", counts["not_fixed"]),
    ]
    share = (
        f" {round(100.0 * counts['fixed'] / answered)}% of those who answered said it was fixed." if answered else ""
    )
    return Figure(
        slug="residents-fixed",
        title="Has it been fixed? Residents' answers",
        columns=("Residents' reports", "Count"),
        rows=rows,
        total=counts["reported"],
        note="Residents who reported a problem are asked four weeks after it closes." + share,
        extra={"answered": answered},
    )
