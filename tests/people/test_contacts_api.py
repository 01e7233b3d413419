"""The contact agreements API: agree, change, log; partners refused (403 in sight, 404 out of it); a 400 at closure."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from jps import models as m
from jps import services
from tests.api.conftest import client_for
from tests.frontend import helpers as h


@pytest.fixture
def sharon(world, pcso) -> m.Person:  # type: ignore[no-untyped-def]
    person = services.person_create(by=pcso, name="Sharon Doyle")
    services.problem_person_link(problem=world.own, person=person, role="victim", by=pcso)
    return person


def url(problem: m.Problem, *rest: object) -> str:
    return "/".join([f"/api/problems/{problem.pk}/contacts", *map(str, rest), ""]).replace("//", "/")


AGREEMENT = {"preferred_method": "phone", "contact_every_days": 7, "times_to_avoid": "Not after 8pm"}


def test_agree_change_and_log_a_contact(world, sharon, pcso):
    api = client_for(pcso)
    created = api.post(url(world.own), {"person": sharon.pk, **AGREEMENT}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["person"], body["name"], body["kind"], body["days_overdue"]) == (
        sharon.pk,
        "Sharon Doyle",
        "victim",
        0,
    )
    assert body["next_contact_due"] and body["final_contact_logged"] is False and body["agreed_by"]
    contact = m.Contact.objects.get()

    changed = api.patch(url(world.own, contact.pk), {"contact_every_days": 14}, format="json")
    assert changed.status_code == 200 and changed.json()["contact_every_days"] == 14

    entry = {"method": "visit", "summary": "Explained the dispersal order", "reached": True}
    logged = api.post(url(world.own, contact.pk, "log"), entry, format="json")
    assert logged.status_code == 201, logged.content
    assert logged.json()["due_on"] == changed.json()["next_contact_due"] and logged.json()["on_time"] is True
    log = api.get(url(world.own, contact.pk, "log")).json()
    assert [e["summary"] for e in log] == ["Explained the dispersal order"]
    listed = api.get(url(world.own)).json()
    two_weeks_on = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()  # from today's contact
    assert [c["id"] for c in listed] == [contact.pk] and listed[0]["next_contact_due"] == two_weeks_on
    assert api.get(url(world.own, contact.pk)).json()["name"] == "Sharon Doyle"

    reason = {"no_final_contact_reason": "Moved away, no forwarding details"}
    assert api.patch(url(world.own, contact.pk), reason, format="json").json()["no_final_contact_reason"]


def test_reads_are_in_the_access_log_with_the_people_shown(world, sharon, pcso):
    api = client_for(pcso)
    contact_id = api.post(url(world.own), {"person": sharon.pk, **AGREEMENT}, format="json").json()["id"]
    before = m.ProblemView.objects.order_by("-id").values_list("id", flat=True).first() or 0
    api.get(url(world.own))
    api.get(url(world.own, contact_id, "log"))
    read = m.ProblemView.objects.filter(id__gt=before)
    assert set(read.values_list("problem_id", "person_id", "channel")) == {
        (world.own.pk, None, "api"),
        (world.own.pk, sharon.pk, "api"),
    }
    assert read.count() == 4


def test_partners_are_refused_every_contact_endpoint(world, sharon, pcso, partner_user, other_partner):
    contact = services.contact_agree(
        link=world.own.person_links.get(), by=pcso, preferred_method="phone", contact_every_days=7
    )
    before = (m.Contact.objects.count(), m.ContactLog.objects.count())
    entry = {"method": "phone", "summary": "x", "reached": True}
    for user, status in ((partner_user, 403), (other_partner, 404)):  # takes part in the problem / does not see it
        api = client_for(user)
        answers = [
            api.get(url(world.own)),
            api.post(url(world.own), {"person": sharon.pk, **AGREEMENT}, format="json"),
            api.get(url(world.own, contact.pk)),
            api.patch(url(world.own, contact.pk), {"contact_every_days": 1}, format="json"),
            api.get(url(world.own, contact.pk, "log")),
            api.post(url(world.own, contact.pk, "log"), entry, format="json"),
        ]
        assert [a.status_code for a in answers] == [status] * 6
        assert all("Sharon" not in a.content.decode() for a in answers)
    assert (m.Contact.objects.count(), m.ContactLog.objects.count()) == before
    assert client_for(None).get(url(world.own)).status_code == 401


def test_an_agreement_is_found_only_on_its_own_problem(world, sharon, pcso, supervisor):
    contact = services.contact_agree(
        link=world.own.person_links.get(), by=pcso, preferred_method="phone", contact_every_days=7
    )
    other_own = world.public
    api = client_for(supervisor)
    assert api.get(url(other_own, contact.pk)).status_code == 404
    assert api.post(url(other_own, contact.pk, "log"), {"method": "phone"}, format="json").status_code == 404
    assert api.get(url(world.other)).status_code == 404  # Dover: out of the Canterbury sergeant's sight


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"person": 0, **AGREEMENT}, "person"),  # not on this problem
        ({**AGREEMENT}, "person"),  # neither a person nor the older shape
        ({"person": "sharon", **AGREEMENT}, "person"),
        ({"preferred_method": "phone"}, "person"),
        ({"PERSON": True, **AGREEMENT}, "PERSON"),
        ({"contact_every_days": 0, "preferred_method": "phone", "person": "SHARON"}, "contact_every_days"),
        ({"preferred_method": "phone", "person": "SHARON"}, "contact_every_days"),
        ({"name": "Also named", "preferred_method": "phone", "person": "SHARON", "contact_every_days": 7}, "name"),
        (
            {
                "next_contact_due": "2020-01-01",
                "preferred_method": "phone",
                "person": "SHARON",
                "contact_every_days": 7,
            },
            "next_contact_due",
        ),
        ({"next_contact_due": "2020-01-01", "preferred_method": "phone", "kind": "victim", "name": "X"}, "person"),
        ({"role": "witness", "preferred_method": "phone", "person": "SHARON", "contact_every_days": 7}, "role"),
        ({"role": "complainant", "preferred_method": "phone", "person": "SHARON", "contact_every_days": 7}, "person"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_saved(world, sharon, pcso, body, field):
    body = {k: (sharon.pk if v == "SHARON" else v) for k, v in body.items()}
    answer = client_for(pcso).post(url(world.own), body, format="json")
    assert answer.status_code == 400, answer.content
    assert field in answer.json()
    assert not m.Contact.objects.exists()


def test_a_bad_log_entry_is_a_400_and_moves_nothing(world, sharon, pcso):
    api = client_for(pcso)
    contact = api.post(url(world.own), {"person": sharon.pk, **AGREEMENT}, format="json").json()
    for body, field in [
        ({"method": "phone", "summary": "Spoke"}, "reached"),
        ({"method": "phone", "summary": " ", "reached": True}, "summary"),
        ({"method": "pigeon", "summary": "Spoke", "reached": True}, "method"),
        ({"method": "phone", "summary": "Spoke", "reached": True, "contacted_at": "2999-01-01T10:00"}, "contacted_at"),
        ({"method": "phone", "summary": "Spoke", "reached": True, "due_on": "2026-01-01"}, "due_on"),
    ]:
        answer = api.post(url(world.own, contact["id"], "log"), body, format="json")
        assert answer.status_code == 400 and field in answer.json(), (body, answer.content)
    assert not m.ContactLog.objects.exists()
    assert str(m.Contact.objects.get().next_contact_due) == contact["next_contact_due"]


def test_the_older_body_still_records_a_named_contact(world, pcso):
    body = {"kind": "victim", "name": "Mrs Jones", "preferred_method": "phone", "contact_every_days": 14}
    answer = client_for(pcso).post(url(world.own), body, format="json")
    assert answer.status_code == 201 and answer.json()["name"] == "Mrs Jones" and answer.json()["person"] is None


def test_closing_without_a_final_contact_is_a_400_naming_the_victims(world, sharon, pcso, supervisor, police):
    problem = world.own
    m.Action.objects.filter(problem=problem).update(status="done", result="Lights fixed")
    h.to_assessment(problem, pcso, police)
    h.assess(problem, pcso)
    answer = client_for(supervisor).post(f"/api/problems/{problem.pk}/transition/", {"to": "closed"}, format="json")
    assert answer.status_code == 400
    body = answer.json()
    assert body["victims"] == ["Sharon Doyle"] and "Sharon Doyle" in body["detail"]
    assert body["missing"] == ["a final contact with the victim Sharon Doyle (or the reason there can be none)"]
    contact = services.contact_agree(
        link=problem.person_links.get(), by=pcso, preferred_method="phone", contact_every_days=7
    )
    services.contact_log(contact=contact, by=pcso, method="phone", summary="Told her", reached=True, final=True)
    answer = client_for(supervisor).post(f"/api/problems/{problem.pk}/transition/", {"to": "closed"}, format="json")
    assert answer.status_code == 200 and answer.json()["stage"] == "closed"


def test_the_routes_are_in_the_openapi_document(tmp_path):
    out = tmp_path / "schema.json"
    call_command("spectacular", "--file", str(out), "--format", "openapi-json", "--validate")
    paths = json.loads(out.read_text())["paths"]
    assert {"get", "post"} <= set(paths["/api/problems/{problem_pk}/contacts/"])
    assert {"get", "patch"} <= set(paths["/api/problems/{problem_pk}/contacts/{id}/"])
    assert {"get", "post"} <= set(paths["/api/problems/{problem_pk}/contacts/{id}/log/"])
    assert "victims" in paths["/api/problems/{id}/transition/"]["post"]["description"]
