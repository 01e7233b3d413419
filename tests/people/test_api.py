"""The people and places API: scope (404 out of sight), refusals by name, the access log."""

from __future__ import annotations

import pytest

from jps import models as m
from jps import services
from tests.api.conftest import client_for


@pytest.fixture
def on_other(world, other_officer):  # type: ignore[no-untyped-def]
    """A victim and a place on the Dover problem only: the council partner must never reach them."""
    victim = services.person_create(by=other_officer, name="Hidden Victim", phone="01304 000000")
    services.problem_person_link(problem=world.other, person=victim, role="victim", by=other_officer)
    place = services.place_create(by=other_officer, address="4 Castle Street, Dover")
    services.problem_place_link(problem=world.other, place=place, role="location", by=other_officer)
    return victim, place


@pytest.fixture
def on_own(world, pcso):  # type: ignore[no-untyped-def]
    victim = services.person_create(by=pcso, name="Seen Victim", vulnerabilities=["age"])
    link = services.problem_person_link(problem=world.own, person=victim, role="victim", by=pcso)
    return victim, link


def test_a_partner_never_reaches_a_person_or_place_through_a_problem_it_cannot_see(
    world, on_other, on_own, partner_user
):  # type: ignore[no-untyped-def]
    hidden, place = on_other
    seen, _ = on_own
    api = client_for(partner_user)
    assert [p["id"] for p in api.get("/api/people/").json()["results"]] == [seen.pk]
    assert api.get("/api/people/?q=Hidden").json()["results"] == []
    assert api.get(f"/api/people/{hidden.pk}/").status_code == 404
    assert api.get("/api/places/").json()["results"] == []
    assert api.get("/api/places/?q=Castle").json()["results"] == []
    assert api.get(f"/api/places/{place.pk}/").status_code == 404
    assert api.get(f"/api/problems/{world.other.pk}/people/").status_code == 404
    assert api.get(f"/api/problems/{world.other.pk}/places/").status_code == 404
    links = api.get(f"/api/people/{seen.pk}/").json()["links"]
    assert [link["problem"] for link in links] == [world.own.pk]


def test_a_partner_cannot_link_or_unlink_on_a_problem_it_only_sees(world, on_own, partner_user):  # type: ignore[no-untyped-def]
    seen, link = on_own
    api = client_for(partner_user)
    answer = api.post(f"/api/problems/{world.own.pk}/people/", {"person": seen.pk, "role": "witness"}, format="json")
    assert answer.status_code == 403
    assert api.delete(f"/api/problems/{world.own.pk}/people/{link.pk}/").status_code == 403
    assert m.ProblemPerson.objects.filter(pk=link.pk).exists()


def test_an_officer_cannot_link_a_person_it_cannot_see(world, on_other, pcso):  # type: ignore[no-untyped-def]
    api = client_for(pcso)
    other_force = m.Force.objects.create(code="ESX", name="Essex Police", slug="essex")
    stranger = m.Person.objects.create(force=other_force, name="Essex Person", created_by=pcso)
    answer = api.post(f"/api/problems/{world.own.pk}/people/", {"person": stranger.pk, "role": "victim"}, format="json")
    assert answer.status_code == 400 and "person" in answer.json()


def test_links_on_a_problem_carry_the_repeat_facts_and_are_logged(world, on_own, pcso):  # type: ignore[no-untyped-def]
    seen, link = on_own
    api = client_for(pcso)
    (row,) = api.get(f"/api/problems/{world.own.pk}/people/").json()
    assert (row["person"], row["role"], row["victim_in_last_12_months"], row["vulnerable"]) == (
        seen.pk,
        "victim",
        1,
        True,
    )
    assert m.ProblemView.objects.filter(user=pcso, person=seen, problem=world.own, channel="api").count() == 1
    assert api.delete(f"/api/problems/{world.own.pk}/people/{link.pk}/").status_code == 204
    assert api.get(f"/api/problems/{world.own.pk}/people/").json() == []


def test_person_reads_are_logged_directly_for_police_and_through_problems_for_partners(
    world, on_own, pcso, partner_user
):  # type: ignore[no-untyped-def]
    seen, _ = on_own
    client_for(pcso).get(f"/api/people/{seen.pk}/")
    client_for(partner_user).get(f"/api/people/{seen.pk}/")
    client_for(partner_user).get("/api/people/")
    assert list(m.ProblemView.objects.filter(person=seen, user=pcso).values_list("problem_id", flat=True)) == [None]
    through = m.ProblemView.objects.filter(person=seen, user=partner_user).values_list("problem_id", flat=True)
    assert list(through) == [world.own.pk, world.own.pk]


def test_create_and_update_refuse_fields_by_name(pcso, call_handler, partner_user, world):  # type: ignore[no-untyped-def]
    api = client_for(pcso)
    assert api.post("/api/people/", {"phone": "1"}, format="json").json().keys() >= {"name"}
    refused = api.post("/api/people/", {"name": "A", "force": 9, "merged_into": 1}, format="json")
    assert refused.status_code == 400 and set(refused.json()) >= {"force", "merged_into"}
    bad = api.post("/api/people/", {"name": "A", "vulnerabilities": ["unlucky"]}, format="json")
    assert bad.status_code == 400 and "vulnerabilities" in bad.json()
    made = api.post("/api/people/", {"name": "Ann Example", "vulnerabilities": ["disability"]}, format="json")
    assert made.status_code == 201 and made.json()["vulnerable"] is True
    pk = made.json()["id"]
    assert api.patch(f"/api/people/{pk}/", {"phone": "01227 1"}, format="json").json()["phone"] == "01227 1"
    assert client_for(call_handler).patch(f"/api/people/{pk}/", {"phone": "2"}, format="json").status_code == 403
    assert client_for(partner_user).patch(f"/api/people/{pk}/", {"phone": "2"}, format="json").status_code == 404
    place = api.post("/api/places/", {"address": "1 High Street", "latitude": 91}, format="json")
    assert place.status_code == 400 and "latitude" in place.json()


def test_the_endpoints_are_in_the_schema(client):  # type: ignore[no-untyped-def]
    paths = client.get("/api/schema/?format=json").json()["paths"]
    for path in (
        "/api/people/",
        "/api/people/{id}/",
        "/api/places/",
        "/api/problems/{problem_pk}/people/",
        "/api/problems/{problem_pk}/people/{id}/",
        "/api/problems/{problem_pk}/places/",
    ):
        assert path in paths, path


def test_a_partner_learns_who_is_on_its_problem_but_not_how_to_reach_them(world, pcso, partner_user):  # type: ignore[no-untyped-def]
    """As with complainants' contacts (police staff only), a partner sees a victim's name, role and
    vulnerability, never their phone, email, address or date of birth."""
    victim = services.person_create(
        by=pcso,
        name="Ada Reachable",
        phone="01227 123456",
        email="ada@example.com",
        address="1 High Street",
        date_of_birth="1950-02-03",
        vulnerabilities=["age"],
    )
    services.problem_person_link(problem=world.own, person=victim, role="victim", by=pcso)
    police = client_for(pcso).get(f"/api/people/{victim.pk}/").json()
    assert (police["phone"], police["email"], police["address"]) == ("01227 123456", "ada@example.com", "1 High Street")
    for body in (
        client_for(partner_user).get(f"/api/people/{victim.pk}/").json(),
        client_for(partner_user).get("/api/people/").json()["results"][0],
    ):
        assert body["name"] == "Ada Reachable" and body["vulnerable"] is True
        assert [body[f] for f in ("phone", "email", "address", "date_of_birth")] == [None] * 4
