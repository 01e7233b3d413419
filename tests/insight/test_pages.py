"""The insight pages as each role: they render, they are scoped, CSV downloads match the figures."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from jps import models as m
from tests import factories as f
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db


def as_user(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def read_csv(response):  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def closed_problem(problem):  # type: ignore[no-untyped-def]
    problem.stage = m.Stage.CLOSED
    problem.save()
    return problem


def test_analyst_evaluates_from_the_queue_and_marks_best_practice(client, closed_problem, analyst):
    c = as_user(client, analyst)
    queue = c.get(reverse("insight_evaluations"))
    assert closed_problem.reference in queue.content.decode()
    form = c.get(reverse("insight_evaluate", args=[closed_problem.pk]))
    assert form.status_code == 200
    data = {
        "rating": "green",
        "what_worked": "Lighting and a dispersal order.",
        "learning": "Early partner involvement mattered.",
        "transferable": "on",
        "tags": "lighting, dispersal order",
        "need-TOTAL_FORMS": "2",
        "need-INITIAL_FORMS": "0",
        "need-0-skill": "Problem analysis",
        "need-0-role": "officer",
        "need-1-skill": "",
    }
    response = c.post(reverse("insight_evaluate", args=[closed_problem.pk]), data)
    assert response.status_code == 302
    evaluation = m.Evaluation.objects.get(problem=closed_problem)
    assert evaluation.rating == "green" and not evaluation.best_practice
    assert sorted(evaluation.tags.values_list("slug", flat=True)) == ["dispersal-order", "lighting"]
    assert list(evaluation.learning_needs.values_list("skill", "role")) == [("Problem analysis", "officer")]
    page = c.get(reverse("insight_evaluation", args=[closed_problem.pk]))
    assert b"Mark as best practice" in page.content
    c.post(reverse("insight_best_practice", args=[closed_problem.pk]), {"best_practice": "1"})
    assert m.Evaluation.objects.get(problem=closed_problem).best_practice
    writeup = c.get(reverse("insight_writeup", args=[closed_problem.pk]))
    # Each page that showed the problem is in the access log.
    assert (
        m.ProblemView.objects.filter(problem=closed_problem, user=analyst, channel="web").count() == 3
    )  # form, evaluation page, write-up
    for heading in ("Problem", "Solution", "Evaluation", "External validation", "Outcomes", "Contact"):
        assert f">{heading}</h2>".encode() in writeup.content


def test_evaluation_form_errors_are_shown_not_500(client, closed_problem, analyst):
    c = as_user(client, analyst)
    data = {
        "rating": "amber",
        "learning": "",
        "best_practice": "on",
        "need-TOTAL_FORMS": "1",
        "need-INITIAL_FORMS": "0",
        "need-0-role": "officer",
    }
    response = c.post(reverse("insight_evaluate", args=[closed_problem.pk]), data)
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert not m.Evaluation.objects.exists()
    data.update(learning="Something", **{"need-0-skill": "Mapping"})
    response = c.post(reverse("insight_evaluate", args=[closed_problem.pk]), data)
    assert response.status_code == 200 and b"green" in response.content.lower()  # best practice needs green
    assert not m.Evaluation.objects.exists()


def test_only_analysts_evaluate(client, closed_problem, pcso, supervisor):
    assert as_user(client, pcso).get(reverse("insight_evaluate", args=[closed_problem.pk])).status_code == 403
    assert as_user(client, supervisor).get(reverse("insight_evaluations")).status_code == 403


def test_supervisor_scores_quality_and_it_shows_on_the_problem(client, problem, supervisor, pcso):
    c = as_user(client, supervisor)
    form = c.get(reverse("insight_quality", args=[problem.pk]))
    assert form.status_code == 200
    response = c.post(
        reverse("insight_quality", args=[problem.pk]),
        {"occasion": "review", "specific_statement": "on", "partners_involved": "on", "comment": "Add an objective."},
    )
    assert response.status_code == 302
    assert m.QualityScore.objects.get(problem=problem).total == 2
    assert b"Score the quality of this record" in c.get(reverse("problem_review", args=[problem.pk])).content
    page = as_user(client, pcso).get(reverse("problem", args=[problem.pk])).content.decode()
    assert "2 of 6" in page and "Score the quality" not in page
    assert as_user(client, pcso).get(reverse("insight_quality", args=[problem.pk])).status_code == 403


def test_problem_page_suggests_similar_evaluated_problems(client, problem, pcso, analyst, neighbourhood, category):
    done = f.ProblemFactory(
        title="Youths gathering outside the off-licence",
        neighbourhood=neighbourhood,
        category=category,
        stage=m.Stage.CLOSED,
        owner=pcso,
    )
    m.Evaluation.objects.create(problem=done, analyst=analyst, rating="green", learning="Licensing visits worked.")
    page = as_user(client, pcso).get(reverse("problem", args=[problem.pk])).content.decode()
    panel_url = reverse("insight_similar", args=[problem.pk])
    assert "What worked on similar problems" in page and f'hx-get="{panel_url}"' in page
    suggestion = reverse("insight_evaluation", args=[done.pk])
    assert suggestion not in page  # the suggestions load after the page, not while it waits
    panel = client.get(panel_url, HTTP_HX_REQUEST="true").content.decode()
    assert suggestion in panel and done.title in panel and "<html" not in panel
    whole = client.get(panel_url).content.decode()  # without JavaScript: a page of its own
    assert suggestion in whole and "<html" in whole
    client.force_login(f.UserFactory(role=m.User.Role.OFFICER, agency=pcso.agency))
    assert client.get(panel_url).status_code == 404  # an officer who cannot see the problem


def test_library_page_filters_and_scopes(client, pcso, partner_user, analyst, neighbourhood, category, council):
    mine = f.ProblemFactory(
        title="Seafront drinking", neighbourhood=neighbourhood, category=category, stage=m.Stage.CLOSED, owner=pcso
    )
    m.Evaluation.objects.create(problem=mine, analyst=analyst, rating="green", learning="Lighting.", best_practice=True)
    page = as_user(client, pcso).get(reverse("insight_library"), {"q": "seafront", "rating": "green"})
    assert page.status_code == 200 and "Seafront drinking" in page.content.decode()
    assert "Best practice" in page.content.decode()
    bad = as_user(client, pcso).get(reverse("insight_library"), {"district": "abc", "page": "999", "rating": "<x>"})
    assert bad.status_code == 200
    partner_page = as_user(client, partner_user).get(reverse("insight_library")).content.decode()
    assert "Seafront drinking" not in partner_page
    assert as_user(client, partner_user).get(reverse("insight_evaluation", args=[mine.pk])).status_code == 404
    assert as_user(client, partner_user).get(reverse("insight_writeup", args=[mine.pk])).status_code == 404
    assert as_user(client, partner_user).post(reverse("insight_best_practice", args=[mine.pk])).status_code == 404


def test_dashboard_renders_every_figure_and_each_csv_matches(client, world, admin_user):
    from jps.insight import figures as mi

    c = verified_login(client, admin_user)  # administrators sign in with a code too
    page = c.get(reverse("insight_dashboard"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="jps-chart"') >= 8 and 'role="img"' not in html  # charts are lists of words and numbers
    for slug in mi.FIGURES:
        response = c.get(reverse("insight_dashboard_csv", args=[slug]))
        assert response.status_code == 200, slug
        assert response["Content-Type"].startswith("text/csv")
        fig = mi.figure(user=admin_user, slug=slug)
        rows = read_csv(response)
        assert rows[0] == list(fig.columns)
        assert len(rows) == len(fig.rows) + 1
    assert read_csv(c.get(reverse("insight_dashboard_csv", args=["by-stage"])))[1:] == [
        ["Scanning", "1"],
        ["Analysis", "1"],
        ["Response", "1"],
        ["Assessment", "1"],
        ["Closed", "1"],
        ["Closed without action", "1"],
    ]
    assert c.get("/dashboard/no-such-figure.csv").status_code == 404


def test_partner_dashboard_and_csv_are_scoped(client, world, partner_user):
    c = as_user(client, partner_user)
    html = c.get(reverse("insight_dashboard")).content.decode()
    assert "Orbit Housing" not in html and "Kent Police" not in html  # agencies on problems they don't take part in
    rows = read_csv(c.get(reverse("insight_dashboard_csv", args=["actions-by-agency"])))
    assert [r[0] for r in rows[1:]] == ["Canterbury City Council"]
    assert c.get(reverse("insight_learning_needs")).status_code == 403
    assert c.get(reverse("insight_learning_needs_csv")).status_code == 403


def test_dashboard_for_every_role_renders(
    client, world, pcso, supervisor, partner_user, analyst, training_manager, web_editor, call_handler
):
    for user in (pcso, supervisor, partner_user, analyst, training_manager, web_editor, call_handler):
        client.force_login(user)
        assert client.get(reverse("insight_dashboard")).status_code == 200, user.role
        assert client.get(reverse("insight_library")).status_code == 200, user.role
    client.logout()
    assert client.get(reverse("insight_dashboard")).status_code == 302


def test_learning_needs_page_and_csv(client, world, analyst, training_manager):
    p3 = world.problems["P3"]
    evaluation = m.Evaluation.objects.create(problem=p3, analyst=analyst, rating="amber", learning="x")
    m.LearningNeed.objects.create(evaluation=evaluation, district=p3.district, skill="=HYPERLINK(evil)", role="officer")
    m.LearningNeed.objects.create(evaluation=evaluation, district=p3.district, skill="Problem analysis")
    c = as_user(client, training_manager)
    assert b"Problem analysis" in c.get(reverse("insight_learning_needs")).content
    rows = read_csv(c.get(reverse("insight_learning_needs_csv")))
    assert rows[0][:3] == ["Date", "District", "Skill"]
    assert sorted(r[2] for r in rows[1:]) == ["'=HYPERLINK(evil)", "Problem analysis"]
    assert {r[5] for r in rows[1:]} == {p3.reference}
