"""``/api/risk-assessments/``: answers in, score and level out, under the same matrix as contacts (never partners)."""

from __future__ import annotations

import pytest

from jps import models as m
from jps import services
from tests import factories as f
from tests import fuzz
from tests.api.conftest import ROLES, client_for, users  # noqa: F401  (the role fixture)
from tests.api.test_schemathesis import _exercise, api_schema, role_headers  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
URL = "/api/risk-assessments/"


def matrix(**expected: int):  # type: ignore[no-untyped-def]
    assert set(expected) == set(ROLES), set(ROLES) ^ set(expected)
    return pytest.mark.parametrize("role,status", list(expected.items()))


@pytest.fixture
def questions(force) -> m.RiskQuestionnaire:  # type: ignore[no-untyped-def]
    return f.RiskQuestionnaireFactory(force=force)


@pytest.fixture
def victim(world, questions, pcso) -> m.ProblemPerson:  # type: ignore[no-untyped-def]
    """Ann, a victim on the PCSO's Canterbury problem (which the council partner takes part in)."""
    person = services.person_create(by=pcso, name="Ann Jones")
    return services.problem_person_link(problem=world.own, person=person, role="victim", by=pcso)


@pytest.fixture
def assessed(victim, pcso) -> m.RiskAssessment:  # type: ignore[no-untyped-def]
    return services.risk_assess(
        link=victim, answers={"a": True, "b": True, "c": True}, occasion="first_contact", by=pcso, notes="Very afraid"
    )


BODY = {"answers": {"a": False, "b": True, "c": True}, "occasion": "first_contact", "notes": "Eggs thrown at door"}


@matrix(
    officer=201,
    partner=403,
    other_partner=400,
    supervisor=201,
    analyst=400,
    training=400,
    webeditor=400,
    callhandler=403,
    admin=201,
    anonymous=401,
)
def test_assess(role, status, users, victim):  # noqa: F811
    response = client_for(users[role]).post(URL, {"link": victim.pk, **BODY}, format="json")
    assert response.status_code == status, response.content
    assert m.RiskAssessment.objects.count() == (1 if status == 201 else 0)
    if status == 201:
        body = response.json()
        assert (body["score"], body["level"], body["questionnaire_version"]) == (5, "high", 1)
        assert body["answers"] == BODY["answers"] and body["person_name"] == "Ann Jones"
        victim.problem.refresh_from_db()
        assert victim.problem.risk == "high"
    else:
        assert "answers" not in response.content.decode()


@matrix(
    officer=200,
    partner=403,
    other_partner=403,
    supervisor=200,
    analyst=403,
    training=403,
    webeditor=403,
    callhandler=403,
    admin=200,
    anonymous=401,
)
def test_list(role, status, users, assessed):  # noqa: F811
    response = client_for(users[role]).get(URL)
    assert response.status_code == status
    body = response.content.decode()
    assert ("Very afraid" in body) == (status == 200)
    if status == 200:
        (row,) = response.json()["results"]
        assert row["answers"] == {"a": True, "b": True, "c": True} and row["level"] == "high"


@matrix(
    officer=200,
    partner=404,
    other_partner=404,
    supervisor=200,
    analyst=404,
    training=404,
    webeditor=404,
    callhandler=404,
    admin=200,
    anonymous=401,
)
def test_retrieve(role, status, users, assessed):  # noqa: F811
    response = client_for(users[role]).get(f"{URL}{assessed.pk}/")
    assert response.status_code == status
    assert ("Very afraid" in response.content.decode()) == (status == 200)


def test_another_district_s_officer_sees_nothing_of_it(assessed, other_officer):
    api = client_for(other_officer)
    assert api.get(URL).json()["results"] == []
    assert api.get(f"{URL}{assessed.pk}/").status_code == 404


def test_answers_that_do_not_answer_the_questionnaire_are_a_400_naming_them_and_save_nothing(victim, pcso):
    api = client_for(pcso)
    missing = api.post(URL, {"link": victim.pk, "answers": {"a": True}, "occasion": "first_contact"}, format="json")
    assert missing.status_code == 400
    assert missing.json() == {"answers": ["Answer every question; not answered: b, c."]}
    unknown = {"a": True, "b": True, "c": True, "pets": True}
    extra = api.post(URL, {"link": victim.pk, "answers": unknown, "occasion": "first_contact"}, format="json")
    assert extra.status_code == 400 and extra.json() == {"answers": ["No such question in version 1: pets."]}
    words = api.post(
        URL, {"link": victim.pk, "answers": {"a": "yes", "b": 1, "c": True}, "occasion": "x"}, format="json"
    )
    assert words.status_code == 400
    yes_or_no = ["Answer yes (true) or no (false)."]
    assert words.json()["answers"] == {"a": yes_or_no, "b": yes_or_no}
    assert "occasion" in words.json()
    assert not m.RiskAssessment.objects.exists()
    victim.problem.refresh_from_db()
    assert victim.problem.risk == "standard"


def test_the_victim_may_be_named_by_problem_and_person_and_fields_not_taken_are_refused(victim, pcso, world):
    api = client_for(pcso)
    body = {"problem": world.own.pk, "person": victim.person_id, **BODY}
    response = api.post(URL, body, format="json")
    assert response.status_code == 201 and response.json()["link"] == victim.pk
    assert api.post(URL, {"link": victim.pk, "score": 0, **BODY}, format="json").json() == {
        "score": ["This field cannot be set here."]
    }
    assert api.post(URL, {"link": victim.pk, "person": victim.person_id, **BODY}, format="json").status_code == 400
    assert api.post(URL, BODY, format="json").status_code == 400
    not_victim = {"problem": world.other.pk, "person": victim.person_id, **BODY}
    refused = api.post(URL, not_victim, format="json").json()
    assert refused == {"person": ["This person is not a victim on that problem."]}


def test_list_filters_and_current(victim, assessed, pcso):
    later = services.risk_assess(link=victim, answers={"a": False, "b": False, "c": False}, occasion="changed", by=pcso)
    api = client_for(pcso)
    assert [r["id"] for r in api.get(URL).json()["results"]] == [later.pk, assessed.pk]
    assert [r["id"] for r in api.get(URL, {"current": "true"}).json()["results"]] == [later.pk]
    assert [r["id"] for r in api.get(URL, {"level": "high"}).json()["results"]] == [assessed.pk]
    assert [r["id"] for r in api.get(URL, {"person": victim.person_id}).json()["results"]] == [later.pk, assessed.pk]
    assert api.get(URL, {"problem": victim.problem_id + 1000}).json()["results"] == []


def test_reads_are_in_the_access_log_with_the_victim_and_the_problem(assessed, pcso):
    client_for(pcso).get(URL)
    client_for(pcso).get(f"{URL}{assessed.pk}/")
    rows = m.ProblemView.objects.filter(user=pcso, person=assessed.link.person)
    assert list(rows.values_list("problem_id", "channel")) == [(assessed.problem_id, "api")] * 2


def test_the_questionnaire_in_use(world, questions, users, force):  # noqa: F811
    services.risk_questionnaire_default_ensure()
    officer = client_for(users["officer"])
    body = officer.get(f"{URL}questionnaire/", {"problem": world.own.pk}).json()
    assert (body["version"], body["force"], body["medium_threshold"], body["high_threshold"]) == (1, force.pk, 3, 5)
    assert body["max_score"] == 6 and [q["key"] for q in body["questions"]] == ["a", "b", "c"]
    assert officer.get(f"{URL}questionnaire/").json()["id"] == questions.pk  # the officer's own force
    assert client_for(users["partner"]).get(f"{URL}questionnaire/", {"problem": world.own.pk}).status_code == 403
    assert client_for(users["other_partner"]).get(f"{URL}questionnaire/", {"problem": world.own.pk}).status_code == 404
    assert client_for(users["partner"]).get(f"{URL}questionnaire/").status_code == 403
    assert officer.get(f"{URL}questionnaire/", {"problem": "x"}).status_code == 404
    questions.is_active = False
    questions.save()
    national = officer.get(f"{URL}questionnaire/").json()
    assert national["force"] is None and len(national["questions"]) == 15


def test_the_endpoints_are_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths[URL])
    assert "get" in paths[URL + "{id}/"] and "get" in paths[URL + "questionnaire/"]
    write = schema["components"]["schemas"]["RiskAssessmentWriteRequest"]["properties"]
    assert write["answers"]["additionalProperties"]["type"] == "boolean"
    out = schema["components"]["schemas"]["RiskAssessment"]["properties"]
    assert {"score", "level", "questionnaire_version", "answers"} <= set(out)


@pytest.mark.slow
def test_the_risk_api_conforms_to_its_schema_for_every_role(assessed, api_schema, role_headers):  # noqa: F811
    """schemathesis over /api/risk-assessments/ with every role's token: documented statuses and bodies only."""
    operations = [r.ok() for r in api_schema.get_all_operations() if r.ok().path.startswith(URL)]
    assert len(operations) == 4
    for operation in operations:
        _exercise(operation, role_headers, fuzz.examples(10))
