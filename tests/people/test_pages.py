"""People and places from the web: the problem page, adding (search first), the person and place pages,
editing and merging; who reaches whom, and the access log."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from jps import models as m
from jps import services
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db


def page(client, user, url, **params):  # type: ignore[no-untyped-def]
    response = verified_login(client, user).get(url, params)
    return response.status_code, response.content.decode()


def text(body: str) -> str:
    """The page's words, tags and spacing gone, for assertions about what a reader sees."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


# --- the problem page -------------------------------------------------------------------------


def test_the_problem_page_lists_people_and_places_with_their_counts(client, casebook, pcso):  # type: ignore[no-untyped-def]
    status, body = page(client, pcso, reverse("problem", args=[casebook.canterbury.pk]))
    assert status == 200
    words = text(body)
    assert "Ann Jones · Victim" in words and "victim in 3 problems in the last 12 months" in words
    assert "vulnerable" in words and "Bob Smith · Subject (alleged perpetrator)" in words
    assert "Flat 3, 12 Station Road, Canterbury · Location of the problem" in words
    assert "linked to 2 problems, 2 open" in words
    assert reverse("person", args=[casebook.ann.pk]) in body and reverse("place", args=[casebook.flat.pk]) in body
    assert reverse("problem_person_add", args=[casebook.canterbury.pk]) in body  # the PCSO works it
    assert "Carl Hidden" not in body


def test_the_problem_page_offers_no_adding_to_those_who_only_read(client, casebook, supervisor, call_handler):  # type: ignore[no-untyped-def]
    closed = casebook.second
    closed.stage = m.Stage.CLOSED
    closed.save()
    _, body = page(client, supervisor, reverse("problem", args=[closed.pk]))
    assert "Ann Jones" in body and "Add a person" not in body and "/remove/" not in body


# --- adding: search first -----------------------------------------------------------------------


def test_search_finds_the_same_person_across_problems_with_the_counts(client, casebook, pcso):  # type: ignore[no-untyped-def]
    url = reverse("problem_person_add", args=[casebook.second.pk])
    status, body = page(client, pcso, url, q="ann jones")
    words = text(body)
    assert status == 200 and "Ann Jones" in words and "Born 3 May 1961" in words
    assert "victim in 3 problems in the last 12 months" in words and "vulnerable" in words
    assert "Already on this problem as victim." in words
    assert reverse("problem_person_choose", args=[casebook.second.pk, casebook.ann.pk]) in body
    assert "Record a new person" in body and "?q=ann+jones" in body
    # Carl is on a Dover problem only, but of the force: an officer finds him (a partner, below, does not).
    assert "Carl Hidden" in page(client, pcso, url, q="carl")[1]


def test_a_known_person_is_linked_as_victim_and_the_history_says_who(client, casebook, pcso):  # type: ignore[no-untyped-def]
    url = reverse("problem_person_choose", args=[casebook.second.pk, casebook.bob.pk])
    status, body = page(client, pcso, url)
    assert status == 200 and "Their role in this problem" in body
    response = client.post(url, {"role": "victim"})
    assert response.status_code == 302 and response["Location"].endswith(f"/problems/{casebook.second.pk}/#people")
    link = m.ProblemPerson.objects.get(problem=casebook.second, person=casebook.bob)
    assert link.role == "victim" and link.history.first().history_user == pcso
    again = client.post(url, {"role": "victim"})
    assert again.status_code == 200 and "already on this problem as victim" in again.content.decode()
    assert client.post(url, {"role": "hero"}).status_code == 200
    assert m.ProblemPerson.objects.filter(problem=casebook.second, person=casebook.bob).count() == 1


def test_a_new_person_is_recorded_and_linked_and_bad_input_saves_nothing(client, casebook, pcso):  # type: ignore[no-untyped-def]
    url = reverse("problem_person_new", args=[casebook.second.pk])
    status, body = page(client, pcso, url, q="Dee Newcomer")
    assert status == 200 and 'value="Dee Newcomer"' in body and 'name="date_of_birth_day"' in body
    assert 'type="checkbox" value="disability"' in body
    before = (m.Person.objects.count(), m.ProblemPerson.objects.count())
    bad = {"name": "Dee", "email": "dee-at-example", "date_of_birth_day": "3", "date_of_birth_month": "4"}
    words = text(client.post(url, {**bad, "date_of_birth_year": "2999"}).content.decode())
    assert "Select their role in this problem" in words
    assert "Enter an email address in the correct format, like name@example.com" in words
    assert "Date of birth must be in the past" in words and "There is a problem" in words
    words = text(client.post(url, {"role": "victim", "vulnerabilities": ["unlucky"]}).content.decode())
    assert "Enter the person's full name" in words and "Select only the kinds of vulnerability listed" in words
    assert (m.Person.objects.count(), m.ProblemPerson.objects.count()) == before
    good = {
        "role": "victim",
        "name": "Dee Newcomer",
        "date_of_birth_day": "9",
        "date_of_birth_month": "12",
        "date_of_birth_year": "1950",
        "phone": "01227 555000",
        "vulnerabilities": ["age", "disability"],
        "preferred_language": "Welsh",
    }
    response = client.post(url, good)
    assert response.status_code == 302
    dee = m.Person.objects.get(name="Dee Newcomer")
    assert dee.vulnerabilities == ["age", "disability"] and dee.date_of_birth.year == 1950
    assert dee.force_id == casebook.second.force_id and dee.links.get().role == "victim"


def test_a_new_place_is_recorded_and_a_bad_uprn_saves_nothing(client, casebook, pcso, neighbourhood):  # type: ignore[no-untyped-def]
    url = reverse("problem_place_new", args=[casebook.second.pk])
    verified_login(client, pcso)
    before = m.Place.objects.count()
    words = text(client.post(url, {"role": "premises", "address": "The Parade", "uprn": "12-AB"}).content.decode())
    assert "UPRN must be a number of up to 12 digits" in words and m.Place.objects.count() == before
    words = text(client.post(url, {"role": "premises", "address": "", "neighbourhood": "999999"}).content.decode())
    assert "Enter the address" in words and "Select a neighbourhood of this force from the list" in words
    data = {"role": "premises", "address": "The Parade shops", "uprn": "100062", "neighbourhood": neighbourhood.pk}
    assert client.post(url, data).status_code == 302
    shops = m.Place.objects.get(address="The Parade shops")
    assert shops.neighbourhood == neighbourhood and shops.links.get().problem == casebook.second


def test_a_place_search_says_how_many_problems_the_address_is_linked_to(client, casebook, pcso):  # type: ignore[no-untyped-def]
    _, body = page(client, pcso, reverse("problem_place_add", args=[casebook.second.pk]), q="station road")
    words = text(body)
    assert "Flat 3, 12 Station Road, Canterbury" in words and "UPRN 100062618001" in words
    assert "linked to 2 problems, 2 open" in words


def test_removing_asks_first_and_the_history_keeps_the_link(client, casebook, pcso):  # type: ignore[no-untyped-def]
    link = m.ProblemPerson.objects.get(problem=casebook.canterbury, person=casebook.bob)
    url = reverse("problem_person_remove", args=[casebook.canterbury.pk, link.pk])
    status, body = page(client, pcso, url)
    assert status == 200 and "Remove Bob Smith as subject (alleged perpetrator)?" in text(body)
    assert m.ProblemPerson.objects.filter(pk=link.pk).exists()
    assert client.post(url, {"reason": "Wrong Bob"}).status_code == 302
    assert not m.ProblemPerson.objects.filter(pk=link.pk).exists()
    gone = m.ProblemPerson.history.filter(id=link.pk, history_type="-").get()
    assert gone.history_user == pcso and gone.history_change_reason == "Removed: Wrong Bob"
    place_link = m.ProblemPlace.objects.get(problem=casebook.canterbury)
    url = reverse("problem_place_remove", args=[casebook.canterbury.pk, place_link.pk])
    assert client.post(url, {}).status_code == 302 and not m.ProblemPlace.objects.filter(pk=place_link.pk).exists()


# --- the person and place pages -------------------------------------------------------------------


def test_the_person_page_shows_details_counts_and_only_the_problems_the_reader_sees(client, casebook, pcso):  # type: ignore[no-untyped-def]
    status, body = page(client, pcso, reverse("person", args=[casebook.ann.pk]))
    words = text(body)
    assert status == 200 and "07700 900123" in words and "3 May 1961" in words and "Mental health" in words
    assert "Victim in 3 in the last 12 months; on 3 in all" in words
    assert casebook.canterbury.reference in words and casebook.second.reference in words
    assert casebook.dover.reference not in words  # another district's: counted, never named
    assert "Risk to them" in words and "Standard" in words
    assert reverse("person_edit", args=[casebook.ann.pk]) in body
    assert reverse("person_merge", args=[casebook.ann.pk]) not in body  # an officer does not merge
    assert m.ProblemView.objects.filter(user=pcso, person=casebook.ann, problem=None, channel="web").count() == 1


def test_the_place_page_lists_the_problems_there_and_logs_them(client, casebook, pcso):  # type: ignore[no-untyped-def]
    status, body = page(client, pcso, reverse("place", args=[casebook.flat.pk]))
    words = text(body)
    assert status == 200 and "This address is linked to 2 problems, 2 open" in words
    assert casebook.canterbury.reference in words and casebook.dover.reference not in words
    logged = m.ProblemView.objects.filter(user=pcso, channel="web", person=None).values_list("problem_id", flat=True)
    assert list(logged) == [casebook.canterbury.pk]


def test_a_partner_reaches_a_person_only_through_a_problem_it_may_see(client, casebook, partner_user):  # type: ignore[no-untyped-def]
    status, body = page(client, partner_user, reverse("person", args=[casebook.ann.pk]))
    words = text(body)
    assert status == 200 and "Ann Jones" in words and "Mental health" in words
    assert "07700 900123" not in words and "1961" not in words and "Phone number" not in words
    assert casebook.canterbury.reference in words
    assert casebook.second.reference not in words and casebook.dover.reference not in words
    assert "Change details" not in words
    through = m.ProblemView.objects.filter(user=partner_user, person=casebook.ann).values_list("problem_id", flat=True)
    assert list(through) == [casebook.canterbury.pk]
    assert page(client, partner_user, reverse("person", args=[casebook.carl.pk]))[0] == 404
    assert page(client, partner_user, reverse("place", args=[casebook.castle.pk]))[0] == 404
    _, body = page(client, partner_user, reverse("place", args=[casebook.flat.pk]))
    assert casebook.canterbury.reference in body and casebook.dover.reference not in body
    for url in (
        reverse("person_edit", args=[casebook.carl.pk]),
        reverse("person_merge", args=[casebook.carl.pk]),
        reverse("place_merge", args=[casebook.castle.pk]),
    ):
        assert page(client, partner_user, url)[0] == 404, url
    assert page(client, partner_user, reverse("person_edit", args=[casebook.ann.pk]))[0] == 403
    assert page(client, partner_user, reverse("problem_person_add", args=[casebook.canterbury.pk]))[0] == 403


def test_a_partners_search_never_finds_a_person_through_a_problem_it_cannot_see(  # type: ignore[no-untyped-def]
    client, casebook, partner_user, neighbourhood, category
):
    own = m.Problem.objects.create(
        **{
            f.name: getattr(casebook.second, f.name)
            for f in m.Problem._meta.concrete_fields
            if f.name not in ("id", "reference", "owner", "lead_agency", "created_by")
        },
        reference="KNT-2026-09999",
        owner=partner_user,
        lead_agency=partner_user.agency,
        created_by=partner_user,
    )
    url = reverse("problem_person_add", args=[own.pk])
    hidden = reverse("problem_person_choose", args=[own.pk, casebook.carl.pk])
    for q in ("Carl Hidden", "Carl", "Hidden"):
        status, body = page(client, partner_user, url, q=q)
        assert status == 200 and "No people found" in body and hidden not in body, q
    _, body = page(client, partner_user, url, q="Bob")  # on the council's problem, as subject: visible
    assert reverse("problem_person_choose", args=[own.pk, casebook.bob.pk]) in body
    status, body = page(client, partner_user, reverse("problem_place_add", args=[own.pk]), q="Castle Street")
    assert status == 200 and "No places found" in body
    choose = reverse("problem_person_choose", args=[own.pk, casebook.carl.pk])
    assert page(client, partner_user, choose)[0] == 404
    assert not m.ProblemPerson.objects.filter(problem=own).exists()


def test_an_officer_of_another_force_reaches_none_of_them(client, casebook, essex):  # type: ignore[no-untyped-def]
    officer, problem, their_ann, their_place = essex
    for url in (
        reverse("person", args=[casebook.ann.pk]),
        reverse("place", args=[casebook.flat.pk]),
        reverse("person_edit", args=[casebook.ann.pk]),
        reverse("problem_person_add", args=[casebook.canterbury.pk]),
        reverse("problem_person_choose", args=[problem.pk, casebook.ann.pk]),
    ):
        assert page(client, officer, url)[0] == 404, url
    _, body = page(client, officer, reverse("problem_person_add", args=[problem.pk]), q="Ann Jones")
    assert reverse("person", args=[casebook.ann.pk]) not in body and "1961" not in body
    assert reverse("problem_person_choose", args=[problem.pk, their_ann.pk]) in body
    assert reverse("problem_person_choose", args=[problem.pk, casebook.ann.pk]) not in body
    _, body = page(client, officer, reverse("problem_place_add", args=[problem.pk]), q="Station Road")
    assert "Chelmsford" in body and "Canterbury" not in body


def test_a_search_logs_the_people_it_shows(client, casebook, pcso):  # type: ignore[no-untyped-def]
    page(client, pcso, reverse("problem_person_add", args=[casebook.second.pk]), q="Ann Jones")
    assert m.ProblemView.objects.filter(user=pcso, person=casebook.ann, problem=None).exists()


# --- editing and merging --------------------------------------------------------------------------


def test_an_officer_changes_details_and_a_call_handler_may_not(client, casebook, pcso, call_handler):  # type: ignore[no-untyped-def]
    url = reverse("person_edit", args=[casebook.ann.pk])
    status, body = page(client, pcso, url)
    assert status == 200 and 'value="07700 900123"' in body and 'value="mental_health" checked' in body
    data = {
        "name": "Ann Jones",
        "date_of_birth_day": "3",
        "date_of_birth_month": "5",
        "date_of_birth_year": "1961",
        "phone": "07700 900999",
        "vulnerabilities": ["mental_health"],
    }
    assert "Enter an email address" in client.post(url, {**data, "email": "nope"}).content.decode()
    casebook.ann.refresh_from_db()
    assert casebook.ann.phone == "07700 900123"
    assert client.post(url, data).status_code == 302
    casebook.ann.refresh_from_db()
    latest = casebook.ann.history.first()
    assert casebook.ann.phone == "07700 900999" and latest.history_user == pcso
    assert page(client, call_handler, url)[0] == 403


def test_a_supervisor_merges_two_records_of_one_person_and_both_histories_stay(  # type: ignore[no-untyped-def]
    client, casebook, pcso, supervisor
):
    dupe = services.person_create(by=pcso, name="Anne Jones", email="ann@example.org")
    services.problem_person_link(problem=casebook.second, person=dupe, role="complainant", by=pcso)
    search = reverse("person_merge", args=[casebook.ann.pk])
    assert page(client, pcso, search)[0] == 403
    status, body = page(client, supervisor, search)  # searches its own name first
    assert status == 200 and "Anne Jones" in body
    confirm = reverse("person_merge_confirm", args=[casebook.ann.pk, dupe.pk])
    assert confirm in body
    status, body = page(client, supervisor, confirm)
    assert status == 200 and "Are these the same person?" in body
    assert "Enter how you know they are the same person" in client.post(confirm, {"reason": " "}).content.decode()
    dupe.refresh_from_db()
    assert dupe.merged_into is None
    assert client.post(confirm, {"reason": "Same date of birth"}).status_code == 302
    dupe.refresh_from_db()
    casebook.ann.refresh_from_db()
    assert dupe.merged_into == casebook.ann and casebook.ann.email == "ann@example.org"
    assert casebook.ann.links.filter(problem=casebook.second, role="complainant").exists()
    assert dupe.history.first().history_change_reason.startswith(f"Merged person {dupe.pk} into")
    _, body = page(client, supervisor, reverse("person", args=[dupe.pk]))
    assert "This record was merged into" in body and "Merge a duplicate" not in body


def test_a_supervisor_merges_two_records_of_one_place_from_the_web(client, casebook, pcso, supervisor):  # type: ignore[no-untyped-def]
    dupe = services.place_create(by=pcso, address="Flat 3 12 Station Rd Canterbury")
    services.problem_place_link(problem=casebook.second, place=dupe, role="location", by=pcso)
    _, body = page(client, supervisor, reverse("place_merge", args=[casebook.flat.pk]), q="Station R")
    confirm = reverse("place_merge_confirm", args=[casebook.flat.pk, dupe.pk])
    assert confirm in body
    assert client.post(confirm, {"reason": "Same flat"}).status_code == 302
    dupe.refresh_from_db()
    assert dupe.merged_into == casebook.flat
    assert set(casebook.flat.links.values_list("problem_id", flat=True)) == {
        casebook.canterbury.pk,
        casebook.second.pk,
        casebook.dover.pk,
    }
    assert page(client, pcso, confirm)[0] == 403


# --- every form speaks GOV.UK ----------------------------------------------------------------------


def test_every_people_form_answers_in_its_own_words(client, casebook, pcso, supervisor):  # type: ignore[no-untyped-def]
    from frontend import lookup
    from frontend.govuk_forms import GovukForm
    from frontend.people import forms as people_forms
    from tests.frontend.test_error_messages import _django_words

    for module in (people_forms, lookup):
        for cls in vars(module).values():
            if isinstance(cls, type) and issubclass(cls, __import__("django").forms.BaseForm):
                assert issubclass(cls, GovukForm), cls
    link = m.ProblemPerson.objects.filter(problem=casebook.canterbury).first()
    pk = casebook.canterbury.pk
    posts = [
        (pcso, reverse("problem_person_choose", args=[pk, casebook.bob.pk]), {"role": "nonsense"}),
        (pcso, reverse("problem_person_new", args=[pk]), {"date_of_birth_day": "40", "email": "x"}),
        (pcso, reverse("problem_place_new", args=[pk]), {"neighbourhood": "abc", "address": "x" * 400}),
        (pcso, reverse("problem_place_choose", args=[pk, casebook.flat.pk]), {}),
        (pcso, reverse("person_edit", args=[casebook.ann.pk]), {"vulnerabilities": ["unlucky"]}),
        (pcso, reverse("place_edit", args=[casebook.flat.pk]), {"uprn": "x" * 20}),
        (supervisor, reverse("person_merge_confirm", args=[casebook.ann.pk, casebook.bob.pk]), {}),
        (supervisor, reverse("place_merge_confirm", args=[casebook.flat.pk, casebook.castle.pk]), {}),
    ]
    for user, url, wrong in posts:
        verified_login(client, user)
        for data in ({"sent": "1"}, wrong):
            response = client.post(url, data)
            body = response.content.decode()
            assert response.status_code == 200, (url, data, response.status_code)
            assert "There is a problem" in body, (url, data)
            assert not _django_words(body), (url, data, _django_words(body))
    verified_login(client, pcso)
    body = client.post(reverse("problem_person_remove", args=[pk, link.pk]), {"reason": "x" * 600}).content.decode()
    assert "The reason must be 500 characters or fewer" in body
    for url in (reverse("problem_person_add", args=[pk]), reverse("lookup")):
        body = client.get(url, {"q": "", "kind": "sideways"}).content.decode()
        assert "There is a problem" in body and not _django_words(body), url
