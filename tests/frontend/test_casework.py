"""The casework page: bring in a partner, hand over a problem or an action, agree contact, merge a duplicate."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from jps import services
from jps.models import Contact, Participation, Problem, Stage, Transfer
from tests import factories as f

from . import helpers as h

pytestmark = pytest.mark.django_db


def _post(client, user, problem, name, data):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client.post(reverse(f"casework_{name}", args=[problem.pk]), data)


def test_problem_page_links_to_casework_and_the_page_shows_the_forms_a_role_may_use(client, pcso, supervisor, problem):
    client.force_login(pcso)
    page = client.get(reverse("problem", args=[problem.pk])).content.decode()
    assert reverse("casework", args=[problem.pk]) in page
    casework = client.get(reverse("casework", args=[problem.pk])).content.decode()
    assert "Bring in a partner agency" in casework and "Agree contact with a victim or complainant" in casework
    assert "Merge a duplicate" not in casework
    client.force_login(supervisor)
    assert "Merge a duplicate" in client.get(reverse("casework", args=[problem.pk])).content.decode()


def test_officer_brings_in_an_agency_whose_staff_then_see_the_problem(client, pcso, other_partner, housing, problem):
    client.force_login(other_partner)
    assert client.get(reverse("problem", args=[problem.pk])).status_code == 404
    response = _post(client, pcso, problem, "partner", {"partner-agency": housing.pk})
    assert response.status_code == 302
    participation = Participation.objects.get(problem=problem, agency=housing)
    assert participation.history.get().history_user == pcso
    client.force_login(other_partner)
    assert client.get(reverse("problem", args=[problem.pk])).status_code == 200


def test_handing_over_a_problem_needs_a_reason_and_then_moves_owner_and_lead_agency(
    client, pcso, partner_user, council, police, problem
):
    response = _post(client, pcso, problem, "handover", {"handover-to_owner": partner_user.pk, "handover-reason": " "})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not Transfer.objects.exists()
    response = _post(
        client,
        pcso,
        problem,
        "handover",
        {"handover-to_owner": partner_user.pk, "handover-reason": "Council enforcement leads on fly-tipping"},
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert (problem.owner, problem.lead_agency) == (partner_user, council)
    assert Participation.objects.filter(problem=problem, agency=police).exists()
    transfer = Transfer.objects.get(problem=problem)
    assert (transfer.from_agency, transfer.to_agency, transfer.by) == (police, council, pcso)


def test_partner_hands_over_their_own_action_but_not_another_agencys(
    client, pcso, partner_user, council, housing, police, problem
):
    h.to_response(problem, pcso)
    ours = h.add_action(problem, pcso, council, description="Council to clear the alley")
    theirs = h.add_action(problem, pcso, police, description="Police patrols at 9pm")
    data = {"action-to_agency": housing.pk, "action-reason": "Housing owns the alley"}
    response = _post(client, partner_user, problem, "action", {**data, "action-action": theirs.pk})
    assert response.status_code == 200
    assert "Select the action from the list" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.agency == police
    response = _post(client, partner_user, problem, "action", {**data, "action-action": ours.pk})
    assert response.status_code == 302
    ours.refresh_from_db()
    assert ours.agency == housing
    assert Transfer.objects.get(action=ours).by == partner_user
    assert Participation.objects.filter(problem=problem, agency=housing).exists()


def test_officer_agrees_contact_with_a_linked_person_and_a_partner_is_refused_and_logged(
    client, pcso, partner_user, problem, caplog
):
    """The casework form agrees contact with a victim or complainant on the problem's people (issue 18)."""
    ann, bob = (services.person_create(by=pcso, name=name) for name in ("Ann Example", "Bob Example"))
    ann_link = services.problem_person_link(problem=problem, person=ann, role="victim", by=pcso)
    bob_link = services.problem_person_link(problem=problem, person=bob, role="complainant", by=pcso)
    data = {
        "contact-person": ann_link.pk,
        "contact-preferred_method": Contact.Method.PHONE,
        "contact-contact_every_days": 14,
    }
    response = _post(client, pcso, problem, "contact", data)
    assert response.status_code == 302
    contact = Contact.objects.get(problem=problem)
    assert contact.link == ann_link and contact.history.get().history_user == pcso
    bad = _post(
        client, pcso, problem, "contact", {**data, "contact-person": bob_link.pk, "contact-contact_every_days": 0}
    )
    assert bad.status_code == 200 and Contact.objects.count() == 1
    Participation.objects.create(problem=problem, agency=partner_user.agency)
    client.force_login(partner_user)
    assert "Agree contact" not in client.get(reverse("casework", args=[problem.pk])).content.decode()
    with caplog.at_level(logging.WARNING, logger="jps.security"):
        refused = _post(client, partner_user, problem, "contact", {**data, "contact-person": bob_link.pk})
    assert refused.status_code == 403
    assert Contact.objects.count() == 1
    assert any(r.name == "jps.security" and getattr(r, "permission", "") == "jps.view_contacts" for r in caplog.records)


def test_supervisor_merges_a_duplicate_by_reference_and_an_officer_cannot(
    client, pcso, supervisor, problem, neighbourhood, category
):
    duplicate = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category)
    data = {"merge-duplicate": duplicate.reference.lower(), "merge-reason": "Same youths, same parade"}
    assert _post(client, pcso, problem, "merge", data).status_code == 403
    unknown = _post(client, supervisor, problem, "merge", {**data, "merge-duplicate": "KNT-1999-99999"})
    assert "No problem with that reference that you can see" in unknown.content.decode()
    response = _post(client, supervisor, problem, "merge", data)
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.stage == Stage.CLOSED_NO_ACTION
    assert problem.reports.get().merged_from == duplicate.reference
    assert Problem.objects.get(pk=problem.pk).is_open


def test_casework_on_an_unseen_problem_is_not_found(client, other_officer, problem, housing):
    assert _post(client, other_officer, problem, "partner", {"partner-agency": housing.pk}).status_code == 404
    assert client.get(reverse("casework", args=[problem.pk])).status_code == 404
    assert not Participation.objects.filter(problem=problem, agency=housing).exists()
