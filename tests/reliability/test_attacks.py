"""Access control under attack: a partner (or any signed-in user) trying what is not theirs.

Each attempt must be refused — in the way that gives nothing away — AND leave one
WARNING on the ``jps.security`` logger naming who tried what. The refusal points are few
and shared by the web and the API: ``selectors.scoped_get`` (an id out of sight: 404, as if
missing), ``services._require`` and ``api.permissions.require_perm`` (visible but not
yours: 403), the API's write serializers (privilege fields ignored) and the admin site
(not staff). The finer role matrices are in tests/api/test_permissions.py and
tests/jps/test_permissions.py; this file is the attacker's view of them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jps import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db


@dataclass
class Scene:
    mine: m.Problem  # in the partner's ward; the council takes part; has a council and a housing action
    hidden: m.Problem  # another district; only housing takes part
    council_action: m.Action
    housing_action: m.Action  # on the problem the partner sees, owned by another agency
    hidden_action: m.Action
    contact: m.Contact


@pytest.fixture
def scene(pcso, other_officer, neighbourhood, other_neighbourhood, category, council, housing) -> Scene:  # type: ignore[no-untyped-def]
    mine = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category)
    hidden = f.ProblemFactory(owner=other_officer, neighbourhood=other_neighbourhood, category=category)
    m.Participation.objects.create(problem=mine, agency=council)
    m.Participation.objects.create(problem=hidden, agency=housing)

    def action(problem: m.Problem, agency: m.Agency, text: str) -> m.Action:
        return m.Action.objects.create(
            problem=problem, action_type="prevention", description=text, agency=agency, created_by=pcso
        )

    contact = m.Contact.objects.create(
        problem=mine,
        kind=m.Contact.Kind.VICTIM,
        name="Winifred Aldersgate-Pym",
        phone="07700 900456",
        preferred_method=m.Contact.Method.PHONE,
    )
    return Scene(
        mine=mine,
        hidden=hidden,
        council_action=action(mine, council, "Cut back the hedges"),
        housing_action=action(mine, housing, "Visit the tenants"),
        hidden_action=action(hidden, housing, "Warn the tenants"),
        contact=contact,
    )


class SecurityLog:
    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self.caplog = caplog

    @property
    def records(self) -> list[logging.LogRecord]:
        """The jps.security records of the test so far."""
        return [r for r in self.caplog.records if r.name == "jps.security"]


@pytest.fixture
def security_log(caplog: pytest.LogCaptureFixture) -> Iterator[SecurityLog]:
    with caplog.at_level(logging.WARNING, logger="jps.security"):
        yield SecurityLog(caplog)


def refusals(log: SecurityLog) -> list[tuple[str, str, str]]:
    return [(r.getMessage(), r.user, r.object) for r in log.records]  # type: ignore[attr-defined]


def api_as(user: m.User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def web(client, partner_user):  # type: ignore[no-untyped-def]
    client.force_login(partner_user)
    return client


# --- guessing ids -----------------------------------------------------------------------------


def test_guessing_problem_ids_on_the_web_is_404_like_missing_and_logged(web, scene, partner_user, security_log):
    hidden = web.get(f"/problems/{scene.hidden.pk}/")
    missing = web.get("/problems/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert scene.hidden.title not in hidden.content.decode()
    assert refusals(security_log) == [("out-of-scope object requested", "council", f"Problem:{scene.hidden.pk}")]
    assert security_log.records[0].levelno == logging.WARNING


def test_guessing_problem_ids_on_the_api_is_404_like_missing_and_logged(scene, partner_user, security_log):
    api = api_as(partner_user)
    hidden = api.get(f"/api/problems/{scene.hidden.pk}/")
    missing = api.get("/api/problems/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()  # nothing tells an existing id from a missing one
    assert refusals(security_log) == [("out-of-scope object requested", "council", f"Problem:{scene.hidden.pk}")]


def test_guessing_action_ids_is_404_and_logged(web, scene, partner_user, security_log):
    api = api_as(partner_user)
    assert api.get(f"/api/actions/{scene.hidden_action.pk}/").status_code == 404
    assert api.patch(f"/api/actions/{scene.hidden_action.pk}/", {"status": "done"}, format="json").status_code == 404
    form = {f"action-{scene.hidden_action.pk}-status": "done"}
    assert web.post(f"/problems/{scene.hidden.pk}/actions/{scene.hidden_action.pk}/", form).status_code == 404
    target = f"Action:{scene.hidden_action.pk}"
    assert refusals(security_log) == [("out-of-scope object requested", "council", target)] * 3
    scene.hidden_action.refresh_from_db()
    assert scene.hidden_action.status == m.Action.Status.PLANNED


# --- changing another agency's work -------------------------------------------------------


def test_editing_another_agencys_action_on_the_web_is_refused_and_logged(web, scene, security_log):
    action = scene.housing_action
    form = {f"action-{action.pk}-status": "done", f"action-{action.pk}-result": "Done, honest"}
    response = web.post(f"/problems/{scene.mine.pk}/actions/{action.pk}/", form)
    assert response.status_code == 403
    assert refusals(security_log) == [("permission refused", "council", f"Action:{action.pk}")]
    assert security_log.records[0].permission == "jps.update_action"
    action.refresh_from_db()
    assert action.status == m.Action.Status.PLANNED and action.result == ""
    assert action.history.count() == 1  # only its creation


def test_editing_another_agencys_action_through_the_api_is_refused_and_logged(scene, partner_user, security_log):
    action = scene.housing_action
    response = api_as(partner_user).patch(f"/api/actions/{action.pk}/", {"status": "done"}, format="json")
    assert response.status_code == 403
    assert refusals(security_log) == [("permission refused", "council", f"Action:{action.pk}")]
    action.refresh_from_db()
    assert action.status == m.Action.Status.PLANNED


def test_moving_an_action_to_another_agency_by_mass_assignment_is_refused_and_logged(
    scene, partner_user, housing, security_log
):
    """``agency`` is not an editable field of an action (hand-overs are explicit transfers): a 400 naming it."""
    action = scene.council_action
    body = {"result": "Hedges cut", "agency": housing.pk}
    response = api_as(partner_user).patch(f"/api/actions/{action.pk}/", body, format="json")
    assert response.status_code == 400 and list(response.json()) == ["agency"]
    action.refresh_from_db()
    assert action.result != "Hedges cut" and action.agency.name == "Canterbury City Council"  # nothing stored
    assert refusals(security_log) == [("fields refused", "council", f"/api/actions/{action.pk}/")]
    assert security_log.records[0].fields == ["agency"]


# --- lifting one's own role -----------------------------------------------------------------


def test_a_partner_cannot_reach_the_admin_and_it_is_logged(web, partner_user, security_log):
    for path in ["/admin/", f"/admin/jps/user/{partner_user.pk}/change/", "/admin/jps/problemview/"]:
        response = web.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), path
    change = web.post(
        f"/admin/jps/user/{partner_user.pk}/change/",
        {"username": "council", "role": "admin", "is_staff": "on", "is_superuser": "on"},
    )
    assert change.status_code == 302
    partner_user.refresh_from_db()
    assert (partner_user.role, partner_user.is_staff, partner_user.is_superuser) == ("partner", False, False)
    assert [(event, user) for event, user, _ in refusals(security_log)] == [("admin refused", "council")] * 4
    assert [r.object for r in security_log.records] == [
        "/admin/",
        f"/admin/jps/user/{partner_user.pk}/change/",
        "/admin/jps/problemview/",  # the access log
        f"/admin/jps/user/{partner_user.pk}/change/",
    ]
    # Following the redirect shows the admin's sign-in page without a second log line.
    assert web.get("/admin/login/?next=/admin/").status_code == 200
    assert len(refusals(security_log)) == 4


def test_there_is_no_api_to_change_a_user(partner_user):
    api = api_as(partner_user)
    for method in ("get", "patch", "put"):
        response = getattr(api, method)(f"/api/users/{partner_user.pk}/", {"role": "admin"}, format="json")
        assert response.status_code == 404
    partner_user.refresh_from_db()
    assert partner_user.role == "partner"


def test_privilege_fields_in_api_writes_are_refused_and_logged(pcso, scene, neighbourhood, category, security_log):
    api = api_as(pcso)
    body = {
        "title": "Fly-tipping behind the shops",
        "description": "Mattresses and fridges.",
        "neighbourhood": neighbourhood.pk,
        "category": category.pk,
        "source": "community",
        "originator": "Shopkeeper",
        "role": "admin",
        "is_staff": True,
        "is_superuser": True,
    }
    problems_before = m.Problem.objects.count()
    created = api.post("/api/problems/", body, format="json")
    assert created.status_code == 400 and set(created.json()) == {"is_staff", "is_superuser", "role"}
    edited = api.patch(
        f"/api/problems/{scene.mine.pk}/", {"title": "Renamed", "owner": scene.hidden.owner_id}, format="json"
    )
    assert edited.status_code == 400 and list(edited.json()) == ["owner"]
    pcso.refresh_from_db()
    scene.mine.refresh_from_db()
    assert (pcso.role, pcso.is_staff, pcso.is_superuser) == ("officer", False, False)
    assert m.Problem.objects.count() == problems_before
    assert scene.mine.title != "Renamed" and scene.mine.owner == pcso  # ownership moves by review or transfer
    assert [(r.getMessage(), r.fields) for r in security_log.records] == [
        ("fields refused", ["is_staff", "is_superuser", "role"]),
        ("fields refused", ["owner"]),
    ]


# --- the audit trail and the access log of what one cannot see -------------------------------


def test_the_history_of_a_problem_out_of_sight_is_404_and_logged(web, scene, partner_user, security_log):
    api = api_as(partner_user)
    assert api.get(f"/api/problems/{scene.hidden.pk}/history/").status_code == 404
    assert api.get(f"/api/problems/{scene.mine.pk}/history/").status_code == 200  # its own: fine
    page = web.get(f"/problems/{scene.hidden.pk}/")  # the web shows the history on the problem page
    assert page.status_code == 404
    assert refusals(security_log) == [("out-of-scope object requested", "council", f"Problem:{scene.hidden.pk}")] * 2
    # The refused attempts are not recorded as views of the problem.
    assert not m.ProblemView.objects.filter(problem=scene.hidden).exists()


# --- personal data --------------------------------------------------------------------------------


def test_a_partner_cannot_read_or_add_contacts_and_it_is_logged(web, scene, partner_user, security_log):
    api = api_as(partner_user)
    read = api.get(f"/api/problems/{scene.mine.pk}/contacts/")
    add = api.post(
        f"/api/problems/{scene.mine.pk}/contacts/",
        {"kind": "victim", "name": "Someone", "preferred_method": "phone"},
        format="json",
    )
    assert read.status_code == add.status_code == 403
    assert scene.contact.name not in read.content.decode()
    assert m.Contact.objects.filter(problem=scene.mine).count() == 1
    assert refusals(security_log) == [("permission refused", "council", f"Problem:{scene.mine.pk}")] * 2
    assert {r.permission for r in security_log.records} == {"jps.view_contacts"}
    # Nor anywhere else: not on the problem page, not in the problem's JSON.
    for response in (web.get(f"/problems/{scene.mine.pk}/"), api.get(f"/api/problems/{scene.mine.pk}/")):
        assert response.status_code == 200
        body = response.content.decode()
        assert scene.contact.name not in body and scene.contact.phone not in body
