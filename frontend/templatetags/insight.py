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

BAR_HEIGHT = 24
LABEL_WIDTH = 210
CHART_WIDTH = 560


@register.filter
def rating_tag(rating: str) -> str:
    return RATING_TAG.get(rating, "grey")


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
    """A horizontal bar chart drawn on the server as SVG, with each number written beside its bar."""
    rows = [r for r in figure.rows if isinstance(r[figure.value_column], int | float)][:limit]
    top = max([float(r[figure.value_column]) for r in rows] or [0.0]) or 1.0  # type: ignore[arg-type]
    span = CHART_WIDTH - LABEL_WIDTH - 60
    bars: list[dict[str, Any]] = [
        {
            "label": str(r[figure.label_column])[:32],
            "value": r[figure.value_column],
            "width": max(1, round(span * float(r[figure.value_column]) / top)),  # type: ignore[arg-type]
            "y": i * BAR_HEIGHT,
            "text_y": i * BAR_HEIGHT + 16,
        }
        for i, r in enumerate(rows)
    ]
    for bar in bars:
        bar["value_x"] = LABEL_WIDTH + bar["width"] + 6
    return {
        "figure": figure,
        "bars": bars,
        "height": max(BAR_HEIGHT, len(bars) * BAR_HEIGHT),
        "width": CHART_WIDTH,
        "label_width": LABEL_WIDTH,
        "label_x": LABEL_WIDTH - 6,
        "measure": figure.columns[figure.value_column],
    }
