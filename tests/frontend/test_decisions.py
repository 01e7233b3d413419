"""Issue 22, points 2, 3, 6 and 9 in the server's answers: the duplicate question as its own step,
the stage panel refreshed with an inline action change and never disabled, confirmation pages for
closing with open actions and for rejecting an update (with the reason its author reads), and the
field pages each role's phone keeps offline."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from jps import services
from jps.models import Problem, ProgressUpdate, Stage
from tests import factories as f

from . import helpers as h

pytestmark = pytest.mark.django_db


def _draft(neighbourhood, category, **extra):  # type: ignore[no-untyped-def]
    return {
        "client_key": "0b6c9a52-3c1e-4c39-9a43-4d4a3f3b8a11",
        "neighbourhood": neighbourhood.pk,
        "category": category.pk,
        "source": "community",
        "originator": "Resident of Dane John Mews",
        "title": "Bench broken in the gardens",
        "description": "Kicked over last night",
        **extra,
    }


@pytest.fixture
def benches(problem):  # type: ignore[no-untyped-def]
    problem.title = "Benches smashed in Dane John Gardens"
    problem.description = "Park benches broken, graffiti on the bandstand."
    problem.save()
    return problem


# --- 2: the duplicate question ---------------------------------------------------------------


def test_the_duplicate_question_is_its_own_step_with_its_heading_first(client, pcso, benches, neighbourhood, category):
    client.force_login(pcso)
    response = client.post(reverse("problem_create"), _draft(neighbourhood, category))
    body = response.content.decode()
    assert [t.name for t in response.templates][0] == "frontend/problem_create_duplicates.html"
    main = body[body.index('id="main-content"') :]
    assert re.search(r"<h1[^>]*>Is it one of these problems\?</h1>", main)
    assert main.index("Is it one of these problems?") < main.index(benches.reference)
    assert 'name="title"' in main and "Bench broken in the gardens" in main  # the report travels on
    assert 'name="confirm_new"' in main and f'name="attach_to" value="{benches.pk}"' in main
    assert "<textarea" not in main  # a question, not the form again
    assert Problem.objects.count() == 1

    # "Change my report" goes back to the form with what was typed, and logs nothing.
    back = client.post(reverse("problem_create"), {**_draft(neighbourhood, category), "edit": "1"})
    assert [t.name for t in back.templates][0] == "frontend/problem_create.html"
    assert "Bench broken in the gardens" in back.content.decode() and "There is a problem" not in back.content.decode()
    assert Problem.objects.count() == 1


def test_the_live_suggestions_sit_above_the_log_button(client, pcso):
    client.force_login(pcso)
    body = client.get(reverse("problem_create")).content.decode()
    assert body.index('id="duplicates"') < body.index(">Log problem</button>")


# --- 3: the stage panel after an inline change ----------------------------------------------


def test_marking_the_only_action_done_inline_refreshes_the_stage_panel(client, pcso, problem, council):
    h.to_response(problem, pcso)
    action = h.add_action(problem, pcso, council)
    client.force_login(pcso)
    page = client.get(reverse("problem", args=[problem.pk])).content.decode()
    panel = page[page.index('id="stage-panel"') :]
    assert "Start assessment" in panel and "Needs at least one action" in panel
    assert "disabled" not in panel[: panel.index("</div>\n")]  # GOV.UK: never a disabled button

    url = reverse("action_update", args=[problem.pk, action.pk])
    data = {f"action-{action.pk}-status": "done", f"action-{action.pk}-result": "Lights fixed"}
    swapped = client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert f'id="action-{action.pk}"' in swapped and "Action updated." in swapped
    oob = re.search(r'<div id="stage-panel"[^>]*hx-swap-oob="true"[^>]*>(.*)</div>', swapped, re.S)
    assert oob, "the stage panel is not in the answer"
    assert "Start assessment" in oob.group(1) and "Needs at least one action" not in oob.group(1)


def test_a_move_the_role_may_never_make_is_not_a_button(client, pcso, problem):
    client.force_login(pcso)
    page = client.get(reverse("problem", args=[problem.pk])).content.decode()
    assert "Close without action —" in page and ">Close without action</button>" not in page


# --- 6: decisions with a safety net -----------------------------------------------------------


def test_signing_off_a_closure_with_an_open_action_asks_first(client, pcso, supervisor, problem, council, housing):
    h.to_assessment(problem, pcso, council)
    h.add_action(problem, pcso, housing, description="Write to the tenants about bins")
    h.assess(problem, pcso)
    services.problem_request_closure(problem=problem, by=pcso)
    client.force_login(supervisor)
    url = reverse("problem_transition", args=[problem.pk])
    asked = client.post(url, {"to": Stage.CLOSED})
    body = asked.content.decode()
    assert asked.status_code == 200 and "still open?" in body
    assert "Write to the tenants about bins" in body and "Orbit Housing" in body
    problem.refresh_from_db()
    assert problem.stage == Stage.ASSESSMENT
    assert client.post(url, {"to": Stage.CLOSED, "confirm_open_actions": "1"}).status_code == 302
    problem.refresh_from_db()
    assert problem.stage == Stage.CLOSED


def test_no_open_action_closes_straight_away(client, pcso, supervisor, problem, council):
    h.to_assessment(problem, pcso, council)
    h.assess(problem, pcso)
    services.problem_request_closure(problem=problem, by=pcso)
    client.force_login(supervisor)
    assert client.post(reverse("problem_transition", args=[problem.pk]), {"to": Stage.CLOSED}).status_code == 302


@pytest.fixture
def priority(pcso, neighbourhood):  # type: ignore[no-untyped-def]
    return f.ProblemFactory(
        owner=pcso,
        neighbourhood=neighbourhood,
        public_priority=True,
        adopted_on=datetime.date.today(),
        public_title="Speeding on London Road",
    )


def _pending(problem, author, text="Patrols increased near 14 London Road"):  # type: ignore[no-untyped-def]
    pending = ProgressUpdate.Status.PENDING
    return ProgressUpdate.objects.create(problem=problem, author=author, text=text, status=pending)


def test_rejecting_an_update_asks_why_and_the_author_reads_the_reason(client, pcso, web_editor, priority):
    update = _pending(priority, pcso)
    client.force_login(web_editor)
    home = client.get(reverse("home")).content.decode()
    assert "Speeding on London Road" in home  # the card names the priority

    url = reverse("update_decide", args=[update.pk])
    asked = client.post(url, {f"update-{update.pk}-decision": "reject"})
    assert "Reject this update?" in asked.content.decode() and "Why is this update not being published?" in (
        asked.content.decode()
    )
    update.refresh_from_db()
    assert update.status == ProgressUpdate.Status.PENDING
    no_reason = client.post(url, {f"update-{update.pk}-decision": "reject", "confirm_reject": "1", "reason": " "})
    assert "Enter why the update is not being published" in no_reason.content.decode()
    reason = "It names a house number; say 'near the school' instead."
    done = client.post(url, {f"update-{update.pk}-decision": "reject", "confirm_reject": "1", "reason": reason})
    assert done.status_code == 302
    update.refresh_from_db()
    assert update.status == ProgressUpdate.Status.REJECTED and update.reason == reason

    client.force_login(pcso)
    page = client.get(reverse("problem", args=[priority.pk])).content.decode()
    assert "Not published" in page and "It names a house number; say &#x27;near the school&#x27; instead." in page


def test_staff_see_the_published_text_next_to_an_approved_update(client, pcso, web_editor, priority):
    update = _pending(priority, pcso)
    services.update_decide(update=update, by=web_editor, approve=True, public_text="Patrols have increased.")
    client.force_login(pcso)
    page = client.get(reverse("problem", args=[priority.pk])).content.decode()
    item = page[page.index(f'id="update-{update.pk}"') :]
    assert "Published as" in item and "Patrols have increased." in item


# --- 9: what the phone keeps offline ----------------------------------------------------------


@pytest.mark.parametrize(("role", "keeps_the_form"), [("pcso", True), ("analyst", False), ("web_editor", False)])
def test_only_roles_that_may_log_keep_the_log_form_offline(client, request, role, keeps_the_form):
    client.force_login(request.getfixturevalue(role))
    body = client.get(reverse("home")).content.decode()
    pages = re.search(r'data-jps-field-pages="([^"]*)"', body)
    assert pages and reverse("home") in pages.group(1).split()
    assert (reverse("problem_create") in pages.group(1).split()) is keeps_the_form


def test_the_service_worker_fetches_no_page_when_it_installs(client, pcso):
    client.force_login(pcso)
    worker = client.get("/sw.js").content.decode()
    install = worker[worker.index('addEventListener("install"') : worker.index('addEventListener("activate"')]
    assert "cache.add" not in install and "PAGES" not in install
