"""Small pieces of the insight pages that other pages include: the similar-problems and quality panels, charts."""

from __future__ import annotations

from typing import Any

from django import template

from jps import insight
from jps.insight.figures import Figure
from jps.models import Problem

register = template.Library()

#: GOV.UK tag modifier for each rating colour (colour is never the only cue: the word is shown too).
RATING_TAG = {"green": "green", "amber": "yellow", "red": "red"}

#: The length of the longest bar in the chart's SVG units (the SVG stretches to the width it is given).
BAR_SCALE = 1000


@register.filter
def rating_tag(rating: str) -> str:
    return RATING_TAG.get(rating, "grey")


@register.filter
def at(items: Any, index: int) -> Any:
    """``items[index]``: a figure's column flags by the loop's counter."""
    return items[index]


def similar_problems_context(user: Any, problem: Problem) -> dict[str, Any]:
    """Evaluated problems like this one, for an open problem's page (``frontend.insight.similar_panel``)."""
    similar = list(insight.similar_problems(user=user, problem=problem)) if problem.is_open else []
    return {"similar": similar, "problem": problem}


@register.inclusion_tag("frontend/insight/includes/quality.html", takes_context=True)
def quality_panel(context: dict[str, Any], problem: Problem) -> dict[str, Any]:
    """The latest quality score on a problem page, and the link to score it for supervisors."""
    user = context["request"].user
    scores = list(insight.quality_scores_for(problem)[:3])
    return {
        "problem": problem,
        "latest": scores[0] if scores else None,
        "earlier": scores[1:],
        "may_score": user.has_perm("jps.score_quality", problem),
        "may_evaluate": user.has_perm("jps.evaluate_problem", problem),
        "evaluated": hasattr(problem, "evaluation"),
    }


@register.inclusion_tag("frontend/insight/includes/bar_chart.html")
def bar_chart(figure: Figure, limit: int = 15) -> dict[str, Any]:
    """A horizontal bar chart in HTML, each label in full beside (or, when narrow, above) its bar and number.

    The bars are drawn on a scale of ``BAR_SCALE`` (the largest is full width): the words stay text the
    browser wraps, at the size of the page's own, rather than SVG text shrunk with the picture.
    """
    rows = [r for r in figure.rows if isinstance(r[figure.value_column], int | float)][:limit]
    top = max([float(r[figure.value_column]) for r in rows] or [0.0]) or 1.0  # type: ignore[arg-type]
    bars = [
        {
            "label": r[figure.label_column],
            "value": r[figure.value_column],
            "width": max(1, round(BAR_SCALE * float(r[figure.value_column]) / top)),  # type: ignore[arg-type]
        }
        for r in rows
    ]
    return {"figure": figure, "bars": bars, "measure": figure.columns[figure.value_column]}
