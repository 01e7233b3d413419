"""Each endpoint does its job through the services, and errors are clear JSON, never a 500."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from api.permissions import exception_handler
from jps import services
from jps.models import Action, Analysis, Evaluation, Problem, ProgressUpdate, Stage, SupervisoryReview
from jps.services import TransitionRefused

pytestmark = pytest.mark.django_db


# --- authentication ----------------------------------------------------------------------------


def test_token_for_username_and_password_then_used_as_header(partner_user, world):
    client = APIClient()
    response = client.post("/api/auth/token/", {"username": "council", "password": "correct-horse-battery"})
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=partner_user).key == key
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/problems/").status_code == 200


def test_wrong_password_is_400_and_bad_token_401(partner_user):
    client = APIClient()
    response = client.post("/api/auth/token/", {"username": "council", "password": "guess"}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/problems/").status_code == 401


def test_session_authentication_works_for_the_browser(pcso, world):
    client = APIClient()
    client.force_login(pcso)
    assert client.get(f"/api/problems/{world.own.pk}/").status_code == 200


# --- problems -----------------------------------------------------------------------------------


def test_create_problem_goes_through_the_service(api, pcso, neighbourhood, category):
    body = {
        "title": "Speeding outside the school",
        "description": "Cars speeding at pick-up time.",
        "neighbourhood": neighbourhood.pk,
        "category": category.pk,
        "source": "community",
        "originator": "Head teacher",
        "risk": "high",
    }
    response = api(pcso).post("/api/problems/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["reference"].startswith("KNT-")
    assert data["stage"] == "scanning" and data["owner"] == pcso.pk
    assert data["review_interval_days"] == 14  # set by the service from the risk
    problem = Problem.objects.get(pk=data["id"])
    assert problem.history.first().history_user == pcso


def test_missing_fields_and_service_refusals_name_the_field(api, pcso, other_neighbourhood, category):
    client = api(pcso)
    response = client.post("/api/problems/", {"title": "x"}, format="json")
    assert response.status_code == 400
    assert {"description", "source", "originator", "neighbourhood", "category"} <= set(response.json())
    body = {
        "title": "Speeding",
        "description": "Cars",
        "neighbourhood": other_neighbourhood.pk,
        "category": category.pk,
        "source": "community",
        "originator": "Head teacher",
    }
    response = client.post("/api/problems/", body, format="json")
    assert response.status_code == 400
    assert "not in your area" in response.json()["neighbourhood"][0]


def test_bad_input_never_500(api, pcso, world):
    client = api(pcso)
    for body in ([1, 2], "text", {"title": None}, {"latitude": "north"}, {"neighbourhood": "x"}, {"title": "\x00"}):
        response = client.patch(f"/api/problems/{world.own.pk}/", body, format="json")
        assert response.status_code == 400, (body, response.content)
    assert client.get("/api/problems/not-a-number/").status_code == 404
    assert client.get("/api/problems/99999999999999999999/").status_code == 404
    assert client.get("/api/problems/", {"owner": "abc"}).status_code == 400
    assert client.get("/api/problems/", {"updated_since": "yesterday"}).status_code == 400
    assert client.get("/api/problems/", {"page": 999}).status_code == 404
    response = client.post("/api/problems/", "{not json", content_type="application/json")
    assert response.status_code == 400


def test_problem_filters(api, admin_user, world, council, housing, other_neighbourhood):
    client = api(admin_user)

    def ids(**params):  # type: ignore[no-untyped-def]
        response = client.get("/api/problems/", params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(stage="closed") == {world.closed.pk}
    assert ids(stage=["closed", "scanning"]) == {world.own.pk, world.other.pk, world.closed.pk, world.public.pk}
    assert ids(neighbourhood=other_neighbourhood.pk) == {world.other.pk}
    assert ids(district=other_neighbourhood.district_id) == {world.other.pk}
    assert ids(agency=council.pk) == {world.own.pk}  # participating
    assert ids(agency=housing.pk) == {world.other.pk}
    assert ids(agency=world.own.lead_agency_id) == {world.own.pk, world.other.pk, world.closed.pk, world.public.pk}
    assert ids(owner=world.other.owner_id) == {world.other.pk}
    assert ids(public_priority="true") == {world.public.pk}
    assert ids(q=world.other.reference) == {world.other.pk}
    assert ids(q="PARADE") >= {world.own.pk}
    Problem.objects.filter(pk=world.own.pk).update(next_review_due=datetime.date(2020, 1, 1))
    Problem.objects.filter(pk=world.closed.pk).update(next_review_due=datetime.date(2020, 1, 1))
    assert ids(overdue="true") == {world.own.pk}  # closed problems are never overdue
    assert world.own.pk not in ids(overdue="false")
    Problem.objects.filter(pk=world.other.pk).update(updated_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC))
    assert ids(updated_since="2029-12-31T00:00:00Z") == {world.other.pk}
    assert ids(category=world.own.category_id) == {world.own.pk, world.other.pk, world.closed.pk, world.public.pk}


def test_ordering_is_stable_and_paged(api, admin_user, world):
    client = api(admin_user)
    Problem.objects.update(created_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))  # all tied
    first = client.get("/api/problems/", {"page_size": 2}).json()
    second = client.get("/api/problems/", {"page_size": 2, "page": 2}).json()
    seen = [r["id"] for r in first["results"] + second["results"]]
    assert sorted(seen) == sorted(Problem.objects.values_list("pk", flat=True))
    assert first["count"] == 4 and first["next"]
    by_ref = client.get("/api/problems/", {"ordering": "reference"}).json()["results"]
    assert [r["reference"] for r in by_ref] == sorted(r["reference"] for r in by_ref)


def test_transition_refusal_is_409_saying_what_is_missing(api, pcso, world):
    Problem.objects.filter(pk=world.own.pk).update(problem_statement="")
    response = api(pcso).post(f"/api/problems/{world.own.pk}/transition/", {"to": "analysis"}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["missing"] == ["a problem statement naming the behaviour, place and time"]
    assert body["conflict"] is False


def test_transition_not_in_the_table_is_409_and_bad_stage_400(api, pcso, world):
    client = api(pcso)
    response = client.post(f"/api/problems/{world.own.pk}/transition/", {"to": "closed"}, format="json")
    assert response.status_code == 409
    assert "cannot move" in response.json()["detail"]
    response = client.post(f"/api/problems/{world.own.pk}/transition/", {"to": "finished"}, format="json")
    assert response.status_code == 400 and "to" in response.json()


def test_full_walk_through_the_api(api, pcso, supervisor, council, partner_user, world):
    officer = api(pcso)
    problem = world.own
    url = f"/api/problems/{problem.pk}"
    assert officer.post(f"{url}/transition/", {"to": "analysis"}, format="json").status_code == 200
    response = officer.post(f"{url}/transition/", {"to": "response"}, format="json")
    assert response.status_code == 409 and "measurable objective" in response.json()["missing"][0]
    officer.put(f"{url}/analysis/", {"victim": "Shop"}, format="json")
    response = officer.post(f"{url}/transition/", {"to": "response"}, format="json")
    assert "a measurable objective" in response.json()["missing"]
    analysis = {"victim": "Shop", "offender": "Youths", "location": "Parade", "objective": "Halve calls"}
    assert officer.put(f"{url}/analysis/", analysis, format="json").status_code == 200
    assert officer.get(f"{url}/analysis/").json()["objective"] == "Halve calls"
    assert officer.patch(f"{url}/analysis/", {"causes": "No lighting"}, format="json").json()["victim"] == "Shop"
    assert officer.post(f"{url}/transition/", {"to": "response"}, format="json").status_code == 200
    # The council partner completes its action: a result is required first.
    partner = api(partner_user)
    action_url = f"/api/actions/{world.council_action.pk}/"
    response = partner.patch(action_url, {"status": "done"}, format="json")
    assert response.status_code == 400 and "result" in response.json()
    response = partner.patch(action_url, {"status": "done", "result": "Six lights fixed"}, format="json")
    assert response.status_code == 200 and response.json()["completed_on"]
    assert officer.post(f"{url}/transition/", {"to": "assessment"}, format="json").status_code == 200
    response = officer.patch(f"{url}/assessment/", {"outcome": "reduced"}, format="json")
    assert response.status_code == 400 and "reduction_percent" in response.json()
    assessment = {"outcome": "reduced", "reduction_percent": 60, "objective_met": "Yes", "evidence": "Calls down"}
    assert officer.put(f"{url}/assessment/", assessment, format="json").status_code == 200
    # Only a supervisor signs off.
    assert officer.post(f"{url}/transition/", {"to": "closed"}, format="json").status_code == 403
    response = api(supervisor).post(f"{url}/transition/", {"to": "closed", "reason": "Done"}, format="json")
    assert response.status_code == 200 and response.json()["stage"] == "closed"
    history = officer.get(f"{url}/history/").json()
    assert any("Sign off" in entry["reason"] for entry in history)
    assert Analysis.objects.get(problem=problem).history.first().history_user == pcso


def test_put_analysis_replaces_what_is_not_sent(api, pcso, world):
    client = api(pcso)
    url = f"/api/problems/{world.own.pk}/analysis/"
    client.put(url, {"victim": "Shop", "causes": "Lighting"}, format="json")
    data = client.put(url, {"victim": "Residents"}, format="json").json()
    assert data["victim"] == "Residents" and data["causes"] == ""


def test_transitions_list_says_why_not(api, pcso, world):
    options = api(pcso).get(f"/api/problems/{world.own.pk}/transitions/").json()
    by_target = {o["to"]: o for o in options}
    assert by_target["analysis"]["allowed"] is True
    assert (
        by_target["closed_no_action"]["allowed"] is False and "supervisor" in by_target["closed_no_action"]["why_not"]
    )


def test_contacts_create_and_read_for_the_owner(api, pcso, world):
    client = api(pcso)
    body = {"kind": "victim", "name": "Mrs Jones", "preferred_method": "phone", "contact_every_days": 14}
    response = client.post(f"/api/problems/{world.own.pk}/contacts/", body, format="json")
    assert response.status_code == 201, response.content
    assert client.get(f"/api/problems/{world.own.pk}/contacts/").json()[0]["name"] == "Mrs Jones"


# --- actions ------------------------------------------------------------------------------------


def test_partner_fetches_our_open_actions(api, partner_user, world, pcso, council):
    done = Action.objects.create(
        problem=world.own, action_type="prevention", description="Old", agency=council, created_by=pcso
    )
    Action.objects.filter(pk=done.pk).update(status="done", result="ok")
    client = api(partner_user)
    ids = [a["id"] for a in client.get("/api/actions/", {"ours": "true", "open": "true"}).json()["results"]]
    assert ids == [world.council_action.pk]
    ids = [a["id"] for a in client.get("/api/actions/", {"agency": council.pk, "status": "done"}).json()["results"]]
    assert ids == [done.pk]
    assert client.get("/api/actions/", {"problem": world.own.pk}).json()["count"] == 2
    assert client.get("/api/actions/", {"problem": world.other.pk}).json()["count"] == 0


def test_partner_cannot_update_another_agencys_action(api, partner_user, world, pcso, police):
    police_action = Action.objects.create(
        problem=world.own, action_type="enforcement", description="Patrol", agency=police, created_by=pcso
    )
    response = api(partner_user).patch(f"/api/actions/{police_action.pk}/", {"status": "done"}, format="json")
    assert response.status_code == 403


def test_create_and_transfer_action(api, pcso, world, housing, council):
    client = api(pcso)
    body = {"problem": world.own.pk, "action_type": "enforcement", "description": "ASB warning", "agency": council.pk}
    body["due_on"] = "2026-12-01"
    response = client.post("/api/actions/", body, format="json")
    assert response.status_code == 201, response.content
    action_id = response.json()["id"]
    response = client.post(f"/api/actions/{action_id}/transfer/", {"to_agency": housing.pk}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = client.post(
        f"/api/actions/{action_id}/transfer/", {"to_agency": housing.pk, "reason": "Their tenants"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["from_agency"] == council.pk and response.json()["to_agency"] == housing.pk
    assert Action.objects.get(pk=action_id).agency == housing
    assert world.own.participations.filter(agency=housing).exists()


# --- reviews, updates, evaluations --------------------------------------------------------------


def test_review_moves_the_review_date_and_is_listed(api, supervisor, world, pcso):
    client = api(supervisor)
    response = client.post(
        "/api/reviews/", {"problem": world.own.pk, "comment": "Fine", "decision": "continue"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["next_review_due"]
    listed = api(pcso).get("/api/reviews/", {"problem": world.own.pk}).json()
    assert [r["id"] for r in listed["results"]] == [response.json()["id"]]
    # A closing decision without an assessment is refused, and no review is stored.
    response = client.post(
        "/api/reviews/", {"problem": world.own.pk, "comment": "Close", "decision": "close"}, format="json"
    )
    assert response.status_code == 409
    assert SupervisoryReview.objects.count() == 1


def test_update_proposed_then_approved_by_the_web_editor(api, pcso, web_editor, world):
    response = api(pcso).post(
        "/api/updates/", {"problem": world.public.pk, "text": "Arrests made", "propose_public": True}, format="json"
    )
    assert response.status_code == 201 and response.json()["status"] == "pending"
    editor = api(web_editor)
    pending = editor.get("/api/updates/", {"status": "pending"}).json()["results"]
    assert {u["id"] for u in pending} == {response.json()["id"], world.pending_update.pk}
    url = f"/api/updates/{response.json()['id']}/decision/"
    assert editor.post(url, {"approve": True}, format="json").json() == {"public_text": ["Write the text to publish."]}
    response = editor.post(url, {"approve": True, "public_text": "Two arrests."}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert editor.post(url, {"approve": False}, format="json").status_code == 400  # already decided
    response = api(pcso).post(
        "/api/updates/", {"problem": world.own.pk, "text": "x", "propose_public": True}, format="json"
    )
    assert response.status_code == 400 and "propose_public" in response.json()


def test_evaluation_recorded_and_revised(api, analyst, world):
    client = api(analyst)
    body = {
        "problem": world.closed.pk,
        "rating": "green",
        "learning": "Lighting works",
        "best_practice": True,
        "tags": ["Street lighting"],
        "learning_needs": [{"skill": "Environmental design", "role": "officer"}],
    }
    response = client.post("/api/evaluations/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["tags"] == ["Street lighting"]
    assert response.json()["learning_needs"][0]["skill"] == "Environmental design"
    response = client.post("/api/evaluations/", {**body, "rating": "amber", "learning_needs": []}, format="json")
    assert response.status_code == 400 and "best_practice" in response.json()
    response = client.post("/api/evaluations/", {**body, "rating": "amber", "best_practice": False}, format="json")
    assert response.status_code == 200
    assert Evaluation.objects.get().rating == "amber"
    assert client.get("/api/evaluations/", {"rating": "amber"}).json()["count"] == 1


def test_reference_endpoints(api, pcso, world, neighbourhood, council):
    client = api(pcso)
    hoods = client.get("/api/neighbourhoods/", {"district": neighbourhood.district_id}).json()["results"]
    assert [h["name"] for h in hoods] == ["Northgate"]
    assert client.get(f"/api/neighbourhoods/{neighbourhood.pk}/").json()["district_name"] == "Canterbury"
    assert council.name in [a["name"] for a in client.get("/api/agencies/").json()["results"]]
    assert client.get("/api/districts/").json()["count"] == 2
    assert client.post("/api/districts/", {"name": "x"}, format="json").status_code == 405


# --- nothing leaks ------------------------------------------------------------------------------


def test_out_of_sight_is_indistinguishable_from_missing(api, partner_user, world):
    client = api(partner_user)
    missing = 10**9
    for suffix in ("", "history/", "analysis/"):
        hidden = client.get(f"/api/problems/{world.other.pk}/{suffix}")
        absent = client.get(f"/api/problems/{missing}/{suffix}")
        assert hidden.status_code == absent.status_code == 404
        assert hidden.json() == absent.json()
    body = {"problem": world.other.pk, "text": "x"}
    hidden = client.post("/api/updates/", body, format="json").json()
    absent = client.post("/api/updates/", {**body, "problem": missing}, format="json").json()
    assert hidden == {"problem": [f'Invalid pk "{world.other.pk}" - object does not exist.']}
    assert absent == {"problem": [f'Invalid pk "{missing}" - object does not exist.']}
    hidden = client.post(f"/api/problems/{world.other.pk}/transition/", {"to": "closed"}, format="json")
    assert hidden.status_code == 404
    listing = client.get("/api/problems/").content.decode()
    assert world.other.reference not in listing and world.other.title not in listing
    assert client.get("/api/updates/").json()["count"] == 0
    assert client.get("/api/actions/", {"agency": world.housing_action.agency_id}).json()["count"] == 0


# --- error mapping, throttling, schema and docs ------------------------------------------------


def test_exception_handler_maps_domain_errors():
    conflict = exception_handler(TransitionRefused("Changed meanwhile", conflict=True), {})
    assert conflict.status_code == 409 and conflict.data["conflict"] is True
    invalid = exception_handler(ValidationError({"__all__": ["Bad"], "title": ["Too long"]}), {})
    assert invalid.status_code == 400 and invalid.data == {"non_field_errors": ["Bad"], "title": ["Too long"]}
    assert exception_handler(ValidationError("Plain"), {}).data == {"non_field_errors": ["Plain"]}


def test_token_endpoint_is_throttled(settings, partner_user):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "3/minute"}}
    client = APIClient()
    codes = [
        client.post("/api/auth/token/", {"username": "council", "password": "wrong"}, format="json").status_code
        for _ in range(4)
    ]
    assert codes == [400, 400, 400, 429]


def test_writes_are_throttled_but_reads_are_not(settings, api, pcso, world):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"writes": "2/minute"}}
    client = api(pcso)
    url = f"/api/problems/{world.own.pk}/"
    codes = [client.patch(url, {"title": f"T{i}"}, format="json").status_code for i in range(3)]
    assert codes == [200, 200, 429]
    assert "Retry-After" in client.patch(url, {"title": "again"}, format="json").headers
    assert all(client.get(url).status_code == 200 for _ in range(5))


def test_schema_and_offline_docs():
    client = APIClient()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/problems/{id}/transition/" in paths
    assert "409" in paths["/api/problems/{id}/transition/"]["post"]["responses"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html and "cdn." not in html and "https://" not in html.split("<body")[1]


def test_problem_detail_counts_no_hidden_participants(api, partner_user, world):
    data = api(partner_user).get(f"/api/problems/{world.own.pk}/").json()
    assert data["participating_agencies"] == [partner_user.agency_id]
    assert data["stage"] == Stage.SCANNING


def test_service_validation_on_update_is_400(api, pcso, world):
    response = api(pcso).patch(f"/api/problems/{world.own.pk}/", {"review_interval_days": 0}, format="json")
    assert response.status_code == 400 and "review_interval_days" in response.json()


def test_update_list_status_filter(api, admin_user, world):
    services.update_add(problem=world.own, by=admin_user, text="internal note")
    data = api(admin_user).get("/api/updates/", {"status": "internal"}).json()
    assert [u["text"] for u in data["results"]] == ["internal note"]
    assert ProgressUpdate.objects.count() == 2


def test_updated_since_with_extreme_offsets_is_not_a_500(api, admin_user, world):
    client = api(admin_user)
    response = client.get("/api/problems/", {"updated_since": "1624-09-29T14:47:41+22:00"})
    assert response.status_code == 200
    assert client.get("/api/actions/", {"updated_since": "0001-01-01T00:00:00+23:00"}).status_code == 400


def test_viewing_a_problem_is_in_the_access_log(api, pcso, partner_user, world):
    from jps.models import ProblemView

    api(partner_user).get(f"/api/problems/{world.own.pk}/")
    api(pcso).get(f"/api/problems/{world.own.pk}/contacts/")
    api(partner_user).get(f"/api/problems/{world.other.pk}/")  # out of sight: 404, nothing shown, nothing logged
    views = list(ProblemView.objects.order_by("id").values_list("user_id", "problem_id", "channel"))
    assert views == [(partner_user.pk, world.own.pk, "api"), (pcso.pk, world.own.pk, "api")]


def test_out_of_range_ids_in_filters_are_400(api, admin_user, world):
    client = api(admin_user)
    assert client.get("/api/actions/", {"agency": -5247970024275687095515742208}).status_code == 400
    assert client.get("/api/problems/", {"owner": 2**64}).status_code == 400
    assert client.get("/api/actions/", {"agency": 0}).status_code == 400
