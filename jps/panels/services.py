"""Writes on multi-agency case panels: arrange one, build its agenda, and minute it at the table.

Each checks ``jps.panels.rules`` through ``jps.base.require`` and reaches problems and case reviews
only through their own services: an action taken at the table is ``casework.services.action_add``
(``via=Via.PANEL``), a case review's meeting and recommendations are the case review's own steps,
so the problem and the application keep their whole record wherever the decision was taken.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import policy
from ..base import require, save
from ..case_reviews import services as case_reviews
from ..casework.services import action_add
from ..models import (
    Action,
    Agency,
    CaseReviewRecommendation,
    District,
    Panel,
    PanelAction,
    PanelItem,
    Problem,
    User,
)
from .agenda import agenda_proposed

#: What ``panel_update`` may change (the agenda and the minutes have their own services).
PANEL_FIELDS = frozenset({"kind", "title", "starts_at", "online", "venue", "chair", "status"})


def _check(panel: Panel) -> None:
    errors: dict[str, str] = {}
    if not panel.title.strip():
        errors["title"] = "Enter a title for the panel."
    if not panel.online and not panel.venue.strip():
        errors["venue"] = "Enter the venue, or say the panel meets online."
    if panel.status == Panel.Status.HELD and panel.starts_at > timezone.now():
        errors["status"] = "A panel cannot be recorded as held before it starts."
    if errors:
        raise ValidationError(errors)


def _agencies(panel_force_id: int, agencies: Iterable[Agency]) -> list[Agency]:
    chosen = list(agencies)
    for agency in chosen:
        policy.agency_check(policy.agencies_of_force(panel_force_id), agency, field="agencies")
    return chosen


@transaction.atomic
def panel_create(
    *,
    by: User,
    district: District,
    starts_at: datetime.datetime,
    kind: str = Panel.Kind.ASB_RISK,
    title: str = "",
    venue: str = "",
    online: bool = False,
    chair: User | None = None,
    agencies: Iterable[Agency] = (),
) -> Panel:
    """Arrange a panel for a CSP area; its agenda is built separately (``panel_agenda_build``)."""
    require(by, "jps.record_panel", district)
    panel = Panel(
        force_id=district.force_id, district=district, kind=kind, starts_at=starts_at, venue=venue, online=online,
        chair=chair, created_by=by, title=title.strip() or f"{district.name} {Panel.Kind(kind).label}",
    )  # fmt: skip
    _check(panel)
    chosen = _agencies(district.force_id, agencies)
    save(panel, by=by, reason="Panel arranged")
    panel.agencies.set(chosen)
    return panel


@transaction.atomic
def panel_update(*, panel: Panel, by: User, agencies: Iterable[Agency] | None = None, **fields: Any) -> Panel:
    """Change a panel's details, the agencies at the table, or record it held or cancelled."""
    require(by, "jps.change_panel", panel)
    policy.fields_refuse(fields, PANEL_FIELDS)
    for name, value in fields.items():
        setattr(panel, name, value)
    minuted = panel.items.exclude(decision="").exists() or PanelAction.objects.filter(item__panel=panel).exists()
    if panel.status == Panel.Status.CANCELLED and minuted:
        raise ValidationError({"status": "Decisions or actions were recorded at this panel: it cannot be cancelled."})
    _check(panel)
    chosen = _agencies(panel.force_id, agencies) if agencies is not None else None
    save(panel, by=by, reason="Panel updated", update_fields=fields)
    if chosen is not None:
        panel.agencies.set(chosen)
    return panel


@transaction.atomic
def panel_agenda_build(*, panel: Panel, by: User) -> list[PanelItem]:
    """Put on the agenda what the area's records call for on the panel's date; return the items added.

    Building again (the day before, or at the table) adds what has become due since and leaves
    every item already there, with its decision, as it is.
    """
    require(by, "jps.change_panel", panel)
    if panel.status == Panel.Status.CANCELLED:
        raise ValidationError({"panel": "This panel was cancelled."})
    Panel.objects.select_for_update().filter(pk=panel.pk).first()  # two builds at once add each item once
    present = set(panel.items.values_list("key", flat=True))
    position = panel.items.count()
    added = []
    for proposed in agenda_proposed(district=panel.district, on=panel.date):
        if proposed.key in present:
            continue
        position += 1
        item = PanelItem(
            panel=panel, reason=proposed.reason, key=proposed.key, problem_id=proposed.problem_id,
            case_review_id=proposed.case_review_id, victim_id=proposed.victim_id, action_id=proposed.action_id,
            position=position,
        )  # fmt: skip
        save(item, by=by, reason="Put on the agenda by JPS")
        added.append(item)
    panel.agenda_built_at = timezone.now()
    save(panel, by=by, reason="Agenda built", update_fields=["agenda_built_at"])
    return added


def _at_the_table(item: PanelItem, by: User, perm: str = "jps.minute_panel_item") -> None:
    """Decisions are taken at a panel that has started and was not cancelled; the first marks it held."""
    require(by, perm, item)
    panel = item.panel
    if panel.status == Panel.Status.CANCELLED:
        raise ValidationError({"panel": "This panel was cancelled."})
    if panel.starts_at > timezone.now():
        raise ValidationError({"panel": "This panel has not met yet."})
    if panel.status != Panel.Status.HELD:
        panel.status = Panel.Status.HELD
        save(panel, by=by, reason="Recorded as held", update_fields=["status"])


@transaction.atomic
def panel_decide(*, item: PanelItem, by: User, decision: str) -> PanelItem:
    """Record what the table decided about one case (a later decision replaces it, on the record)."""
    _at_the_table(item, by)
    if not decision.strip():
        raise ValidationError({"decision": "Enter what the panel decided."})
    item.decision, item.decided_by, item.decided_at = decision.strip(), by, timezone.now()
    save(item, by=by, reason="Decision recorded", update_fields=["decision", "decided_by", "decided_at"])
    return item


def _item_problem(item: PanelItem, problem: Problem | None) -> Problem:
    """The problem an action at the table is on: the item's own, or one of its case review's."""
    if item.problem_id is not None:
        if problem is not None and problem.pk != item.problem_id:
            raise ValidationError({"problem": "An action on this item is on its own problem."})
        assert item.problem is not None
        return item.problem
    if problem is None or item.case_review is None or not item.case_review.problems.filter(pk=problem.pk).exists():
        raise ValidationError({"problem": "Choose one of the case review's problems."})
    return problem


@transaction.atomic
def panel_action_take(
    *,
    item: PanelItem,
    by: User,
    description: str,
    agency: Agency,
    due_on: datetime.date,
    assignee: User | None = None,
    action_type: str = Action.Type.PREVENTION,
    problem: Problem | None = None,
) -> PanelAction:
    """An agency takes an action at the table: an owned, dated ``Action`` on the case's problem."""
    _at_the_table(item, by)
    target = _item_problem(item, problem)
    if not description.strip():
        raise ValidationError({"description": "Enter the action."})
    action = action_add(
        problem=target, by=by, action_type=action_type, description=description.strip(), agency=agency,
        assignee=assignee, due_on=due_on, via=policy.Via.PANEL,
    )  # fmt: skip
    taken = PanelAction(item=item, action=action, taken_by=by)
    save(taken, by=by, reason="Action taken at the panel")
    return taken


@transaction.atomic
def panel_case_review_held(*, item: PanelItem, by: User, findings: str) -> PanelItem:
    """The panel is the case review's meeting: held on the panel's date, with the agencies at the table.

    The case review's own step (``case_review_meeting``) checks that ``by`` may work the review; the
    findings are also the item's decision.
    """
    _at_the_table(item, by)
    if item.case_review is None:
        raise ValidationError({"item": "This item is not a case review."})
    case_reviews.case_review_meeting(
        application=item.case_review, by=by, held_on=item.panel.date, agencies=item.panel.agencies.all(),
        findings=findings,
    )  # fmt: skip
    return panel_decide(item=item, by=by, decision=f"Case review held. {findings.strip()}")


@transaction.atomic
def panel_case_review_recommend(
    *, item: PanelItem, by: User, problem: Problem, text: str, agency: Agency, due_on: datetime.date,
    assignee: User | None = None, action_type: str = Action.Type.PREVENTION,
) -> CaseReviewRecommendation:  # fmt: skip
    """A recommendation of the case review made at the panel: the review's own step, its action minuted here."""
    _at_the_table(item, by)
    if item.case_review is None:
        raise ValidationError({"item": "This item is not a case review."})
    recommendation = case_reviews.case_review_recommend(
        application=item.case_review, by=by, problem=problem, text=text, agency=agency, assignee=assignee,
        due_on=due_on, action_type=action_type,
    )  # fmt: skip
    save(PanelAction(item=item, action=recommendation.action, taken_by=by), by=by, reason="Recommended at the panel")
    return recommendation
