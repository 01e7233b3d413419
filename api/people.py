"""``/api/people/``, ``/api/places/`` and the links on ``/api/problems/{id}/people/`` and ``.../places/``.

Thin, like the rest of the API: reads start from ``jps.selectors`` (``people_visible_to``,
``places_visible_to``: anything out of sight is a 404), writes call ``jps.services`` (which check
``jps.rules``: a visible record the user may not change is a 403). Each page or record of people
shown goes into the access log (``services.person_views_record``), through the problems it was
read through where the reader sees people only through problems. The repeat facts on every
person and place come from one query per page (``selectors.person_repeat_counts``). A supervisor
merges a duplicate record into another with ``POST .../{id}/merge/`` (``services.person_merge``,
``place_merge``), as a problem is merged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from jps import selectors, services
from jps.models import (
    Neighbourhood,
    Person,
    PersonRole,
    Place,
    PlaceRole,
    Problem,
    ProblemPerson,
    ProblemPlace,
    Vulnerability,
)
from jps.models import ProblemView as View
from jps.rules import sees_people_of_force

from .base import BaseViewSet

# --- serializers ---------------------------------------------------------------------------


class PersonLinkBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    problem = serializers.IntegerField(source="problem_id")
    problem_reference = serializers.CharField(source="problem.reference")
    role = serializers.ChoiceField(choices=PersonRole.choices)


class PersonSerializer(serializers.ModelSerializer):
    vulnerabilities = serializers.ListField(child=serializers.ChoiceField(choices=Vulnerability.choices))
    victim_in_last_12_months = serializers.SerializerMethodField(
        help_text="Problems active in the last 12 months on which this person is a victim."
    )
    problems_linked = serializers.SerializerMethodField(help_text="Problems this person is on, in any role.")
    vulnerable = serializers.SerializerMethodField()
    links = PersonLinkBriefSerializer(
        many=True, read_only=True, source="visible_links", help_text="Links on problems you may see."
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "force",
            *services.PERSON_FIELDS,
            "merged_into",
            "created_at",
            "updated_at",
            "victim_in_last_12_months",
            "problems_linked",
            "vulnerable",
            "links",
        ]
        read_only_fields = ["force", "merged_into", "created_at", "updated_at"]

    def to_representation(self, instance: Person) -> dict[str, Any]:
        """Contact details only for those who see the force's people (police staff), never for partners."""
        data = super().to_representation(instance)
        if not sees_people_of_force(self.context["request"].user):
            data.update(dict.fromkeys(services.PERSON_CONTACT_FIELDS))
        return data

    def _facts(self, obj: Person) -> Any:
        return self.context.get("facts", {}).get(obj.pk) or selectors.person_repeat_counts(person_ids=[obj.pk])[obj.pk]

    def get_victim_in_last_12_months(self, obj: Person) -> int:
        return int(self._facts(obj).victim_recent)

    def get_problems_linked(self, obj: Person) -> int:
        return int(self._facts(obj).problems)

    def get_vulnerable(self, obj: Person) -> bool:
        return bool(self._facts(obj).vulnerable)


class PersonWriteSerializer(serializers.ModelSerializer):
    vulnerabilities = serializers.ListField(
        child=serializers.ChoiceField(choices=Vulnerability.choices), required=False
    )

    class Meta:
        model = Person
        fields = list(services.PERSON_FIELDS)


class PlaceSerializer(serializers.ModelSerializer):
    problems_linked = serializers.SerializerMethodField(help_text="Problems this place is linked to.")
    open_problems = serializers.SerializerMethodField()

    class Meta:
        model = Place
        fields = ["id", "force", *services.PLACE_FIELDS, "merged_into", "created_at", "updated_at"]
        fields += ["problems_linked", "open_problems"]
        read_only_fields = ["force", "merged_into", "created_at", "updated_at"]

    def _facts(self, obj: Place) -> Any:
        return self.context.get("facts", {}).get(obj.pk) or selectors.place_repeat_counts(place_ids=[obj.pk])[obj.pk]

    def get_problems_linked(self, obj: Place) -> int:
        return int(self._facts(obj).problems)

    def get_open_problems(self, obj: Place) -> int:
        return int(self._facts(obj).open_problems)


class PlaceWriteSerializer(serializers.ModelSerializer):
    neighbourhood = serializers.PrimaryKeyRelatedField(
        queryset=Neighbourhood.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Place
        fields = list(services.PLACE_FIELDS)


class ProblemPersonSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    added_by = serializers.StringRelatedField()
    victim_in_last_12_months = serializers.SerializerMethodField()
    problems_linked = serializers.SerializerMethodField()
    vulnerable = serializers.SerializerMethodField()

    class Meta:
        model = ProblemPerson
        fields = [
            "id",
            "problem",
            "person",
            "person_name",
            "role",
            "added_by",
            "added_at",
            "victim_in_last_12_months",
            "problems_linked",
            "vulnerable",
        ]

    def _facts(self, obj: ProblemPerson) -> Any:
        return self.context["facts"][obj.person_id]

    def get_victim_in_last_12_months(self, obj: ProblemPerson) -> int:
        return int(self._facts(obj).victim_recent)

    def get_problems_linked(self, obj: ProblemPerson) -> int:
        return int(self._facts(obj).problems)

    def get_vulnerable(self, obj: ProblemPerson) -> bool:
        return bool(self._facts(obj).vulnerable)


class ProblemPlaceSerializer(serializers.ModelSerializer):
    place_address = serializers.CharField(source="place.address", read_only=True)
    added_by = serializers.StringRelatedField()
    problems_linked = serializers.SerializerMethodField()
    open_problems = serializers.SerializerMethodField()

    class Meta:
        model = ProblemPlace
        fields = ["id", "problem", "place", "place_address", "role", "added_by", "added_at"]
        fields += ["problems_linked", "open_problems"]

    def get_problems_linked(self, obj: ProblemPlace) -> int:
        return int(self.context["facts"][obj.place_id].problems)

    def get_open_problems(self, obj: ProblemPlace) -> int:
        return int(self.context["facts"][obj.place_id].open_problems)


@extend_schema_field(OpenApiTypes.INT)
class _VisibleField(serializers.PrimaryKeyRelatedField):
    """A person or place id, accepted only if the requesting user may see the record."""

    def __init__(self, *, visible: Any, **kwargs: Any) -> None:
        self.visible = visible
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        return self.visible(self.context["request"].user)


class RecordMergeSerializer(serializers.Serializer):
    into = serializers.IntegerField(help_text="Id of the record to keep; this one is merged into it, and marked.")
    reason = serializers.CharField(max_length=2000, help_text="Why the two records are one person or one place.")


class ProblemPersonWriteSerializer(serializers.Serializer):
    person = _VisibleField(visible=selectors.people_visible_to)
    role = serializers.ChoiceField(choices=PersonRole.choices)


class ProblemPlaceWriteSerializer(serializers.Serializer):
    place = _VisibleField(visible=selectors.places_visible_to)
    role = serializers.ChoiceField(choices=PlaceRole.choices)


# --- people and places ---------------------------------------------------------------------

_Q = OpenApiParameter("q", OpenApiTypes.STR, description="Fuzzy match on the name (people) or address (places).")


def _request_id(request: Request) -> str:
    return getattr(request, "request_id", "")


@extend_schema_view(
    list=extend_schema(summary="People you may see; ?q= finds a name", parameters=[_Q]),
    retrieve=extend_schema(summary="One person (404 if out of sight); the read is logged"),
    create=extend_schema(request=PersonWriteSerializer, responses={201: PersonSerializer}),
    partial_update=extend_schema(request=PersonWriteSerializer, responses={200: PersonSerializer}),
)
class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """People: police staff of a force see its people; anyone else only those on problems they see."""

    serializer_class = PersonSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Person]:
        """With each person's visible links, only the columns ``PersonLinkBriefSerializer`` shows: a
        repeat victim brings tens of links, and whole problems for them cost more than the search."""
        user = self.request.user
        brief = selectors.person_links_visible_to(user).select_related(None).select_related("problem")
        brief = brief.only("id", "problem", "person", "role", "added_at", "problem__reference")
        links = Prefetch("links", queryset=brief, to_attr="visible_links")
        if self.action == "list":
            return selectors.person_search(user, self.request.query_params.get("q", "")).prefetch_related(links)
        return selectors.people_visible_to(user).prefetch_related(links)

    def _shown(self, people: list[Person], code: int = 200, many: bool = False) -> Any:
        """Serialize with the page's repeat facts (one query) and log the read."""
        user = self.request.user
        ids = [p.pk for p in people]
        services.person_views_record(
            user=user, reads=selectors.person_read_through(user, ids), channel=View.Channel.API,
            request_id=_request_id(self.request),
        )  # fmt: skip
        context = self.get_serializer_context() | {"facts": selectors.person_repeat_counts(person_ids=ids)}
        return PersonSerializer(people if many else people[0], many=many, context=context).data

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None
        return self.get_paginated_response(self._shown(list(page), many=True))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._shown([self.get_object()]))

    def _reloaded(self, person: Person) -> Person:
        return self.get_queryset().filter(pk=person.pk).first() or person

    def create(self, request: Request) -> Response:
        data = self.validated(PersonWriteSerializer)
        person = services.person_create(by=request.user, **data)
        return Response(self._shown([self._reloaded(person)]), status=201)

    def partial_update(self, request: Request, pk: str) -> Response:
        person = self.get_object()
        data = self.validated(PersonWriteSerializer, partial=True)
        services.person_update(person=person, by=request.user, **data)
        return Response(self._shown([self._reloaded(person)]))

    @extend_schema(request=RecordMergeSerializer, responses={200: PersonSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str) -> Response:
        """A supervisor of the force merges this record into another of the same person (``into``):
        its links move there; both records and both histories stay."""
        person = self.get_object()
        data = self.validated(RecordMergeSerializer)
        keep = self.get_queryset().filter(pk=data["into"]).first()
        if keep is None:
            raise NotFound("No such person to merge into.")
        kept = services.person_merge(keep=keep, merge=person, by=request.user, reason=data["reason"])
        return Response(self._shown([self._reloaded(kept)]))


@extend_schema_view(
    list=extend_schema(summary="Places you may see; ?q= finds an address", parameters=[_Q]),
    retrieve=extend_schema(summary="One place (404 if out of sight)"),
    create=extend_schema(request=PlaceWriteSerializer, responses={201: PlaceSerializer}),
    partial_update=extend_schema(request=PlaceWriteSerializer, responses={200: PlaceSerializer}),
)
class PlaceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Places, scoped as people are."""

    serializer_class = PlaceSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Place]:
        if self.action == "list":
            return selectors.place_search(self.request.user, self.request.query_params.get("q", ""))
        return selectors.places_visible_to(self.request.user)

    def _shown(self, places: list[Place], many: bool = False) -> Any:
        context = self.get_serializer_context() | {
            "facts": selectors.place_repeat_counts(place_ids=[p.pk for p in places])
        }
        return PlaceSerializer(places if many else places[0], many=many, context=context).data

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None
        return self.get_paginated_response(self._shown(list(page), many=True))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._shown([self.get_object()]))

    def create(self, request: Request) -> Response:
        data = self.validated(PlaceWriteSerializer)
        return Response(self._shown([services.place_create(by=request.user, **data)]), status=201)

    def partial_update(self, request: Request, pk: str) -> Response:
        place = self.get_object()
        data = self.validated(PlaceWriteSerializer, partial=True)
        return Response(self._shown([services.place_update(place=place, by=request.user, **data)]))

    @extend_schema(request=RecordMergeSerializer, responses={200: PlaceSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str) -> Response:
        """A supervisor of the force merges this record into another of the same place (``into``):
        its links move there; both records and both histories stay."""
        place = self.get_object()
        data = self.validated(RecordMergeSerializer)
        keep = self.get_queryset().filter(pk=data["into"]).first()
        if keep is None:
            raise NotFound("No such place to merge into.")
        kept = services.place_merge(keep=keep, merge=place, by=request.user, reason=data["reason"])
        return Response(self._shown([kept]))


# --- links on a problem --------------------------------------------------------------------

_PROBLEM = OpenApiParameter("problem_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The problem's id.")
_LINK = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The link's id.")


class _ProblemLinks(BaseViewSet):
    """GET the links on a problem you may see, POST one, DELETE one: the work needs ``jps.work_problem``."""

    pagination_class = None  # type: ignore[assignment]
    filter_backends: list[Any] = []
    lookup_value_regex = r"[0-9]{1,18}"
    model: type[Model]
    record: str

    def problem(self) -> Problem:
        try:
            return selectors.problem_get_for(self.request.user, self.kwargs["problem_pk"])
        except (Problem.DoesNotExist, ValueError):
            raise NotFound() from None

    def links(self, problem: Problem) -> QuerySet[Any]:
        return self.model.objects.filter(problem=problem).select_related(self.record, "added_by")  # type: ignore[attr-defined]

    #: The repeat facts of the records linked (``selectors.person_repeat_counts`` or the places'), by id.
    facts: Callable[[list[int]], dict[int, Any]]

    def shown(self, links: list[Any], many: bool = True) -> Any:
        facts = self.facts([getattr(link, f"{self.record}_id") for link in links])
        context = self.get_serializer_context() | {"facts": facts}
        return self.get_serializer_class()(links if many else links[0], many=many, context=context).data

    def list(self, request: Request, problem_pk: str) -> Response:
        return Response(self.shown(list(self.links(self.problem()))))

    def destroy(self, request: Request, problem_pk: str, pk: str) -> Response:
        problem = self.problem()
        link = self.links(problem).filter(pk=pk).first()
        if link is None:
            raise NotFound()
        getattr(services, f"problem_{self.record}_unlink")(link=link, by=request.user)
        return Response(status=204)


@extend_schema_view(
    list=extend_schema(
        summary="People on a problem you may see, with repeat and vulnerable facts",
        parameters=[_PROBLEM],
    ),
    create=extend_schema(
        parameters=[_PROBLEM], request=ProblemPersonWriteSerializer, responses={201: ProblemPersonSerializer}
    ),
    destroy=extend_schema(parameters=[_PROBLEM, _LINK], responses={204: None}),
)
class ProblemPeopleViewSet(_ProblemLinks):
    serializer_class = ProblemPersonSerializer
    model = ProblemPerson
    record = "person"

    def facts(self, ids: list[int]) -> dict[int, Any]:
        return selectors.person_repeat_counts(person_ids=ids)

    def list(self, request: Request, problem_pk: str) -> Response:
        problem = self.problem()
        links = list(self.links(problem))
        services.person_views_record(
            user=request.user, reads=[(link.person_id, problem.pk) for link in links], channel=View.Channel.API,
            request_id=_request_id(request),
        )  # fmt: skip
        return Response(self.shown(links))

    def create(self, request: Request, problem_pk: str) -> Response:
        problem = self.problem()
        data = self.validated(ProblemPersonWriteSerializer)
        link = services.problem_person_link(problem=problem, by=request.user, **data)
        return Response(self.shown([link], many=False), status=201)


@extend_schema_view(
    list=extend_schema(
        summary="Places on a problem you may see, with how many problems each is on",
        parameters=[_PROBLEM],
    ),
    create=extend_schema(
        parameters=[_PROBLEM], request=ProblemPlaceWriteSerializer, responses={201: ProblemPlaceSerializer}
    ),
    destroy=extend_schema(parameters=[_PROBLEM, _LINK], responses={204: None}),
)
class ProblemPlacesViewSet(_ProblemLinks):
    serializer_class = ProblemPlaceSerializer
    model = ProblemPlace
    record = "place"

    def facts(self, ids: list[int]) -> dict[int, Any]:
        return selectors.place_repeat_counts(place_ids=ids)

    def create(self, request: Request, problem_pk: str) -> Response:
        problem = self.problem()
        data = self.validated(ProblemPlaceWriteSerializer)
        link = services.problem_place_link(problem=problem, by=request.user, **data)
        return Response(self.shown([link], many=False), status=201)
