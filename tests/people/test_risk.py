"""Victims' risk assessments: scoring, versions kept, the problem's risk and review clock, who may assess."""

from __future__ import annotations

import datetime
import importlib

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jps import models as m
from jps import privacy, rules, selectors, services
from jps.people import risk_questions
from tests import factories as f

pytestmark = pytest.mark.django_db
Risk = m.Risk
FIRST = m.RiskAssessment.Occasion.FIRST_CONTACT
CHANGED = m.RiskAssessment.Occasion.CHANGED


@pytest.fixture
def questions(force) -> m.RiskQuestionnaire:  # type: ignore[no-untyped-def]
    """The force's own: a (1), b (2), c (3); medium from 3, high from 5 (max 6)."""
    return f.RiskQuestionnaireFactory(force=force)


@pytest.fixture
def victim(problem) -> m.ProblemPerson:  # type: ignore[no-untyped-def]
    return f.VictimLinkFactory(problem=problem, person__name="Ann Jones")


def answers(*yes: str, keys: str = "abc") -> dict[str, bool]:
    return {key: key in yes for key in keys}


def test_the_national_default_is_the_shipped_ASB_victim_questionnaire():
    """Migration 0022 makes version 1 of the national default from a frozen copy of the shipped list."""
    migration = importlib.import_module("jps.migrations.0026_risk_assessment")
    assert migration.QUESTIONS == risk_questions.QUESTIONS and migration.NAME == risk_questions.NAME
    assert (migration.MEDIUM_THRESHOLD, migration.HIGH_THRESHOLD) == (6, 12)
    default = services.risk_questionnaire_default_ensure()  # the migration's, unless a flush emptied the table
    assert (default.force, default.version) == (None, 1)
    assert services.risk_questionnaire_default_ensure() == default
    rows = [(q.key, q.text, q.weight) for q in default.questions.all()]
    assert rows == risk_questions.QUESTIONS
    assert (default.name, default.medium_threshold, default.high_threshold) == (
        risk_questions.NAME,
        risk_questions.MEDIUM_THRESHOLD,
        risk_questions.HIGH_THRESHOLD,
    )
    assert 12 <= len(rows) <= 16 and {w for *_, w in rows} <= {1, 2, 3}
    assert {"targeted", "repeat", "afraid_at_home", "health", "children", "not_acted_on", "moving", "isolated"} <= {
        k for k, *_ in rows
    }
    assert 0 < default.medium_threshold < default.high_threshold <= default.max_score


def test_a_force_uses_its_latest_active_version_else_the_national_default(force):
    default = services.risk_questionnaire_default_ensure()
    assert m.RiskQuestionnaire.for_force(force.pk) == default
    first = f.RiskQuestionnaireFactory(force=force)
    second = f.RiskQuestionnaireFactory(force=force)
    assert (first.version, second.version) == (1, 2)
    assert m.RiskQuestionnaire.for_force(force.pk) == second
    second.is_active = False
    second.save()
    assert m.RiskQuestionnaire.for_force(force.pk) == first
    other = f.ForceFactory(code="SXP", name="Sussex Police", slug="sussex")
    assert m.RiskQuestionnaire.for_force(other.pk) == default


@pytest.mark.parametrize(
    ("yes", "score", "level"),
    [
        ((), 0, Risk.STANDARD),
        (("b",), 2, Risk.STANDARD),
        (("c",), 3, Risk.MEDIUM),  # exactly the medium threshold
        (("a", "c"), 4, Risk.MEDIUM),
        (("b", "c"), 5, Risk.HIGH),  # exactly the high threshold
        (("a", "b", "c"), 6, Risk.HIGH),
    ],
)
def test_the_score_is_the_weights_of_the_yes_answers_and_the_thresholds_set_the_level(
    questions, victim, pcso, yes, score, level
):
    assessment = services.risk_assess(link=victim, answers=answers(*yes), occasion=FIRST, by=pcso)
    assert (assessment.score, assessment.level) == (score, level)
    assert assessment.questionnaire == questions and assessment.questionnaire_version == 1
    assert assessment.answers == answers(*yes) and assessment.problem == victim.problem


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"a": True, "b": False}, "not answered: c"),
        ({"a": True, "b": False, "c": False, "shoe_size": True}, "No such question in version 1: shoe_size"),
        ({"a": "yes", "b": False, "c": False}, "Answer yes (true) or no (false): a"),
        ({"a": 1, "b": False, "c": False}, "Answer yes (true) or no (false): a"),
        (["a", "b"], "Give the answers as yes (true) or no (false)"),
    ],
)
def test_answers_that_do_not_answer_this_version_are_refused_and_nothing_is_saved(
    questions, victim, pcso, given, message
):
    problem = victim.problem
    history_before = problem.history.count()
    with pytest.raises(ValidationError) as refused:
        services.risk_assess(link=victim, answers=given, occasion=FIRST, by=pcso)
    assert any(message in text for text in refused.value.message_dict["answers"])
    assert not m.RiskAssessment.objects.exists() and not m.RiskAssessment.history.exists()
    problem.refresh_from_db()
    assert problem.risk == Risk.STANDARD and problem.history.count() == history_before


def test_an_unknown_occasion_is_refused(questions, victim, pcso):
    with pytest.raises(ValidationError) as refused:
        services.risk_assess(link=victim, answers=answers(), occasion="whenever", by=pcso)
    assert "occasion" in refused.value.message_dict
    assert not m.RiskAssessment.objects.exists()


def test_only_a_victim_is_assessed(questions, problem, pcso):
    witness = f.VictimLinkFactory(problem=problem, role=m.PersonRole.WITNESS)
    with pytest.raises(ValidationError) as refused:
        services.risk_assess(link=witness, answers=answers(), occasion=FIRST, by=pcso)
    assert "link" in refused.value.message_dict


def test_a_completed_assessment_keeps_the_version_it_was_scored_against(questions, victim, pcso, force):
    old = services.risk_assess(link=victim, answers=answers("c"), occasion=FIRST, by=pcso)
    assert questions.is_used
    revised = f.RiskQuestionnaireFactory(force=force, questions=[("a", 3), ("d", 3)], medium_threshold=2)
    new = services.risk_assess(link=victim, answers={"a": True, "d": True}, occasion=CHANGED, by=pcso)
    old.refresh_from_db()
    assert (old.questionnaire, old.questionnaire_version, old.score, old.level) == (questions, 1, 3, Risk.MEDIUM)
    assert old.answers == {"a": False, "b": False, "c": True}
    assert (new.questionnaire, new.questionnaire_version, new.score, new.level) == (revised, 2, 6, Risk.HIGH)
    with pytest.raises(ValidationError):  # the old version's answers do not answer the new one
        services.risk_assess(link=victim, answers=answers("c"), occasion=CHANGED, by=pcso)


def test_the_highest_current_victim_risk_sets_the_problem_risk(questions, victim, problem, pcso):
    other = f.VictimLinkFactory(problem=problem, person__name="Bob Jones")
    services.risk_assess(link=victim, answers=answers("a", "b", "c"), occasion=FIRST, by=pcso)
    services.risk_assess(link=other, answers=answers("c"), occasion=FIRST, by=pcso)
    problem.refresh_from_db()
    assert problem.risk == Risk.HIGH  # Ann high, Bob medium

    # Ann's circumstances changed: her latest assessment is standard, so Bob's medium is now the highest.
    services.risk_assess(link=victim, answers=answers(), occasion=CHANGED, by=pcso)
    problem.refresh_from_db()
    assert problem.risk == Risk.MEDIUM
    current = {v.link.person.name: v.current.level for v in selectors.risk_victims_on_problem(problem=problem)}
    assert current == {"Ann Jones": Risk.STANDARD, "Bob Jones": Risk.MEDIUM}
    assert m.RiskAssessment.objects.filter(link=victim).count() == 2  # the earlier one is kept, not current


def test_a_high_risk_assessment_brings_the_next_review_forward_to_14_days(questions, victim, problem, pcso):
    problem.risk, problem.review_interval_days = Risk.STANDARD, 56
    problem.next_review_due = datetime.date(2026, 7, 30)
    with time_machine.travel(datetime.datetime(2026, 6, 10, 9, tzinfo=datetime.UTC), tick=False):
        problem.save()
        services.risk_assess(link=victim, answers=answers("b", "c"), occasion=FIRST, by=pcso)
    problem.refresh_from_db()
    assert (problem.risk, problem.review_interval_days) == (Risk.HIGH, 14)
    assert problem.next_review_due == datetime.date(2026, 6, 24)  # 10 June + 14 days, not 50 days on
    latest = problem.history.order_by("-history_id").first()
    assert latest.history_user == pcso
    assert latest.history_change_reason == "Risk set to high: the victims' highest current risk"


def test_a_lower_risk_leaves_a_booked_review_where_it_is(questions, victim, problem, pcso):
    services.risk_assess(link=victim, answers=answers("a", "b", "c"), occasion=FIRST, by=pcso)
    problem.refresh_from_db()
    booked = problem.next_review_due
    services.risk_assess(link=victim, answers=answers(), occasion=CHANGED, by=pcso)
    problem.refresh_from_db()
    assert (problem.risk, problem.review_interval_days, problem.next_review_due) == (Risk.STANDARD, 56, booked)


def test_an_assessment_writes_its_history_with_who_and_why(questions, victim, pcso):
    assessment = services.risk_assess(
        link=victim, answers=answers("c"), occasion=FIRST, by=pcso, notes="Scared to go out after dark."
    )
    (row,) = assessment.history.all()
    assert row.history_type == "+" and row.history_user == pcso
    assert row.history_change_reason == "Risk assessed (First contact): medium, score 3"
    assert row.answers == {"a": False, "b": False, "c": True} and row.notes == "Scared to go out after dark."


def test_who_may_assess(questions, victim, problem, pcso, supervisor, other_officer, other_supervisor, admin_user):
    allowed = [pcso, supervisor, admin_user]
    for user in allowed:
        services.risk_assess(link=victim, answers=answers(), occasion=FIRST, by=user)
    for user in (other_officer, other_supervisor):
        with pytest.raises(PermissionDenied):
            services.risk_assess(link=victim, answers=answers(), occasion=FIRST, by=user)
    assert m.RiskAssessment.objects.count() == len(allowed)


def test_partners_never_assess_even_a_problem_they_own_or_take_part_in(
    questions, problem, partner_user, council, call_handler, analyst
):
    owned = f.ProblemFactory(owner=partner_user, neighbourhood=problem.neighbourhood, category=problem.category)
    m.Participation.objects.create(problem=problem, agency=council)
    for link in (f.VictimLinkFactory(problem=owned), f.VictimLinkFactory(problem=problem)):
        assert partner_user.has_perm("jps.see_problem", link.problem)
        for user in (partner_user, call_handler, analyst):
            assert not user.has_perm("jps.view_risk", link.problem)
            with pytest.raises(PermissionDenied):
                services.risk_assess(link=link, answers=answers(), occasion=FIRST, by=user)
    assert partner_user.has_perm("jps.view_contacts", owned)  # contacts yes, risk answers no
    assert not m.RiskAssessment.objects.exists()


def test_a_closed_problem_is_not_assessed(questions, victim, problem, pcso):
    problem.stage = m.Stage.CLOSED
    problem.save()
    assert pcso.has_perm("jps.view_risk", problem) and not pcso.has_perm("jps.assess_risk", problem)
    with pytest.raises(PermissionDenied):
        services.risk_assess(link=victim, answers=answers(), occasion=FIRST, by=pcso)


def test_without_a_questionnaire_in_use_the_assessment_says_so(victim, pcso):
    m.RiskQuestionnaire.objects.update(is_active=False)
    with pytest.raises(ValidationError) as refused:
        services.risk_assess(link=victim, answers={}, occasion=FIRST, by=pcso)
    assert "ask an administrator" in refused.value.message_dict["answers"][0]


def test_the_read_rule_and_the_list_scope_agree_for_every_role(
    problem, pcso, supervisor, other_officer, other_supervisor, partner_user, call_handler, analyst, admin_user,
    web_editor, training_manager, other_neighbourhood, neighbourhood, category,
):  # fmt: skip
    problems = [
        problem,
        f.ProblemFactory(owner=other_officer, neighbourhood=other_neighbourhood, category=category),
        f.ProblemFactory(owner=pcso, neighbourhood=other_neighbourhood, category=category),  # owned elsewhere
        f.ProblemFactory(owner=partner_user, neighbourhood=neighbourhood, category=category),
        f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category, stage=m.Stage.CLOSED),
    ]
    users = [pcso, supervisor, other_officer, other_supervisor, partner_user, call_handler, analyst, admin_user]
    for user in [*users, web_editor, training_manager]:
        in_scope = set(m.Problem.objects.filter(rules.risk_scope_q(user)).values_list("pk", flat=True))
        for p in problems:
            assert user.has_perm("jps.view_risk", p) == (p.pk in in_scope), (user.username, p.pk)
    assert not m.Problem.objects.filter(rules.risk_scope_q(partner_user)).exists()


def test_high_risk_victims_for_a_supervisor_s_districts_in_one_query(
    questions, victim, problem, pcso, supervisor, other_supervisor, other_officer, other_neighbourhood, category,
    django_assert_num_queries,
):  # fmt: skip
    calm = f.VictimLinkFactory(problem=problem, person__name="Cal Calm")
    elsewhere = f.ProblemFactory(owner=other_officer, neighbourhood=other_neighbourhood, category=category)
    far = f.VictimLinkFactory(problem=elsewhere, person__name="Dee Dover")
    closed = f.ProblemFactory(owner=pcso, neighbourhood=problem.neighbourhood, category=category)
    was = f.VictimLinkFactory(problem=closed, person__name="Eve Earlier")
    services.risk_assess(link=victim, answers=answers("b", "c"), occasion=FIRST, by=pcso)
    services.risk_assess(link=calm, answers=answers("a"), occasion=FIRST, by=pcso)
    services.risk_assess(link=far, answers=answers("a", "b", "c"), occasion=FIRST, by=other_officer)
    services.risk_assess(link=was, answers=answers("a", "b", "c"), occasion=FIRST, by=pcso)
    m.Problem.objects.filter(pk=closed.pk).update(stage=m.Stage.CLOSED)

    assert supervisor.scope_district_ids  # the user's districts, read once per request
    with django_assert_num_queries(1):
        rows = [(a.link.person.name, a.problem.reference, a.problem.neighbourhood.name, a.score) for a in
                selectors.high_risk_victims_for(user=supervisor)]  # fmt: skip
    assert rows == [("Ann Jones", problem.reference, "Northgate", 5)]
    assert [a.link for a in selectors.high_risk_victims_for(user=other_supervisor)] == [far]

    # Reassessed lower: no longer a high-risk victim (only the latest assessment counts).
    services.risk_assess(link=victim, answers=answers("c"), occasion=CHANGED, by=pcso)
    assert not selectors.high_risk_victims_for(user=supervisor).exists()


def test_a_deleted_victim_link_takes_its_assessments_with_it_but_the_history_keeps_them(questions, victim, pcso):
    services.risk_assess(link=victim, answers=answers("c"), occasion=FIRST, by=pcso)
    services.problem_person_unlink(link=victim, by=pcso, reason="Entered on the wrong problem")
    assert not m.RiskAssessment.objects.exists()
    assert set(m.RiskAssessment.history.values_list("history_type", flat=True)) == {"+", "-"}


def _admin_form(questionnaire: m.RiskQuestionnaire, **changes: object) -> dict[str, object]:
    """The admin's change form as posted: the version's fields and each question as an inline row."""
    questions = list(questionnaire.questions.all())
    data: dict[str, object] = {
        "force": questionnaire.force_id or "",
        "name": questionnaire.name,
        "medium_threshold": questionnaire.medium_threshold,
        "high_threshold": questionnaire.high_threshold,
        "is_active": "on" if questionnaire.is_active else "",
        "questions-TOTAL_FORMS": len(questions),
        "questions-INITIAL_FORMS": len(questions),
        "questions-MIN_NUM_FORMS": 1,
        "questions-MAX_NUM_FORMS": 1000,
    }
    for i, q in enumerate(questions):
        row = {"id": q.pk, "questionnaire": questionnaire.pk, "position": q.position, "key": q.key}
        data |= {f"questions-{i}-{name}": value for name, value in (row | {"text": q.text, "weight": q.weight}).items()}
    data |= changes
    if not data["is_active"]:
        del data["is_active"]
    return data


def test_editing_a_used_version_in_the_admin_saves_a_new_version_and_keeps_the_old(
    admin_client, questions, victim, pcso
):
    used = services.risk_assess(link=victim, answers=answers("c"), occasion=FIRST, by=pcso)
    url = f"/admin/jps/riskquestionnaire/{questions.pk}/change/"
    response = admin_client.post(url, _admin_form(questions, high_threshold=4, **{"questions-2-weight": 2}))
    assert response.status_code == 302, response.content.decode()[:2000]
    questions.refresh_from_db()
    assert (questions.version, questions.high_threshold) == (1, 5)  # the used version is as it was
    assert [q.weight for q in questions.questions.all()] == [1, 2, 3]
    revised = m.RiskQuestionnaire.objects.get(force=questions.force, version=2)
    assert (revised.high_threshold, [q.weight for q in revised.questions.all()]) == (4, [1, 2, 2])
    assert revised.created_by.username == "admin"
    assert m.RiskQuestionnaire.for_force(questions.force_id) == revised
    used.refresh_from_db()
    assert used.questionnaire == questions and used.score == 3

    # Turning a used version off is not a change of its questions: done in place.
    admin_client.post(f"/admin/jps/riskquestionnaire/{revised.pk}/change/", _admin_form(revised))
    services.risk_assess(link=victim, answers=answers("c"), occasion=CHANGED, by=pcso)
    admin_client.post(f"/admin/jps/riskquestionnaire/{revised.pk}/change/", _admin_form(revised, is_active=""))
    revised.refresh_from_db()
    assert not revised.is_active and m.RiskQuestionnaire.objects.filter(force=questions.force).count() == 2
    assert m.RiskQuestionnaire.for_force(questions.force_id) == questions


def test_an_unused_version_is_edited_in_place_and_a_used_one_cannot_be_deleted(admin_client, questions, victim, pcso):
    url = f"/admin/jps/riskquestionnaire/{questions.pk}/change/"
    assert admin_client.post(url, _admin_form(questions, medium_threshold=2)).status_code == 302
    questions.refresh_from_db()
    assert questions.medium_threshold == 2 and m.RiskQuestionnaire.objects.filter(force=questions.force).count() == 1
    services.risk_assess(link=victim, answers=answers("c"), occasion=FIRST, by=pcso)
    assert admin_client.get(f"/admin/jps/riskquestionnaire/{questions.pk}/delete/").status_code == 403
    refused = admin_client.post(url, _admin_form(questions, medium_threshold=6, high_threshold=5))
    assert refused.status_code == 200 and "above the medium threshold" in refused.content.decode()


def test_retention_redacts_the_notes_and_keeps_the_scores(questions, victim, problem, pcso, settings):
    services.risk_assess(link=victim, answers=answers("c"), occasion=FIRST, by=pcso, notes="Lives alone at No. 4")
    settings.JPS_RETENTION_DAYS = 365
    m.Problem.objects.filter(pk=problem.pk).update(
        stage=m.Stage.CLOSED, closed_at=timezone.now() - datetime.timedelta(days=400)
    )
    assert privacy.personal_data_redact() == 1
    (assessment,) = m.RiskAssessment.objects.all()
    assert (assessment.notes, assessment.score, assessment.level) == (privacy.REDACTED, 3, Risk.MEDIUM)
    assert set(m.RiskAssessment.history.values_list("notes", flat=True)) == {privacy.REDACTED}


def test_the_person_and_lookup_pages_read_each_victims_own_risk_not_the_problems(questions, victim, problem, pcso):
    other = f.VictimLinkFactory(problem=problem, person__name="Bob Jones")
    witness = f.VictimLinkFactory(problem=problem, person__name="Cat Jones", role=m.PersonRole.WITNESS)
    services.risk_assess(link=victim, answers=answers("a", "b", "c"), occasion=FIRST, by=pcso)
    services.risk_assess(link=other, answers=answers("c"), occasion=FIRST, by=pcso)
    services.risk_assess(link=victim, answers=answers("a", "b"), occasion=CHANGED, by=pcso)
    problem.refresh_from_db()
    assert problem.risk == Risk.MEDIUM

    risks = selectors.person_link_risks([victim, other, witness])

    assert risks == {victim.pk: Risk.MEDIUM, other.pk: Risk.MEDIUM, witness.pk: Risk.MEDIUM}
    services.risk_assess(link=victim, answers=answers("a", "b", "c"), occasion=CHANGED, by=pcso)
    problem.refresh_from_db()
    risks = selectors.person_link_risks([victim, other, witness])
    # Ann's latest is high; Bob keeps his own medium though the problem is now high; the witness, never
    # assessed, takes the problem's.
    assert risks == {victim.pk: Risk.HIGH, other.pk: Risk.MEDIUM, witness.pk: Risk.HIGH}
