"""The risk assessment on the web: the problem page's panel, the GOV.UK form, the supervisor's "My work"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jps import models as m
from jps import services
from tests import factories as f
from tests.csp import inline_code
from tests.frontend.test_error_messages import _django_words, _errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions(force) -> m.RiskQuestionnaire:  # type: ignore[no-untyped-def]
    return f.RiskQuestionnaireFactory(force=force)


@pytest.fixture
def victim(problem, questions, pcso) -> m.ProblemPerson:  # type: ignore[no-untyped-def]
    person = services.person_create(by=pcso, name="Ann Jones")
    return services.problem_person_link(problem=problem, person=person, role="victim", by=pcso)


def _assess_url(link: m.ProblemPerson) -> str:
    return reverse("risk_assess", args=[link.problem_id, link.pk])


def test_the_problem_page_shows_each_victim_s_current_risk_and_the_way_to_assess_it(client, victim, pcso):
    client.force_login(pcso)
    before = client.get(reverse("problem", args=[victim.problem_id])).content.decode()
    assert 'id="risk"' in before and "Not assessed" in before
    assert f'href="{_assess_url(victim)}">Assess risk<' in before

    services.risk_assess(link=victim, answers={"a": True, "b": True, "c": False}, occasion="first_contact", by=pcso)
    page = client.get(reverse("problem", args=[victim.problem_id])).content.decode()
    card = page[page.index(f'id="risk-{victim.pk}"') :]
    assert "govuk-tag--orange" in card and "Medium" in card
    assert "3 of 6" in card and "Version 1" in card and "first contact" in card
    assert "Assess risk again" in card
    assert "The problem's risk is <strong>medium</strong>" in page


def test_the_form_asks_each_question_yes_or_no_and_saves_the_assessment(client, victim, pcso):
    client.force_login(pcso)
    form = client.get(_assess_url(victim)).content.decode()
    assert "Assess Ann Jones's risk" in form
    for key, text in (("a", "1. Question a?"), ("b", "2. Question b?"), ("c", "3. Question c?")):
        assert text in form
        assert f'name="q_{key}" type="radio" value="yes"' in form and f'name="q_{key}" type="radio" value="no"' in form
    assert 'value="first_contact" checked' in form  # no assessment yet: first contact
    assert "Test risk questions, version 1" in form
    assert m.ProblemView.objects.filter(user=pcso, person=victim.person, problem=victim.problem).exists()

    data = {"occasion": "first_contact", "q_a": "no", "q_b": "yes", "q_c": "yes", "notes": "Bins set alight"}
    response = client.post(_assess_url(victim), data)
    assert response.status_code == 302 and response["Location"].endswith(f"/problems/{victim.problem_id}/#risk")
    (assessment,) = m.RiskAssessment.objects.all()
    assert (assessment.score, assessment.level, assessment.notes) == (5, "high", "Bins set alight")
    assert assessment.answers == {"a": False, "b": True, "c": True}
    page = client.get(response["Location"]).content.decode()
    assert "Ann Jones assessed: high risk (score 5)." in page


def test_a_form_with_questions_unanswered_says_which_in_govuk_words_and_saves_nothing(client, victim, pcso):
    client.force_login(pcso)
    body = client.post(_assess_url(victim), {"q_b": "maybe", "notes": "x" * 5001}).content.decode()
    assert _errors(body) == [
        "Error: Select why you are assessing the risk now",
        "Error: Select yes or no for question 1",
        "Error: Select yes or no for question 2",
        "Error: Select yes or no for question 3",
        "Error: Notes must be 5000 characters or fewer",
    ]
    assert '<a href="#id_q_a_0">Select yes or no for question 1</a>' in body  # the summary links to the radios
    assert not _django_words(body)
    assert "<title>Error: " in body
    assert not m.RiskAssessment.objects.exists()


def test_partners_never_see_or_reach_the_assessment(
    client, victim, problem, pcso, partner_user, other_partner, council
):
    services.risk_assess(link=victim, answers={"a": True, "b": True, "c": True}, occasion="first_contact", by=pcso)
    m.Participation.objects.create(problem=problem, agency=council)
    client.force_login(partner_user)
    page = client.get(reverse("problem", args=[problem.pk])).content.decode()
    assert 'id="risk"' not in page and "Ann Jones" not in page
    assert client.get(_assess_url(victim)).status_code == 403
    answers = {"occasion": "first_contact", "q_a": "no", "q_b": "no", "q_c": "no"}
    assert client.post(_assess_url(victim), answers).status_code == 403
    client.force_login(other_partner)
    assert client.get(_assess_url(victim)).status_code == 404
    assert m.RiskAssessment.objects.count() == 1


def test_a_partner_who_owns_a_problem_sees_its_contacts_but_not_its_victims_risk(
    client, partner_user, neighbourhood, category, questions, pcso
):
    owned = f.ProblemFactory(owner=partner_user, neighbourhood=neighbourhood, category=category)
    link = f.VictimLinkFactory(problem=owned, person__name="Bea Brown")
    services.risk_assess(link=link, answers={"a": True, "b": True, "c": True}, occasion="first_contact", by=pcso)
    client.force_login(partner_user)
    page = client.get(reverse("problem", args=[owned.pk])).content.decode()
    assert 'id="people"' in page  # the contacts' part of the page is there...
    assert 'id="risk"' not in page and "Victims' risk" not in page and "3 of 6" not in page  # ...not the risk


def test_a_victim_on_another_problem_or_a_witness_is_a_404(client, victim, pcso, problem):
    client.force_login(pcso)
    witness = f.VictimLinkFactory(problem=problem, role=m.PersonRole.WITNESS)
    assert client.get(_assess_url(witness)).status_code == 404
    assert client.get(reverse("risk_assess", args=[problem.pk, victim.pk + 1000])).status_code == 404


def test_a_closed_problem_shows_the_risk_but_is_not_assessed(client, victim, problem, pcso):
    m.Problem.objects.filter(pk=problem.pk).update(stage=m.Stage.CLOSED)
    client.force_login(pcso)
    page = client.get(reverse("problem", args=[problem.pk])).content.decode()
    assert 'id="risk"' in page and "Assess risk" not in page
    assert client.get(_assess_url(victim)).status_code == 403


def test_the_supervisor_sees_high_risk_victims_on_my_work(client, victim, pcso, supervisor, other_supervisor, problem):
    services.risk_assess(link=victim, answers={"a": False, "b": True, "c": True}, occasion="first_contact", by=pcso)
    client.force_login(supervisor)
    home = client.get(reverse("home")).content.decode()
    section = home[home.index('id="high-risk-victims"') :]
    section = section[: section.index("</table>")]
    assert "Ann Jones" in section and problem.reference in section and "score 5" in section
    assert f'href="/problems/{problem.pk}/#risk-{victim.pk}"' in section
    assert m.ProblemView.objects.filter(user=supervisor, person=victim.person, problem=problem).exists()

    client.force_login(other_supervisor)
    other = client.get(reverse("home")).content.decode()
    assert "No victim is at high risk in your districts." in other and "Ann Jones" not in other
    client.force_login(pcso)
    assert 'id="high-risk-victims"' not in client.get(reverse("home")).content.decode()


def test_the_form_page_works_on_a_phone_without_inline_code(client, victim, pcso):
    client.force_login(pcso)
    body = client.get(_assess_url(victim)).content.decode()
    assert 'name="viewport"' in body and "govuk-grid-column-two-thirds" in body
    assert inline_code(body) == []  # nothing the policy would block (GOV.UK's js-enabled line runs by its hash)
