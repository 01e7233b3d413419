"""``{% victim_risk_panel problem %}``: each victim's current risk on the problem page, with "Assess risk"."""

from __future__ import annotations

from typing import Any

from django import template

from jps import selectors

register = template.Library()


@register.inclusion_tag("frontend/risk/panel.html", takes_context=True)
def victim_risk_panel(context: dict[str, Any], problem: Any) -> dict[str, Any]:
    """Only for those who may read the answers (``jps.view_risk``): never a partner, whatever it owns."""
    user = context["user"]
    if not user.has_perm("jps.view_risk", problem):
        return {"show": False}
    return {
        "show": True,
        "problem": problem,
        "victims": selectors.risk_victims_on_problem(problem=problem),
        "may_assess": user.has_perm("jps.assess_risk", problem),
    }
