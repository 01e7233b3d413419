"""The write policy, tried as an attacker would: every role × every write endpoint × every policy field.

Each forbidden write is refused (a 400 naming the field through the API; on the web the form has
no such field or no such choice) and nothing is stored. The expectations are written out here by
hand, not read from ``jps.policy``, so the policy cannot pass its own test by being wrong.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from jps import models as m
from jps import policy, services
from jps.models import Stage
from tests import factories as f
from tests.conftest import verified_login

from .conftest import client_for

#: Roles that may log problems, each with a neighbourhood in its own area (set in ``cast``).
LOGGERS = ["pcso", "other_officer", "supervisor", "other_supervisor", "partner", "other_partner"]
#: Roles that may not log problems at all: 403 whatever they send.
NON_LOGGERS = ["analyst", "call_handler", "web_editor", "training"]


@pytest.fixture
def cast(
    pcso,
    other_officer,
    supervisor,
    other_supervisor,
    partner_user,
    other_partner,
    analyst,
    call_handler,
    web_editor,
    training_manager,
    neighbourhood,
    other_neighbourhood,
    force,
):  # type: ignore[no-untyped-def]
    """Everyone, where each works, and things that belong to nobody in this area."""
    far_force = f.ForceFactory(code="FAR", name="Far Constabulary", slug="far")
    far_agency = f.AgencyFactory(name="Far District Council", force=far_force)
    return {
        "users": {
            "pcso": pcso,
            "other_officer": other_officer,
            "supervisor": supervisor,
            "other_supervisor": other_supervisor,
            "partner": partner_user,
            "other_partner": other_partner,
            "analyst": analyst,
            "call_handler": call_handler,
            "web_editor": web_editor,
            "training": training_manager,
        },
        "home": {
            "pcso": neighbourhood,
            "other_officer": other_neighbourhood,
            "supervisor": neighbourhood,
            "other_supervisor": other_neighbourhood,
            "partner": neighbourhood,
            "other_partner": neighbourhood,
        },
        "away": {
            "pcso": other_neighbourhood,
            "other_officer": neighbourhood,
            "supervisor": other_neighbourhood,
            "other_supervisor": neighbourhood,
            "partner": other_neighbourhood,
            "other_partner": other_neighbourhood,
        },
        "far_agency": far_agency,
    }


def log_body(neighbourhood: m.Neighbourhood, category: m.Category, **extra: Any) -> dict[str, Any]:
    return {
        "title": "Cars racing on the ring road",
        "description": "Late at night, most weekends.",
        "neighbourhood": neighbourhood.pk,
        "category": category.pk,
        "source": "community",
        "originator": "Residents' association",
        **extra,
    }


def forbidden_on_logging(role: str, cast: dict[str, Any], police: m.Agency) -> dict[str, Any]:
    """For each policy field, a value ``role`` may not set when logging (by hand, not from the policy)."""
    users = cast["users"]
    bad: dict[str, Any] = {
        "owner:call_handler": ("owner", users["call_handler"].pk),  # nobody makes a call handler an owner
        "owner:analyst": ("owner", users["analyst"].pk),
        "lead_agency:other_force": ("lead_agency", cast["far_agency"].pk),
        "neighbourhood:out_of_area": ("neighbourhood", cast["away"][role].pk),
    }
    if role not in ("supervisor", "other_supervisor"):  # supervisors adopt public priorities in their district
        bad |= {
            "public_priority": ("public_priority", True),
            "adopted_on": ("adopted_on", "2026-01-01"),
            "public_title": ("public_title", "Our agency's message to residents"),
        }
    if role in ("partner", "other_partner"):  # a partner names only its own agency and its own staff
        bad |= {"owner:police": ("owner", users["pcso"].pk), "lead_agency:police": ("lead_agency", police.pk)}
    if role in ("pcso", "supervisor"):  # staff of another district cannot be handed the problem
        bad["owner:other_district"] = ("owner", users["other_officer"].pk)
    return bad


@pytest.mark.django_db
@pytest.mark.parametrize("role", LOGGERS)
def test_logging_through_the_api_refuses_every_field_the_role_may_not_set(role, cast, category, police):
    user = cast["users"][role]
    client = client_for(user)
    for case, (name, value) in forbidden_on_logging(role, cast, police).items():
        before = m.Problem.objects.count()
        body = log_body(cast["home"][role], category) | {name: value}
        response = client.post("/api/problems/", body, format="json")
        assert response.status_code == 400, (role, case, response.content)
        assert name in response.json(), (role, case, response.json())
        assert m.Problem.objects.count() == before, (role, case)
    # the same request without the forbidden field is accepted: the refusals above were about the field
    response = client.post("/api/problems/", log_body(cast["home"][role], category), format="json")
    assert response.status_code == 201, (role, response.content)


@pytest.mark.django_db
@pytest.mark.parametrize("role", NON_LOGGERS)
def test_roles_that_may_not_log_are_refused_whatever_they_send(role, cast, category, neighbourhood):
    client = client_for(cast["users"][role])
    for extra in ({}, {"public_priority": True, "public_title": "x"}, {"owner": cast["users"][role].pk}):
        response = client.post("/api/problems/", log_body(neighbourhood, category, **extra), format="json")
        assert response.status_code == 403, (role, extra)
    assert not m.Problem.objects.exists()


@pytest.mark.django_db
def test_what_each_role_may_set_when_logging(cast, category, police, council):
    """The allowed side of the matrix: a supervisor adopts in public at once; a partner names its own."""
    supervisor, partner = cast["users"]["supervisor"], cast["users"]["partner"]
    colleague = f.UserFactory(role="partner", agency=council)
    body = log_body(cast["home"]["supervisor"], category, public_priority=True, public_title="Racing on the ring road")
    response = client_for(supervisor).post("/api/problems/", body, format="json")
    assert response.status_code == 201 and response.json()["adopted_on"], response.content
    body = log_body(cast["home"]["partner"], category, owner=colleague.pk, lead_agency=council.pk)
    response = client_for(partner).post("/api/problems/", body, format="json")
    assert response.status_code == 201 and (response.json()["owner"], response.json()["lead_agency"]) == (
        colleague.pk,
        council.pk,
    )


# --- editing a problem ----------------------------------------------------------------------------


def policy_snapshot(problem: m.Problem) -> tuple[Any, ...]:
    problem = m.Problem.objects.get(pk=problem.pk)
    outcome = m.Assessment.objects.filter(problem=problem).values_list("public_outcome", flat=True).first()
    return (
        problem.owner_id,
        problem.lead_agency_id,
        problem.neighbourhood_id,
        problem.public_priority,
        problem.adopted_on,
        problem.public_title,
        outcome,
    )


#: PATCH /api/problems/{id}/ on the PCSO's problem (Canterbury, council taking part), by role:
#: the answer for each field. 404: cannot see it; 403: sees it, may not work it; 400: the field is refused.
EDIT_FIELDS = {
    "owner": lambda cast: cast["users"]["call_handler"].pk,
    "lead_agency": lambda cast: cast["far_agency"].pk,
    "neighbourhood": lambda cast: cast["away"]["pcso"].pk,
    "public_priority": lambda cast: True,
    "adopted_on": lambda cast: "2026-01-01",
    "public_title": lambda cast: "Published by whoever asked",
}
EDIT_EXPECTED = {
    "pcso": dict.fromkeys(EDIT_FIELDS, 400),
    "supervisor": {"owner": 400, "lead_agency": 400, "neighbourhood": 400},  # public fields: allowed (below)
    "other_officer": dict.fromkeys(EDIT_FIELDS, 404),
    "other_supervisor": dict.fromkeys(EDIT_FIELDS, 404),
    # takes part, may read it, may not edit it; owner and lead agency are no edit's fields at all (400 first)
    "partner": dict.fromkeys(EDIT_FIELDS, 403) | {"owner": 400, "lead_agency": 400},
    "other_partner": dict.fromkeys(EDIT_FIELDS, 404),
    "call_handler": dict.fromkeys(EDIT_FIELDS, 403) | {"owner": 400, "lead_agency": 400},  # reads open problems
    "analyst": dict.fromkeys(EDIT_FIELDS, 404),  # closed problems only
    "web_editor": dict.fromkeys(EDIT_FIELDS, 404),  # public priorities only
    "training": dict.fromkeys(EDIT_FIELDS, 404),
}


@pytest.fixture
def worked(problem, council):  # type: ignore[no-untyped-def]
    m.Participation.objects.create(problem=problem, agency=council)
    return problem


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(EDIT_EXPECTED))
def test_editing_through_the_api_refuses_every_field_the_role_may_not_set(role, cast, worked):
    client = client_for(cast["users"][role])
    for name, expected in EDIT_EXPECTED[role].items():
        before = policy_snapshot(worked)
        response = client.patch(f"/api/problems/{worked.pk}/", {name: EDIT_FIELDS[name](cast)}, format="json")
        assert response.status_code == expected, (role, name, response.content)
        if expected == 400:
            assert name in response.json(), (role, name, response.json())
        assert policy_snapshot(worked) == before, (role, name)


@pytest.mark.django_db
def test_a_supervisor_of_the_district_edits_the_public_fields(cast, worked):
    response = client_for(cast["users"]["supervisor"]).patch(
        f"/api/problems/{worked.pk}/", {"public_priority": True, "public_title": "Racing"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["public_title"] == "Racing" and response.json()["adopted_on"]


# --- the public face: POST /api/problems/{id}/public/ and the assessment's public outcome -----------------


PUBLIC_EXPECTED = {
    "pcso": 403,  # owns and works it; the public face is the supervisor's or the web editor's
    "partner": 403,
    "call_handler": 403,
    "other_officer": 404,
    "other_supervisor": 404,
    "other_partner": 404,
    "analyst": 404,
    "training": 404,
    "supervisor": 200,
    "web_editor": 200,
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(PUBLIC_EXPECTED))
def test_only_the_district_supervisor_and_the_web_editor_set_what_the_public_reads(role, cast, worked, supervisor):
    services.problem_public_set(problem=worked, by=supervisor, public_priority=True, public_title="Racing")
    before = policy_snapshot(worked)
    body = {"public_title": "Rewritten", "public_outcome": "Solved, says whoever asked"}
    response = client_for(cast["users"][role]).post(f"/api/problems/{worked.pk}/public/", body, format="json")
    assert response.status_code == PUBLIC_EXPECTED[role], (role, response.content)
    after = policy_snapshot(worked)
    if PUBLIC_EXPECTED[role] == 200:
        assert after[5:] == ("Rewritten", "Solved, says whoever asked")
    else:
        assert after == before


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(r for r, code in PUBLIC_EXPECTED.items() if code != 200))
def test_the_welsh_public_text_is_as_closed_as_the_english(role, cast, worked, supervisor):
    """``policy.WELSH_PUBLIC_FIELDS`` (issue 20): whoever may not set the public title may not set its Welsh twin."""
    services.problem_public_set(problem=worked, by=supervisor, public_priority=True, public_title="Racing")
    body = {"public_title_cy": "Ailysgrifennwyd", "public_outcome_cy": "Wedi'i ddatrys"}
    response = client_for(cast["users"][role]).post(f"/api/problems/{worked.pk}/public/", body, format="json")
    assert response.status_code == PUBLIC_EXPECTED[role], (role, response.content)
    worked.refresh_from_db()
    assert worked.public_title_cy == ""
    assert not m.Assessment.objects.filter(problem=worked).exclude(public_outcome_cy="").exists()


@pytest.mark.django_db
def test_the_owner_may_not_write_the_public_outcome_of_the_assessment(cast, worked, pcso, supervisor):
    url = f"/api/problems/{worked.pk}/assessment/"
    response = client_for(pcso).patch(url, {"evidence": "Calls down", "public_outcome": "All fixed"}, format="json")
    assert response.status_code == 400 and "public_outcome" in response.json()
    assert not m.Assessment.objects.filter(problem=worked).exists()  # nothing stored, not even the evidence
    response = client_for(pcso).put(url, {"evidence": "Calls down"}, format="json")
    assert response.status_code == 200  # the rest of the assessment is the owner's
    response = client_for(supervisor).patch(url, {"public_outcome": "Calls halved"}, format="json")
    assert response.status_code == 200
    assert m.Assessment.objects.get(problem=worked).public_outcome == "Calls halved"


@pytest.mark.django_db
def test_a_field_no_write_endpoint_takes_is_refused_by_name(cast, worked, pcso, council):
    """DRF would drop it silently; the caller would believe it was stored."""
    action = services.action_add(problem=worked, by=pcso, action_type="prevention", description="x", agency=council)
    cases = [
        ("patch", f"/api/problems/{worked.pk}/", {"title": "T", "stage": "closed"}, "stage"),
        ("patch", f"/api/problems/{worked.pk}/", {"title": "T", "reference": "KNT-0"}, "reference"),
        ("patch", f"/api/actions/{action.pk}/", {"result": "r", "agency": council.pk}, "agency"),
        ("post", "/api/updates/", {"problem": worked.pk, "text": "t", "status": "approved"}, "status"),
        ("put", f"/api/problems/{worked.pk}/analysis/", {"victim": "v", "problem": 1}, "problem"),
    ]
    for method, url, body, refused in cases:
        response = getattr(client_for(pcso), method)(url, body, format="json")
        assert response.status_code == 400 and list(response.json()) == [refused], (url, response.content)
    worked.refresh_from_db()
    assert worked.title != "T" and worked.stage == Stage.SCANNING
    assert not m.ProgressUpdate.objects.exists() and not m.Analysis.objects.exists()


# --- owners: reviews, hand-overs and actions ------------------------------------------------------------


@pytest.mark.django_db
def test_a_review_cannot_make_anyone_but_district_staff_the_owner(cast, worked, supervisor, police):
    far_officer = f.UserFactory(role="officer", agency=police, neighbourhoods=[cast["away"]["pcso"]])
    for who in ("call_handler", "analyst", "web_editor", "training"):
        candidates = [cast["users"][who], far_officer]
        for candidate in candidates:
            body = {"problem": worked.pk, "comment": "c", "decision": "change_owner", "new_owner": candidate.pk}
            response = client_for(supervisor).post("/api/reviews/", body, format="json")
            assert response.status_code == 400 and "new_owner" in response.json(), (who, response.content)
    assert not m.SupervisoryReview.objects.exists()
    assert m.Problem.objects.get(pk=worked.pk).owner == cast["users"]["pcso"]
    colleague = f.UserFactory(role="officer", agency=police, neighbourhoods=[worked.neighbourhood])
    body = {"problem": worked.pk, "comment": "c", "decision": "change_owner", "new_owner": colleague.pk}
    assert client_for(supervisor).post("/api/reviews/", body, format="json").status_code == 201


@pytest.mark.django_db
def test_the_review_form_offers_only_the_owners_the_policy_allows(client, cast, worked, supervisor):
    verified_login(client, supervisor)
    page = client.get(reverse("problem_review", args=[worked.pk])).content.decode()
    for who in ("call_handler", "analyst", "web_editor", "other_officer"):
        assert f'value="{cast["users"][who].pk}"' not in page, who
    body = {"comment": "c", "decision": "change_owner", "new_owner": cast["users"]["call_handler"].pk}
    response = client.post(reverse("problem_review", args=[worked.pk]), body)
    assert response.status_code == 200 and "Select the new owner from the list" in response.content.decode()
    assert m.Problem.objects.get(pk=worked.pk).owner == cast["users"]["pcso"]
    assert set(policy.owner_choices(supervisor, worked.district_id)) == {
        cast["users"]["pcso"],
        supervisor,
        cast["users"]["partner"],
        cast["users"]["other_partner"],
    }


@pytest.mark.django_db
def test_hand_overs_and_actions_stay_inside_the_force_area(cast, worked, pcso):
    far = cast["far_agency"]
    far_user = f.UserFactory(role="partner", agency=far, neighbourhoods=[worked.neighbourhood])
    client = client_for(pcso)
    body = {"problem": worked.pk, "action_type": "prevention", "description": "x", "agency": far.pk}
    response = client.post("/api/actions/", body, format="json")
    assert response.status_code == 400 and "agency" in response.json()
    council_action = services.action_add(
        problem=worked, by=pcso, action_type="prevention", description="y", agency=cast["users"]["partner"].agency
    )
    transfer = {"to_agency": far.pk, "reason": "r"}
    response = client.post(f"/api/actions/{council_action.pk}/transfer/", transfer, format="json")
    assert response.status_code == 400 and "to_agency" in response.json()
    with pytest.raises(services.ValidationError) as refused:
        services.problem_transfer(problem=worked, by=pcso, to_agency=far, to_owner=far_user, reason="r")
    assert "to_agency" in refused.value.message_dict
    assert list(m.Action.objects.values_list("agency_id", flat=True)) == [council_action.agency_id]
    assert m.Problem.objects.get(pk=worked.pk).owner == pcso


# --- the web forms --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["pcso", "partner"])
def test_the_log_form_stores_none_of_the_fields_it_does_not_have(role, client, cast, category, police):
    user = cast["users"][role]
    verified_login(client, user)
    body = {
        "neighbourhood": cast["home"][role].pk,
        "category": category.pk,
        "source": "community",
        "originator": "A resident",
        "title": "Fly-tipping by the garages",
        "description": "Mattresses.",
        "confirm_new": "1",
        # fields the form does not have, sent anyway
        "public_priority": "on",
        "adopted_on": "2026-01-01",
        "public_title": "Published by a form",
        "owner": cast["users"]["call_handler"].pk,
        "lead_agency": cast["far_agency"].pk,
    }
    response = client.post(reverse("problem_create"), body)
    assert response.status_code == 302, response.content.decode()[:500]
    problem = m.Problem.objects.get(title="Fly-tipping by the garages")
    assert (problem.public_priority, problem.adopted_on, problem.public_title) == (False, None, "")
    assert problem.owner == user and problem.lead_agency == user.agency


@pytest.mark.django_db
def test_the_log_form_offers_and_accepts_only_neighbourhoods_in_the_users_area(client, cast, category):
    partner = cast["users"]["partner"]
    verified_login(client, partner)
    page = client.get(reverse("problem_create")).content.decode()
    assert f'value="{cast["away"]["partner"].pk}"' not in page
    body = {
        "neighbourhood": cast["away"]["partner"].pk,
        "category": category.pk,
        "source": "community",
        "originator": "A resident",
        "title": "Outside my area",
        "description": "x",
        "confirm_new": "1",
    }
    response = client.post(reverse("problem_create"), body)
    assert response.status_code == 200 and not m.Problem.objects.filter(title="Outside my area").exists()


@pytest.mark.django_db
def test_the_assessment_form_has_no_public_outcome_for_the_owner(client, worked, pcso, supervisor, council):
    from tests.frontend import helpers as h

    h.to_assessment(worked, pcso, council)
    verified_login(client, pcso)
    page = client.get(reverse("problem", args=[worked.pk])).content.decode()
    assert "assessment-evidence" in page and "assessment-public_outcome" not in page
    body = {
        "assessment-outcome": "reduced",
        "assessment-reduction_percent": "30",
        "assessment-evidence": "Calls down",
        "assessment-public_outcome": "Published by the owner",
    }
    client.post(reverse("problem_assessment", args=[worked.pk]), body)
    assessment = m.Assessment.objects.get(problem=worked)
    assert assessment.evidence == "Calls down" and assessment.public_outcome == ""
    verified_login(client, supervisor)
    assert "assessment-public_outcome" in client.get(reverse("problem", args=[worked.pk])).content.decode()


# --- separation of duties -------------------------------------------------------------------------------


def assessed(problem: m.Problem, owner: m.User, agency: m.Agency) -> m.Problem:
    from tests.frontend import helpers as h

    h.to_assessment(problem, owner, agency)
    h.assess(problem, owner)
    return problem


@pytest.mark.django_db
def test_a_supervisor_cannot_sign_off_a_problem_they_own(supervisor, neighbourhood, category, police, district):
    problem = assessed(
        f.ProblemFactory(owner=supervisor, neighbourhood=neighbourhood, category=category), supervisor, police
    )
    services.problem_request_closure(problem=problem, by=supervisor)
    with pytest.raises(services.PermissionDenied):
        services.problem_transition(problem=problem, to=Stage.CLOSED, by=supervisor, reason="done")
    with pytest.raises(services.PermissionDenied):
        services.review_record(problem=problem, by=supervisor, comment="Done", decision="close", reason="done")
    assert not m.SupervisoryReview.objects.exists()  # the refused decision takes its review with it
    assert m.Problem.objects.get(pk=problem.pk).stage == Stage.ASSESSMENT
    colleague = f.UserFactory(role="supervisor", agency=police, districts=[district])
    services.problem_transition(problem=problem, to=Stage.CLOSED, by=colleague, reason="Independently checked")
    assert m.Problem.objects.get(pk=problem.pk).closed_by == colleague


@pytest.mark.django_db
def test_whoever_asked_for_closure_cannot_sign_it_off(problem, pcso, supervisor, police, district):
    """A supervisor who works a problem in the officer's stead and asks for closure is not the one to close it."""
    assessed(problem, pcso, police)
    services.problem_request_closure(problem=problem, by=supervisor)
    with pytest.raises(services.PermissionDenied):
        services.problem_transition(problem=problem, to=Stage.CLOSED, by=supervisor, reason="done")
    response = client_for(supervisor).post(
        f"/api/problems/{problem.pk}/transition/", {"to": "closed", "reason": "r"}, format="json"
    )
    assert response.status_code == 403
    district.inspector = f.UserFactory(role="supervisor", agency=police)  # the inspector may, from outside
    district.save()
    problem = m.Problem.objects.get(pk=problem.pk)
    services.problem_transition(problem=problem, to=Stage.CLOSED, by=district.inspector, reason="Checked")
    assert problem.closed_by == district.inspector and problem.closure_requested_by == supervisor


@pytest.mark.django_db
def test_the_problem_page_says_who_may_sign_off(client, supervisor, neighbourhood, category, police):
    problem = assessed(
        f.ProblemFactory(owner=supervisor, neighbourhood=neighbourhood, category=category), supervisor, police
    )
    verified_login(client, supervisor)
    page = client.get(reverse("problem", args=[problem.pk])).content.decode()
    assert "neither owns the problem nor asked for its closure" in page


# --- withdrawal and edits of what is public publish at once ---------------------------------------------


@pytest.mark.django_db
def test_withdrawing_or_retitling_a_public_priority_queues_an_export(
    worked, supervisor, web_editor, pcso, django_capture_on_commit_callbacks
):
    from django.db import transaction

    services.problem_public_set(problem=worked, by=supervisor, public_priority=True, public_title="Racing")
    for by, change in (
        (web_editor, {"public_title": "Racing on the ring road"}),
        (web_editor, {"public_outcome": "Calls halved"}),
        (supervisor, {"public_priority": False}),
    ):
        transaction.get_connection().run_on_commit.clear()
        with django_capture_on_commit_callbacks(execute=False) as queued:
            services.problem_public_set(problem=worked, by=by, **change)
        assert [getattr(c, "jps_publish", False) for c in queued] == [True], change
    transaction.get_connection().run_on_commit.clear()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.problem_update(problem=worked, by=pcso, description="Internal only")
    assert queued == []  # no longer public, and nothing public changed


@pytest.mark.django_db
def test_a_pact_meeting_still_adopts_priorities_in_public(pcso, neighbourhood, category):
    """The PACT flow is one the policy names: an officer agreeing a priority at a meeting adopts it."""
    from jps import meetings

    meeting = meetings.meeting_create(
        by=pcso,
        neighbourhoods=[neighbourhood],
        starts_at=datetime.datetime(2026, 11, 3, 19, tzinfo=datetime.UTC),
        venue="Village hall",
    )
    item = meetings.meeting_agree_new_priority(
        meeting=meeting,
        by=pcso,
        neighbourhood=neighbourhood,
        category=category,
        title="Speeding by the school",
        description="At drop-off.",
    )
    assert item.problem.public_priority and item.problem.adopted_on == meeting.date


@pytest.mark.django_db
def test_the_public_form_on_the_problem_page_is_the_supervisors_and_the_web_editors(
    client, worked, pcso, supervisor, web_editor
):
    url = reverse("problem_public", args=[worked.pk])
    body = {"public-public_priority": "on", "public-public_title": "Racing on the ring road"}
    verified_login(client, pcso)
    assert "What the public sees" not in client.get(reverse("problem", args=[worked.pk])).content.decode()
    assert client.post(url, body).status_code == 403
    assert policy_snapshot(worked)[3:6] == (False, None, "")
    verified_login(client, supervisor)
    assert client.post(url, body).status_code == 302
    assert policy_snapshot(worked)[3:6] == (True, timezone.localdate(), "Racing on the ring road")
    verified_login(client, web_editor)  # sees it now it is public, and may withdraw it
    page = client.get(reverse("problem", args=[worked.pk])).content.decode()
    assert "Change or withdraw the public priority" in page
    body = {"public-public_title": "Racing on the ring road", "public-adopted_on": str(timezone.localdate())}
    assert client.post(url, body).status_code == 302
    assert policy_snapshot(worked)[3] is False
