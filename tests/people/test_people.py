"""People and places across problems: the repeat counts, the visibility rule, merge, the access log."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from jps import models as m
from jps import privacy, selectors, services
from tests import factories as f


@pytest.fixture
def family(problem, pcso, neighbourhood, category):  # type: ignore[no-untyped-def]
    """Hand-counted: Ann is a victim on three problems (one closed two years ago), a witness on one;
    Bob is a victim on one; Cy is on nothing. Ann is vulnerable (mental health)."""
    now = timezone.now()
    second = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category)
    old = f.ProblemFactory(
        owner=pcso,
        neighbourhood=neighbourhood,
        category=category,
        stage=m.Stage.CLOSED,
        created_at=now - datetime.timedelta(days=900),
        closed_at=now - datetime.timedelta(days=700),
    )
    witness_on = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category)
    ann = services.person_create(by=pcso, name="Ann Jones", vulnerabilities=["mental_health"])
    bob = services.person_create(by=pcso, name="Bob Jones")
    cy = services.person_create(by=pcso, name="Cy Jones")
    for p in (problem, second):
        services.problem_person_link(problem=p, person=ann, role="victim", by=pcso)
    m.ProblemPerson.objects.create(problem=old, person=ann, role="victim", added_by=pcso)  # closed: no longer worked
    services.problem_person_link(problem=witness_on, person=ann, role="witness", by=pcso)
    services.problem_person_link(problem=problem, person=bob, role="victim", by=pcso)
    return ann, bob, cy, [problem, second, old, witness_on]


def test_the_same_person_across_problems_counted_in_one_query(family, django_assert_num_queries):  # type: ignore[no-untyped-def]
    ann, bob, cy, _ = family
    with django_assert_num_queries(1):
        facts = selectors.person_repeat_counts(person_ids=[ann.pk, bob.pk, cy.pk])
    assert facts[ann.pk] == selectors.PersonFacts(victim_recent=2, problems=4, vulnerable=True)
    assert facts[bob.pk] == selectors.PersonFacts(victim_recent=1, problems=1, vulnerable=False)
    assert facts[cy.pk] == selectors.PersonFacts(victim_recent=0, problems=0, vulnerable=False)


def test_a_place_linked_to_problems_is_counted(family, pcso):  # type: ignore[no-untyped-def]
    *_, problems = family
    flat = services.place_create(by=pcso, address="Flat 3, 12 Station Road")
    for p in problems:
        m.ProblemPlace.objects.create(problem=p, place=flat, role="location", added_by=pcso)
    assert selectors.place_repeat_counts(place_ids=[flat.pk])[flat.pk] == selectors.PlaceFacts(4, 3)


def test_a_partner_sees_people_only_through_problems_it_may_see(family, partner_user, council, pcso):  # type: ignore[no-untyped-def]
    ann, bob, cy, problems = family
    assert list(selectors.people_visible_to(partner_user)) == []
    m.Participation.objects.create(problem=problems[1], agency=council)
    assert set(selectors.people_visible_to(partner_user)) == {ann}
    links = selectors.person_links_visible_to(partner_user)
    assert {(link.person_id, link.problem_id) for link in links} == {(ann.pk, problems[1].pk)}
    assert set(selectors.people_visible_to(pcso)) == {ann, bob, cy}


def test_a_partner_cannot_link_to_a_problem_it_cannot_work(family, partner_user, problem):  # type: ignore[no-untyped-def]
    ann, *_ = family
    with pytest.raises(PermissionDenied):
        services.problem_person_link(problem=problem, person=ann, role="witness", by=partner_user)


def test_call_handlers_read_but_do_not_change(family, call_handler):  # type: ignore[no-untyped-def]
    ann, *_ = family
    assert ann in selectors.people_visible_to(call_handler)
    with pytest.raises(PermissionDenied):
        services.person_update(person=ann, by=call_handler, phone="01227 000000")


def test_validation_names_the_fields(pcso, problem):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        services.person_create(by=pcso, name="", email="not-an-email", vulnerabilities=["unlucky"])
    assert {"name", "email", "vulnerabilities"} <= set(error.value.message_dict)
    ann = services.person_create(by=pcso, name="Ann")
    services.problem_person_link(problem=problem, person=ann, role="victim", by=pcso)
    with pytest.raises(ValidationError) as error:
        services.problem_person_link(problem=problem, person=ann, role="victim", by=pcso)
    assert "person" in error.value.message_dict


def test_merge_moves_links_and_keeps_both_histories(family, supervisor, pcso):  # type: ignore[no-untyped-def]
    ann, bob, cy, problems = family
    dupe = services.person_create(by=pcso, name="Anne Jones", phone="07700 900123")
    services.problem_person_link(problem=problems[0], person=dupe, role="victim", by=pcso)  # Ann has this one
    services.problem_person_link(problem=problems[3], person=dupe, role="complainant", by=pcso)
    with pytest.raises(PermissionDenied):
        services.person_merge(keep=ann, merge=dupe, by=pcso, reason="Same person")
    services.person_merge(keep=ann, merge=dupe, by=supervisor, reason="Same person, new phone")
    dupe.refresh_from_db()
    ann.refresh_from_db()
    assert dupe.merged_into == ann and ann.phone == "07700 900123"
    assert set(ann.links.values_list("problem_id", "role")) == {
        (problems[0].pk, "victim"),
        (problems[1].pk, "victim"),
        (problems[2].pk, "victim"),
        (problems[3].pk, "witness"),
        (problems[3].pk, "complainant"),
    }
    assert not dupe.links.exists()
    assert dupe.history.count() == 2 and dupe.history.first().history_user == supervisor
    assert ann.history.first().history_change_reason.startswith(f"Merged person {dupe.pk}")
    assert m.ProblemPerson.history.filter(person_id=dupe.pk, history_type="-").count() == 1  # the duplicate link
    assert dupe not in selectors.person_search(pcso, "Jones")
    with pytest.raises(ValidationError):
        services.person_merge(keep=ann, merge=dupe, by=supervisor, reason="again")


def test_search_finds_a_name_fuzzily_on_postgresql_and_by_words_on_sqlite(family, pcso):  # type: ignore[no-untyped-def]
    ann, bob, cy, _ = family
    assert set(selectors.person_search(pcso, "jones")) == {ann, bob, cy}
    assert list(selectors.person_search(pcso, "Jones Ann")) == [ann] or connection.vendor == "postgresql"
    if connection.vendor == "postgresql":
        assert list(selectors.person_search(pcso, "Ann Jone"))[0] == ann  # a typo still finds her first
    flat = services.place_create(by=pcso, address="Flat 3, 12 Station Road, Canterbury")
    assert list(selectors.place_search(pcso, "station road")) == [flat]


def test_retention_redacts_a_person_only_on_problems_past_retention(family, settings):  # type: ignore[no-untyped-def]
    ann, bob, cy, problems = family
    settings.JPS_RETENTION_DAYS = 365
    old = problems[2]
    solo = services.person_create(by=old.owner, name="Dee Old", phone="01227 111111")
    m.ProblemPerson.objects.create(problem=old, person=solo, role="victim", added_by=old.owner)
    assert privacy.personal_data_redact() == 1
    solo.refresh_from_db()
    ann.refresh_from_db()
    assert (solo.name, solo.phone) == (privacy.REDACTED, "")
    assert not solo.history.filter(phone="01227 111111").exists()
    assert ann.name == "Ann Jones"  # also on live problems


def test_subject_access_export_includes_the_person_and_logs_the_reads(family, supervisor):  # type: ignore[no-untyped-def]
    ann, *_ = family
    export = privacy.subject_access_export(by=supervisor, name="ann jones")
    (record,) = export["as_person"]
    assert record["name"] == "Ann Jones" and len(record["problems"]) == 4
    logged = m.ProblemView.objects.filter(user=supervisor, person=ann, channel="sar")
    assert logged.count() == 5  # one per problem, and the record itself


def test_the_problem_page_shows_people_with_their_tags_to_those_who_see_contacts(
    family, client, pcso, partner_user, council
):  # type: ignore[no-untyped-def]
    from tests.conftest import verified_login

    ann, bob, cy, problems = family
    page = verified_login(client, pcso).get(f"/problems/{problems[0].pk}/").content.decode()
    assert "Ann Jones" in page and "victim in 2 problems in the last 12 months" in page and "vulnerable" in page
    assert m.ProblemView.objects.filter(user=pcso, person=ann, problem=problems[0], channel="web").exists()
    m.Participation.objects.create(problem=problems[0], agency=council)
    client.logout()
    page = verified_login(client, partner_user).get(f"/problems/{problems[0].pk}/").content.decode()
    assert "Ann Jones" not in page
