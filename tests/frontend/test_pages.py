"""Every staff page as each role: it renders, it is scoped, bad input never gives an error page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from frontend.views.new_problem import logged_message
from jps import services
from jps.models import Action, Problem, ProgressUpdate, Stage
from tests import factories as f

from . import helpers as h

pytestmark = pytest.mark.django_db


def login(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def test_pages_need_sign_in(client, problem):
    for url in [reverse("home"), reverse("problem_list"), reverse("problem", args=[problem.pk])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_sign_in_page_shows_errors_next_to_fields_and_keeps_the_username(client, pcso):
    response = client.post(reverse("login"), {"username": "pcso", "password": "wrong"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b'value="pcso"' in response.content
    response = client.post(reverse("login"), {"username": "pcso", "password": "correct-horse-battery"})
    assert response.status_code == 302


def test_password_reset_sends_an_email_with_a_working_link(client, pcso, mailoutbox, settings, monkeypatch):
    from tasks.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)  # the worker's email, sent in this process
    settings.SITE_URL = "http://testserver"  # links in emails point at SITE_URL
    response = client.post(reverse("password_reset"), {"email": pcso.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    assert b"Choose a new password" in response.content
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": "a-new-long-pass-99", "new_password2": "a-new-long-pass-99"}
    )
    assert response.status_code == 302
    pcso.refresh_from_db()
    assert pcso.check_password("a-new-long-pass-99")


def test_officer_home_shows_owned_problems_and_due_actions(client, pcso, problem, council):
    h.add_action(problem, pcso, council, description="Council to remove graffiti")
    response = login(client, pcso).get(reverse("home"))
    assert response.status_code == 200
    assert problem.reference in response.content.decode()
    assert "Council to remove graffiti" in response.content.decode()


def test_supervisor_home_sorts_review_queue_by_how_overdue(client, supervisor, pcso, neighbourhood, category):
    today = datetime.date.today()
    less = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, next_review_due=today - datetime.timedelta(3))
    more = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, next_review_due=today - datetime.timedelta(30))
    body = login(client, supervisor).get(reverse("home")).content.decode()
    assert body.index(more.reference) < body.index(less.reference)
    assert "30 days" in body


def test_partner_home_lists_their_agency_actions_only(client, pcso, partner_user, problem, council, housing):
    h.add_action(problem, pcso, council, description="Council: clear the fly-tipping")
    h.add_action(problem, pcso, housing, description="Housing: letter to tenants")
    body = login(client, partner_user).get(reverse("home")).content.decode()
    assert "Council: clear the fly-tipping" in body
    assert "Housing: letter to tenants" not in body


def test_web_editor_approves_a_public_update(client, pcso, web_editor, neighbourhood, category):
    problem = f.ProblemFactory(
        owner=pcso, neighbourhood=neighbourhood, public_priority=True, adopted_on=datetime.date.today()
    )
    update = ProgressUpdate.objects.create(
        problem=problem, author=pcso, text="Patrols increased", status=ProgressUpdate.Status.PENDING
    )
    body = login(client, web_editor).get(reverse("home")).content.decode()
    assert "Patrols increased" in body
    url = reverse("update_decide", args=[update.pk])
    response = client.post(url, {f"update-{update.pk}-decision": "approve", f"update-{update.pk}-public_text": ""})
    assert response.status_code == 200
    assert "Write the text to publish." in response.content.decode()
    response = client.post(
        url, {f"update-{update.pk}-decision": "approve", f"update-{update.pk}-public_text": "More patrols at night"}
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.status == ProgressUpdate.Status.APPROVED and update.public_text == "More patrols at night"


@pytest.mark.parametrize(
    "role", ["pcso", "supervisor", "partner_user", "analyst", "web_editor", "training_manager", "call_handler"]
)
def test_every_role_has_a_home_page(client, request, role, problem):
    user = request.getfixturevalue(role)
    response = login(client, user).get(reverse("home"))
    assert response.status_code == 200
    assert b"My work" in response.content


def test_log_a_problem_keeps_what_was_typed_when_a_field_is_missing(client, pcso, neighbourhood, category):
    data = {
        "neighbourhood": neighbourhood.pk,
        "category": category.pk,
        "source": "",
        "originator": "Mrs Patel at number 4",
        "title": "Cars racing on the bypass",
        "description": "Most nights after 10pm",
        "latitude": "51.2",
        "longitude": "",
    }
    response = login(client, pcso).post(reverse("problem_create"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert 'value="Mrs Patel at number 4"' in body
    assert "Enter the longitude as well, or leave both empty" in body
    assert not Problem.objects.exists()
    data.update(source="community", longitude="1.08")
    response = client.post(reverse("problem_create"), data)
    problem = Problem.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("problem", args=[problem.pk])
    assert problem.owner == pcso and problem.source == "community" and problem.longitude is not None


def test_the_logged_banner_links_to_adding_the_victim(client, pcso, neighbourhood, category):
    """At first contact the next step is the victim, whose section is screens below the banner on a phone."""
    data = {
        "neighbourhood": neighbourhood.pk,
        "category": category.pk,
        "source": "community",
        "originator": "Ann Jones, flat 4",
        "title": "Eggs thrown at a door",
        "description": "Three nights running",
        "confirm_new": "1",
    }
    response = login(client, pcso).post(reverse("problem_create"), data, follow=True)
    problem = Problem.objects.get()
    banner = response.content.decode().split('govuk-notification-banner__heading">')[1].split("</p>")[0]
    add = reverse("problem_person_add", args=[problem.pk])
    assert banner == (
        f"Problem logged: {problem.reference}. "
        f'<a class="govuk-notification-banner__link" href="{add}">Add the victim or complainant</a>.'
    )
    assert client.get(add).status_code == 200


def test_the_logged_banner_offers_the_victim_only_to_those_who_may_add_them(pcso, other_officer, problem):
    assert "Add the victim or complainant" in logged_message(pcso, problem, created=False)
    assert logged_message(other_officer, problem, created=True) == f"Problem logged: {problem.reference}."


def test_log_a_problem_refuses_a_neighbourhood_outside_the_officers_districts(client, pcso, other_neighbourhood):
    response = login(client, pcso).post(reverse("problem_create"), {"neighbourhood": other_neighbourhood.pk})
    assert response.status_code == 200
    assert "Select the neighbourhood from the list" in response.content.decode()


def test_roles_that_cannot_log_get_the_403_page(client, analyst):
    response = login(client, analyst).get(reverse("problem_create"))
    assert response.status_code == 403
    assert b"You cannot do this" in response.content


def test_problem_page_shows_transitions_with_the_reason_a_disabled_one_is_disabled(client, pcso, problem):
    problem.problem_statement = ""
    problem.save()
    body = login(client, pcso).get(reverse("problem", args=[problem.pk])).content.decode()
    assert "Start analysis" in body
    assert "Needs a problem statement naming the behaviour, place and time." in body
    assert "Only a supervisor of this district who neither owns the problem nor asked for its closure" in body
    assert 'aria-current="step"' in body


def test_refused_transition_is_explained_not_an_error_page(client, pcso, problem):
    to_response = reverse("problem_transition", args=[problem.pk])
    response = login(client, pcso).post(to_response, {"to": Stage.RESPONSE})
    assert response.status_code == 200
    assert "cannot move to Response" in response.content.decode()
    response = client.post(to_response, {"to": "nonsense"})
    assert response.status_code == 200
    assert "Choose a stage to move to." in response.content.decode()
    response = client.post(to_response, {"to": Stage.ANALYSIS})
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.stage == Stage.ANALYSIS


def test_problem_page_walks_through_sara(client, pcso, supervisor, problem, council):
    login(client, pcso)
    client.post(reverse("problem_transition", args=[problem.pk]), {"to": Stage.ANALYSIS})
    url = reverse("problem_transition", args=[problem.pk])
    body = client.post(url, {"to": Stage.RESPONSE}).content.decode()
    assert "an analysis (victim, offender, location and a measurable objective)" in body
    analysis = {
        "analysis-victim": "Shopkeepers",
        "analysis-offender": "Teenagers",
        "analysis-location": "Parade",
        "analysis-objective": "Halve calls",
    }
    assert client.post(reverse("problem_analysis", args=[problem.pk]), analysis).status_code == 302
    assert client.post(url, {"to": Stage.RESPONSE}).status_code == 302
    new_action = {
        "new-action-action_type": "prevention",
        "new-action-description": "Fix the street lights",
        "new-action-agency": council.pk,
        "new-action-due_on": "2030-01-31",
    }
    assert client.post(reverse("action_add", args=[problem.pk]), new_action).status_code == 302
    action = Action.objects.get()
    update_url = reverse("action_update", args=[problem.pk, action.pk])
    response = client.post(update_url, {f"action-{action.pk}-status": "done", f"action-{action.pk}-result": ""})
    assert response.status_code == 200
    assert "Record the result of the action before marking it done." in response.content.decode()
    done = {f"action-{action.pk}-status": "done", f"action-{action.pk}-result": "Lights fixed"}
    assert client.post(update_url, done).status_code == 302
    assert client.post(url, {"to": Stage.ASSESSMENT}).status_code == 302
    assessment = {
        "assessment-outcome": "reduced",
        "assessment-reduction_percent": "",
        "assessment-objective_met": "Calls halved",
        "assessment-evidence": "Call data",
    }
    body = client.post(reverse("problem_assessment", args=[problem.pk]), assessment).content.decode()
    assert "Say by how much the problem was reduced" in body
    assessment["assessment-reduction_percent"] = "55"
    assert client.post(reverse("problem_assessment", args=[problem.pk]), assessment).status_code == 302
    assert client.post(reverse("closure_request", args=[problem.pk])).status_code == 302
    problem.refresh_from_db()
    assert problem.closure_requested_at is not None
    body = login(client, supervisor).get(reverse("home")).content.decode()
    assert problem.reference in body.split("Closures waiting for your sign-off")[-1]
    assert client.post(url, {"to": Stage.CLOSED, "reason": "Signed off"}).status_code == 302
    problem.refresh_from_db()
    assert problem.stage == Stage.CLOSED and problem.closed_by == supervisor
    history = client.get(reverse("problem", args=[problem.pk])).content.decode()
    assert "Sign off and close: Signed off" in history


def test_htmx_action_update_returns_only_the_action(client, pcso, problem, council):
    action = h.add_action(problem, pcso, council)
    response = login(client, pcso).post(
        reverse("action_update", args=[problem.pk, action.pk]),
        {f"action-{action.pk}-status": "in_progress", f"action-{action.pk}-result": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.strip().startswith('<div class="jps-action')
    assert "Action updated." in body and "<html" not in body


def test_partner_cannot_update_another_agencys_action(client, pcso, partner_user, problem, council, housing):
    theirs = h.add_action(problem, pcso, housing)
    h.add_action(problem, pcso, council)
    login(client, partner_user)
    body = client.get(reverse("problem", args=[problem.pk])).content.decode()
    assert body.count("Update this action") == 1
    response = client.post(
        reverse("action_update", args=[problem.pk, theirs.pk]),
        {f"action-{theirs.pk}-status": "cancelled", f"action-{theirs.pk}-result": ""},
    )
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == Action.Status.PLANNED


def test_invisible_problem_is_404(client, other_officer, partner_user, problem):
    assert login(client, other_officer).get(reverse("problem", args=[problem.pk])).status_code == 404
    response = login(client, partner_user).get(reverse("problem", args=[problem.pk]))
    assert response.status_code == 404
    assert b"Page not found" in response.content
    post = client.post(reverse("problem_analysis", args=[problem.pk]), {"analysis-victim": "x"})
    assert post.status_code == 404


def test_contacts_are_shown_only_to_those_allowed(client, pcso, partner_user, problem, council):
    f.ProblemFactory  # noqa: B018 - factories imported for other tests
    from jps.models import Contact

    Contact.objects.create(problem=problem, kind="victim", name="Mr Jones", preferred_method="phone")
    h.add_action(problem, pcso, council)
    assert "Mr Jones" in login(client, pcso).get(reverse("problem", args=[problem.pk])).content.decode()
    body = login(client, partner_user).get(reverse("problem", args=[problem.pk])).content.decode()
    assert problem.reference in body
    assert "Mr Jones" not in body and "Complainants and victims" not in body


def test_supervisor_review_form_validates_and_records(client, supervisor, pcso, neighbourhood):
    today = datetime.date.today()
    problem = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, next_review_due=today - datetime.timedelta(9))
    url = reverse("problem_review", args=[problem.pk])
    login(client, supervisor)
    response = client.post(url, {"comment": "Keep going", "decision": "change_owner"})
    assert response.status_code == 200
    assert "Select the new owner" in response.content.decode()
    assert "Keep going</textarea>" in response.content.decode()
    response = client.post(url, {"comment": "Keep going", "decision": "continue"})
    assert response.status_code == 302
    problem.refresh_from_db()
    review = problem.reviews.get()
    assert review.was_overdue_days == 9 and problem.next_review_due > today


def test_officer_cannot_open_the_review_form(client, pcso, problem):
    assert login(client, pcso).get(reverse("problem_review", args=[problem.pk])).status_code == 403


def test_read_only_roles_open_the_problems_they_may_see(
    client, pcso, supervisor, analyst, web_editor, call_handler, problem, council
):
    """Analysts see closed problems, web editors public priorities, call handlers open ones: read-only."""
    h.to_assessment(problem, pcso, council)
    h.assess(problem, pcso)
    services.problem_public_set(problem=problem, by=supervisor, public_priority=True)
    url = reverse("problem", args=[problem.pk])
    for user in (call_handler, web_editor):
        body = login(client, user).get(url).content.decode()
        assert problem.reference in body and "Edit the analysis" not in body
    assert login(client, analyst).get(url).status_code == 404  # open: not theirs yet
    services.problem_transition(problem=problem, to=Stage.CLOSED, by=supervisor, reason="Done")
    body = login(client, analyst).get(url).content.decode()
    assert "Closed" in body and "Add an action" not in body
    assert login(client, call_handler).get(url).status_code == 404  # closed: no longer theirs


def test_opening_a_problem_page_is_logged(client, pcso, problem):
    from jps.models import ProblemView

    login(client, pcso).get(reverse("problem", args=[problem.pk]))
    view = ProblemView.objects.get()
    assert view.user == pcso and view.problem == problem and view.channel == "web"
