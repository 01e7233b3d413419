"""What differs between people and places on the web pages, so the views are one set for both.

Each ``Kind`` names its selectors, services, forms and URL names; the views in ``on_problem`` and
``records`` take one as an argument (given by ``urls``) and never ask which it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet

from jps import selectors, services
from jps.models import Person, Place, Problem

from . import forms as pf


@dataclass(frozen=True)
class Kind:
    name: str  # "person", "place": the services' and URL names' word
    noun: str  # in sentences: "person", "place"
    plural: str  # "people", "places": the problem page's anchor
    model: type[Person] | type[Place]
    visible: Callable[[Any], QuerySet[Any]]  # selectors.people_visible_to
    search: Callable[[Any, str], QuerySet[Any]]  # selectors.person_search
    facts: Callable[[list[int]], dict[int, Any]]  # the repeat counts, by id
    search_form: type[forms.Form]
    role_form: type[forms.Form]
    new_form: type[forms.BaseForm]
    edit_form: type[forms.BaseForm]
    merge_form: type[forms.Form]
    link: Callable[..., Any]  # services.problem_person_link(problem=, person=, role=, by=)
    create: Callable[..., Any]  # services.problem_person_create(problem=, role=, by=, **fields)
    unlink: Callable[..., Any]
    update: Callable[..., Any]  # services.person_update(person=, by=, **fields)
    merge: Callable[..., Any]  # services.person_merge(keep=, merge=, by=, reason=)
    merge_perm: str
    text_field: str  # what a search is typed into and a new record starts from: "name", "address"
    reads: Callable[[Any, list[int]], list[tuple[int, int | None]]]  # the access log's rows for a page of them

    def links(self, problem: Problem) -> QuerySet[Any]:
        related = problem.person_links if self.name == "person" else problem.place_links
        return related.select_related(self.name)

    def form_kwargs(self, force_id: int | None) -> dict[str, Any]:
        """A place form offers the neighbourhoods of the record's force; a person form needs nothing."""
        return {"force_id": force_id} if self.model is Place else {}


PEOPLE = Kind(
    name="person",
    noun="person",
    plural="people",
    model=Person,
    visible=selectors.people_visible_to,
    search=selectors.person_search,
    facts=lambda ids: selectors.person_repeat_counts(person_ids=ids),
    search_form=pf.NameSearchForm,
    role_form=pf.PersonRoleForm,
    new_form=pf.NewPersonForm,
    edit_form=pf.PersonForm,
    merge_form=pf.PersonMergeForm,
    link=services.problem_person_link,
    create=services.problem_person_create,
    unlink=services.problem_person_unlink,
    update=services.person_update,
    merge=services.person_merge,
    merge_perm="jps.merge_people",
    text_field="name",
    reads=selectors.person_read_through,
)

PLACES = Kind(
    name="place",
    noun="place",
    plural="places",
    model=Place,
    visible=selectors.places_visible_to,
    search=selectors.place_search,
    facts=lambda ids: selectors.place_repeat_counts(place_ids=ids),
    search_form=pf.AddressSearchForm,
    role_form=pf.PlaceRoleForm,
    new_form=pf.NewPlaceForm,
    edit_form=pf.PlaceForm,
    merge_form=pf.PlaceMergeForm,
    link=services.problem_place_link,
    create=services.problem_place_create,
    unlink=services.problem_place_unlink,
    update=services.place_update,
    merge=services.place_merge,
    merge_perm="jps.merge_places",
    text_field="address",
    reads=lambda user, ids: [],  # an address alone is not a person's record: the problems it is on are logged
)
