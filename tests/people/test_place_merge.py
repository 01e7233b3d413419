"""Merging two records of one place (and, through the API, of one person): links move, history stays."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jps import models as m
from jps import selectors, services
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_flats(casebook, pcso, neighbourhood):  # type: ignore[no-untyped-def]
    """The same flat entered twice: once with its UPRN (the casebook's), once with a neighbourhood and
    coordinates, on the Canterbury problem too (a link the kept record has) and on the second."""
    dupe = services.place_create(
        by=pcso, address="Flat 3 12 Station Rd", neighbourhood=neighbourhood, latitude=51.28, longitude=1.08
    )
    services.problem_place_link(problem=casebook.canterbury, place=dupe, role="location", by=pcso)
    services.problem_place_link(problem=casebook.second, place=dupe, role="premises", by=pcso)
    return casebook.flat, dupe


def test_a_place_merge_moves_links_fills_blanks_and_keeps_both_histories(casebook, two_flats, supervisor, pcso):  # type: ignore[no-untyped-def]
    keep, dupe = two_flats
    with pytest.raises(PermissionDenied):
        services.place_merge(keep=keep, merge=dupe, by=pcso, reason="Same flat")
    with pytest.raises(ValidationError) as refused:
        services.place_merge(keep=keep, merge=dupe, by=supervisor, reason=" ")
    assert "reason" in refused.value.message_dict
    services.place_merge(keep=keep, merge=dupe, by=supervisor, reason="Same UPRN on the council's list")
    keep.refresh_from_db()
    dupe.refresh_from_db()
    assert dupe.merged_into == keep and dupe.merged_at is not None
    assert keep.uprn == "100062618001" and keep.neighbourhood == dupe.neighbourhood
    assert (keep.latitude, keep.longitude) == (51.28, 1.08)
    assert set(keep.links.values_list("problem_id", "role")) == {
        (casebook.canterbury.pk, "location"),
        (casebook.dover.pk, "location"),
        (casebook.second.pk, "premises"),
    }
    assert not dupe.links.exists()
    why = f"Merged place {dupe.pk} into {keep.pk}: Same UPRN on the council's list"
    assert dupe.history.first().history_change_reason == why[:100]
    assert keep.history.first().history_user == supervisor and dupe.history.count() == 2
    assert m.ProblemPlace.history.filter(place_id=dupe.pk, history_type="-").count() == 1  # the one keep had
    assert m.ProblemPlace.history.filter(place_id=keep.pk, history_change_reason=why[:100]).count() == 1  # moved
    assert dupe not in selectors.place_search(pcso, "Station Rd")
    with pytest.raises(ValidationError):
        services.place_merge(keep=keep, merge=dupe, by=supervisor, reason="again")
    with pytest.raises(ValidationError):
        services.place_update(place=dupe, by=pcso, uprn="1")
    with pytest.raises(ValidationError):
        services.problem_place_link(problem=casebook.second, place=dupe, role="location", by=pcso)


def test_a_place_is_not_merged_into_itself_nor_across_forces(casebook, essex, supervisor, admin_user):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        services.place_merge(keep=casebook.flat, merge=casebook.flat, by=supervisor, reason="x")
    *_, chelmsford = essex
    with pytest.raises(ValidationError) as refused:
        services.place_merge(keep=casebook.flat, merge=chelmsford, by=admin_user, reason="x")
    assert "different forces" in str(refused.value)


def test_the_api_merges_places_and_people_for_a_supervisor_only(casebook, two_flats, supervisor, pcso, partner_user):  # type: ignore[no-untyped-def]
    keep, dupe = two_flats
    url = f"/api/places/{dupe.pk}/merge/"
    assert client_for(pcso).post(url, {"into": keep.pk, "reason": "Same"}, format="json").status_code == 403
    # the council sees the duplicate through the Canterbury problem, but merging is a supervisor's
    assert client_for(partner_user).post(url, {"into": keep.pk, "reason": "Same"}, format="json").status_code == 403
    hidden = f"/api/places/{casebook.castle.pk}/merge/"  # on the Dover problem only: out of its sight
    assert client_for(partner_user).post(hidden, {"into": keep.pk, "reason": "x"}, format="json").status_code == 404
    assert client_for(supervisor).post(url, {"into": 999999, "reason": "Same"}, format="json").status_code == 404
    assert client_for(supervisor).post(url, {"into": keep.pk}, format="json").status_code == 400
    answer = client_for(supervisor).post(url, {"into": keep.pk, "reason": "Same UPRN"}, format="json")
    assert answer.status_code == 200 and answer.json()["id"] == keep.pk and answer.json()["problems_linked"] == 3
    assert client_for(supervisor).get(f"/api/places/{dupe.pk}/").json()["merged_into"] == keep.pk
    dupe_person = services.person_create(by=pcso, name="Anne Jones")
    url = f"/api/people/{dupe_person.pk}/merge/"
    answer = client_for(supervisor).post(url, {"into": casebook.ann.pk, "reason": "Same person"}, format="json")
    assert answer.status_code == 200 and answer.json()["id"] == casebook.ann.pk
    dupe_person.refresh_from_db()
    assert dupe_person.merged_into == casebook.ann


def test_the_merge_actions_are_in_the_schema(client):  # type: ignore[no-untyped-def]
    paths = client.get("/api/schema/?format=json").json()["paths"]
    assert "/api/places/{id}/merge/" in paths and "/api/people/{id}/merge/" in paths
