"""Reads of multi-agency case panels: the panels a user sees and, of each, the minutes they may read.

The minutes are the agenda items about cases the reader takes part in (``rules.panel_item_scope_q``:
a problem through ``problem_ids_visible_to``, an application through ``case_review_scope_q``); the
others are left out, not blanked, and only their number is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from ..models import District, Panel, PanelAction, PanelItem
from ..problems.selectors import scoped_get
from .rules import panel_item_scope_q, panel_scope_q


def panels_visible_to(user: Any) -> QuerySet[Panel]:
    return (
        Panel.objects.filter(panel_scope_q(user))
        .select_related("district", "chair")
        .prefetch_related("agencies")
        .order_by("-starts_at", "-id")
    )


def panel_get_for(user: Any, pk: int | str) -> Panel:
    """One panel if ``user`` may see it; ``Panel.DoesNotExist`` otherwise (callers answer 404), logged."""
    return scoped_get(panels_visible_to(user), user=user, pk=pk)


@dataclass(frozen=True)
class Minutes:
    items: list[PanelItem]  # the cases the reader takes part in, in agenda order
    others: int  # how many items are about cases the reader takes no part in


def panel_minutes(user: Any, panel: Panel) -> Minutes:
    """The agenda and its decisions as ``user`` may read them, in a fixed number of queries."""
    taken = PanelAction.objects.select_related("action__agency", "action__assignee", "taken_by")
    items = list(
        panel.items.filter(panel_item_scope_q(user))
        .select_related(
            "problem", "case_review", "case_review__applicant", "victim__person", "action__agency", "decided_by"
        )
        .prefetch_related(Prefetch("actions_taken", queryset=taken))
        .order_by("position", "id")
    )
    return Minutes(items=items, others=panel.items.count() - len(items))


def panel_districts_for(user: Any) -> QuerySet[District]:
    """The CSP areas ``user`` may arrange panels for (the form's choices)."""
    districts = District.objects.select_related("force").order_by("name")
    if user.is_administrator:
        return districts
    ids = set(user.scope_district_ids) if user.role in (user.Role.OFFICER, user.Role.SUPERVISOR) else set()
    ids |= set(District.objects.filter(community_safety_lead_id=user.pk).values_list("pk", flat=True))
    return districts.filter(pk__in=sorted(ids))
