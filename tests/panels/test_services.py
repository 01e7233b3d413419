"""Panels: the agenda JPS builds (against a hand count), who reads which case, decisions and actions at the table."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jps import models as m
from jps import selectors, services

from .conftest import Table, at, d

pytestmark = pytest.mark.django_db
Reason = m.PanelItem.Reason


def test_the_agenda_is_built_from_the_area_s_records_as_counted_by_hand(table: Table) -> None:
    added = services.panel_agenda_build(panel=table.panel, by=table.area.safety_lead)
    assert Counter(i.reason for i in added) == {
        Reason.HIGH_RISK_VICTIM: 1, Reason.CASE_REVIEW_DUE: 1, Reason.REVIEW_OVERDUE: 2, Reason.ACTION_OVERDUE: 1,
    }  # fmt: skip
    keys = [i.key for i in added]
    assert keys == [
        f"victim:{table.victim.pk}",
        f"case_review:{table.review.pk}",
        f"review:{table.area.problem.pk}",  # due 1 June
        f"review:{table.housing_problem.pk}",  # due 10 June
        f"action:{table.overdue_action.pk}",
    ]
    assert [i.position for i in added] == [1, 2, 3, 4, 5]
    assert services.panel_agenda_build(panel=table.panel, by=table.area.safety_lead) == []  # nothing twice
    table.panel.refresh_from_db()
    assert table.panel.agenda_built_at is not None
    assert table.panel.history.filter(history_change_reason="Agenda built").count() == 2
    assert m.PanelItem.history.count() == 5


def test_the_high_risk_victims_are_read_through_the_one_risk_hook(table: Table, monkeypatch) -> None:
    from jps.panels import agenda

    monkeypatch.setattr(agenda, "person_link_risks", lambda links: {link.pk: m.Risk.MEDIUM for link in links})
    assert agenda.high_risk_victim_links(district=table.area.district) == []


def test_each_agency_reads_in_the_minutes_only_the_cases_it_takes_part_in(table: Table) -> None:
    a = table.area
    services.panel_agenda_build(panel=table.panel, by=a.safety_lead)
    council = selectors.panel_minutes(a.council_officer, table.panel)
    assert [i.reason for i in council.items] == [
        Reason.HIGH_RISK_VICTIM, Reason.CASE_REVIEW_DUE, Reason.REVIEW_OVERDUE, Reason.ACTION_OVERDUE,
    ]  # fmt: skip
    assert council.others == 1 and table.housing_problem not in [i.problem for i in council.items]
    housing = selectors.panel_minutes(a.housing_officer, table.panel)
    assert [(i.reason, i.problem) for i in housing.items] == [(Reason.REVIEW_OVERDUE, table.housing_problem)]
    assert housing.others == 4
    assert len(selectors.panel_minutes(a.supervisor, table.panel).items) == 5
    # The fire service is not at the table: the panel is out of its sight altogether.
    assert not selectors.panels_visible_to(a.fire_officer).exists()
    assert a.fire_officer.has_perm("jps.see_panel", table.panel) is False
    assert a.housing_officer.has_perm("jps.see_panel", table.panel)


def test_agencies_at_the_table_record_decisions_and_take_owned_dated_actions(table: Table) -> None:
    a = table.area
    services.panel_agenda_build(panel=table.panel, by=a.safety_lead)
    victim_item = table.panel.items.get(reason=Reason.HIGH_RISK_VICTIM)
    services.panel_decide(item=victim_item, by=a.council_officer, decision="Move Ann to a safe tenancy.")
    taken = services.panel_action_take(
        item=victim_item, by=a.council_officer, description="Offer Ann a management transfer", agency=a.housing,
        assignee=a.housing_officer, due_on=d("2026-06-29"),
    )  # fmt: skip
    action = taken.action
    assert (action.problem, action.agency, action.assignee, action.due_on) == (
        a.problem, a.housing, a.housing_officer, d("2026-06-29"),
    )  # fmt: skip
    assert m.Participation.objects.filter(problem=a.problem, agency=a.housing).exists()  # housing now takes part
    table.panel.refresh_from_db()
    victim_item.refresh_from_db()
    assert table.panel.status == m.Panel.Status.HELD
    assert victim_item.decided_by == a.council_officer and victim_item.history.count() == 2
    assert m.PanelAction.history.count() == 1 and action.history.count() == 1
    housing_item = table.panel.items.get(problem=table.housing_problem)
    with pytest.raises(PermissionDenied):  # the council takes no part in the housing problem
        services.panel_decide(item=housing_item, by=a.council_officer, decision="Clear it")
    with pytest.raises(PermissionDenied):  # the fire service is not at the table
        services.panel_decide(item=victim_item, by=a.fire_officer, decision="Fit alarms")
    services.panel_decide(item=housing_item, by=a.housing_officer, decision="Clear it by Friday.")


def test_nothing_is_decided_before_the_panel_meets(table: Table) -> None:
    a = table.area
    later = services.panel_create(by=a.supervisor, district=a.district, starts_at=at("2026-06-22"), online=True)
    services.panel_agenda_build(panel=later, by=a.supervisor)
    with pytest.raises(ValidationError, match="not met yet"):
        services.panel_decide(item=later.items.first(), by=a.supervisor, decision="Too soon")
    with pytest.raises(PermissionDenied):  # a partner who is not the area's lead does not arrange panels
        services.panel_create(by=a.council_officer, district=a.district, starts_at=at("2026-06-22"), online=True)


def test_the_panel_is_the_case_review_s_meeting_and_makes_its_recommendations(table: Table) -> None:
    a = table.area
    services.case_review_decide(application=table.review, by=a.council_officer, met=True, reasons="Three agencies.")
    services.panel_agenda_build(panel=table.panel, by=a.safety_lead)
    item = table.panel.items.get(reason=Reason.CASE_REVIEW_DUE)
    services.panel_case_review_held(item=item, by=a.council_officer, findings="Nobody shared the reports.")
    for text, agency in (("Visit Ann with the housing officer", a.housing), ("Weekly patrols", a.police)):
        services.panel_case_review_recommend(
            item=item, by=a.council_officer, problem=a.problem, text=text, agency=agency, due_on=d("2026-07-01")
        )
    table.review.refresh_from_db()
    assert table.review.state == m.CaseReviewState.MEETING_HELD and table.review.meeting_held_on == d("2026-06-15")
    assert set(table.review.meeting_agencies.all()) == {a.police, a.council, a.housing}
    assert table.review.recommendations.count() == 2 and item.actions_taken.count() == 2
    item.refresh_from_db()
    assert item.decision.startswith("Case review held.")
