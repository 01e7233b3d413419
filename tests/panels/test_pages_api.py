"""Panels on the pages and in the API: each agency reads only its cases; decisions and actions at the table;
the case review's applicant found by search; the lead officer and incidents from the page and the API."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from jps import models as m
from jps import services

from .conftest import Table, d

pytestmark = pytest.mark.django_db
Reason = m.PanelItem.Reason


def api(user: m.User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def built(table: Table) -> Table:
    services.panel_agenda_build(panel=table.panel, by=table.area.safety_lead)
    return table


def test_the_minutes_page_shows_each_agency_only_its_cases(built: Table, client) -> None:  # type: ignore[no-untyped-def]
    a, url = built.area, f"/panels/{built.panel.pk}/"
    client.force_login(a.council_officer)
    page = client.get(url).content.decode()
    assert "Ann Jones" in page and a.problem.reference in page and built.review.reference in page
    assert built.housing_problem.reference not in page and "Dumped mattresses" not in page
    assert "1 other case" in page
    client.force_login(a.housing_officer)
    page = client.get(url).content.decode()
    assert built.housing_problem.reference in page
    assert "Ann Jones" not in page and a.problem.reference not in page and built.review.reference not in page
    client.force_login(a.fire_officer)
    assert client.get(url).status_code == 404
    assert "Canterbury ASB risk panel" not in client.get("/panels/").content.decode()


def test_the_minutes_in_the_api_show_each_agency_only_its_cases(built: Table) -> None:
    a, url = built.area, f"/api/panels/{built.panel.pk}/"
    council = api(a.council_officer).get(url).json()
    assert [i["reason"] for i in council["items"]] == [
        Reason.HIGH_RISK_VICTIM, Reason.CASE_REVIEW_DUE, Reason.REVIEW_OVERDUE, Reason.ACTION_OVERDUE,
    ]  # fmt: skip
    assert council["other_items"] == 1 and council["items"][0]["victim_name"] == "Ann Jones"
    housing = api(a.housing_officer).get(url).json()
    assert [i["problem"] for i in housing["items"]] == [built.housing_problem.pk] and housing["other_items"] == 4
    assert "Ann Jones" not in str(housing)
    assert api(a.fire_officer).get(url).status_code == 404
    assert api(a.fire_officer).get("/api/panels/").json()["results"] == []
    ann_item = council["items"][0]["id"]
    refused = api(a.housing_officer).post(f"{url}decisions/", {"item": ann_item, "decision": "x"}, format="json")
    assert refused.status_code == 404  # not one of housing's cases: as if it did not exist


def test_an_agency_at_the_table_decides_and_takes_an_action_on_the_page(built: Table, client) -> None:  # type: ignore[no-untyped-def]
    a = built.area
    item = built.panel.items.get(reason=Reason.HIGH_RISK_VICTIM)
    client.force_login(a.council_officer)
    base = f"/panels/{built.panel.pk}/items/{item.pk}"
    empty = client.post(f"{base}/decide/", {f"item-{item.pk}-decide-decision": ""})
    assert empty.status_code == 400 and "Enter what the panel decided" in empty.content.decode()
    assert client.post(f"{base}/decide/", {f"item-{item.pk}-decide-decision": "Safe tenancy"}).status_code == 302
    p = f"item-{item.pk}-action-"
    response = client.post(f"{base}/action/", {
        p + "description": "Offer a management transfer", p + "agency": a.housing.pk, p + "action_type": "prevention",
        p + "due_on_day": "29", p + "due_on_month": "6", p + "due_on_year": "2026",
    })  # fmt: skip
    assert response.status_code == 302
    action = item.actions_taken.get().action
    assert (action.agency, action.due_on, action.problem) == (a.housing, d("2026-06-29"), a.problem)
    page = client.get(f"/panels/{built.panel.pk}/").content.decode()
    assert "Safe tenancy" in page and "Offer a management transfer" in page


def test_the_api_arranges_builds_and_minutes_a_panel(table: Table) -> None:
    a = table.area
    body = {"district": a.district.pk, "starts_at": "2026-06-15T08:00:00Z", "venue": "Guildhall",
            "agencies": [a.police.pk, a.council.pk], "kind": "tasking"}  # fmt: skip
    created = api(a.supervisor).post("/api/panels/", body, format="json")
    assert created.status_code == 201, created.json()
    url = f"/api/panels/{created.json()['id']}/"
    assert api(a.council_officer).post("/api/panels/", body, format="json").status_code == 403
    built = api(a.supervisor).post(f"{url}agenda/").json()
    assert len(built["items"]) == 5
    item = next(i["id"] for i in built["items"] if i["reason"] == Reason.ACTION_OVERDUE)
    taken = api(a.council_officer).post(f"{url}actions/", {
        "item": item, "description": "Second warning letter", "agency": a.council.pk,
        "assignee": a.council_officer.pk, "due_on": "2026-06-22",
    }, format="json")  # fmt: skip
    assert taken.status_code == 201, taken.json()
    [row] = next(i for i in taken.json()["items"] if i["id"] == item)["actions_taken"]
    assert (row["agency"], row["assignee"], row["due_on"]) == (a.council.pk, a.council_officer.pk, "2026-06-22")
    patched = api(a.supervisor).patch(url, {"status": "cancelled"}, format="json")
    assert patched.status_code == 400 and "cannot be cancelled" in str(patched.json())  # an action was taken there
    moved = api(a.supervisor).patch(url, {"venue": "Council offices", "agencies": [a.police.pk]}, format="json")
    assert moved.status_code == 200 and moved.json()["agencies"] == [a.police.pk]
