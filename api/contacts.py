"""Contact agreements on ``/api/problems/{id}/contacts/`` and their log on ``.../contacts/{contact_id}/log/``.

Thin, like the rest of the API: the problem is looked up in the user's scope (out of sight: 404),
then ``jps.view_contacts`` is asked (a partner who sees the problem: 403, logged), then the
agreement within that problem (another problem's: 404). Writes call ``jps.services``
(``contact_agree``, ``contact_update``, ``contact_log``), whose ``ValidationError`` is a 400 naming
the field; every read is in the access log, with the problem and the people it shows.

A new agreement names ``person``: a person on the problem as victim or complainant. The older body
(``kind``, ``name`` and the person's details, no ``person``) still records a contact named on the
agreement itself, for clients written before people were records of their own.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from jps import selectors, services
from jps.models import Contact, ContactLog, PersonRole, Problem, ProblemPerson
from jps.models import ProblemView as View
from jps.models.contacts import AGREEABLE_ROLES, EVERY_DAYS_MAX, EVERY_DAYS_MIN
from jps.models.fields import text_limit

from .base import BaseViewSet
from .permissions import require_perm

# --- serializers ---------------------------------------------------------------------------


class ContactSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True, help_text="The person's name now.")
    person = serializers.SerializerMethodField(help_text="The person's id (/api/people/), for a linked agreement.")
    days_overdue = serializers.SerializerMethodField()
    final_contact_logged = serializers.SerializerMethodField()
    agreed_by = serializers.StringRelatedField()

    class Meta:
        model = Contact
        fields = [
            "id",
            "problem",
            "link",
            "person",
            "kind",
            "name",
            "phone",
            "email",
            "address",
            "preferred_method",
            "contact_every_days",
            "times_to_avoid",
            "notes",
            "next_contact_due",
            "days_overdue",
            "final_contact_logged",
            "no_final_contact_reason",
            "agreed_by",
            "agreed_at",
        ]
        read_only_fields = fields

    def get_person(self, obj: Contact) -> int | None:
        return obj.link.person_id if obj.link_id and obj.link else None

    def get_days_overdue(self, obj: Contact) -> int:
        return obj.days_overdue()

    def get_final_contact_logged(self, obj: Contact) -> bool:
        found = getattr(obj, "has_final", None)
        return bool(found) if found is not None else obj.log.filter(final=True).exists()


class ContactCreateSerializer(serializers.Serializer):
    person = serializers.IntegerField(
        required=False,
        help_text="The person's id (/api/people/), on this problem as victim or complainant. Leave out only "
        "for the older shape: a contact named here (kind, name and details).",
    )
    role = serializers.ChoiceField(
        choices=[(r.value, r.label) for r in AGREEABLE_ROLES],
        required=False,
        help_text="Which of the person's links, when they are both victim and complainant (victim by default).",
    )
    preferred_method = serializers.ChoiceField(choices=Contact.Method.choices)
    contact_every_days = serializers.IntegerField(
        min_value=EVERY_DAYS_MIN, max_value=EVERY_DAYS_MAX, required=False, help_text="How often, in days."
    )
    times_to_avoid = serializers.CharField(max_length=160, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=text_limit(Contact, "notes"), required=False, allow_blank=True)
    next_contact_due = serializers.DateField(
        required=False, help_text="The first contact: one period from today if left out (with person only)."
    )
    kind = serializers.ChoiceField(choices=Contact.Kind.choices, required=False, help_text="Older shape only.")
    name = serializers.CharField(max_length=160, required=False, help_text="Older shape only.")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, help_text="Older shape only.")
    email = serializers.EmailField(required=False, allow_blank=True, help_text="Older shape only.")
    address = serializers.CharField(max_length=240, required=False, allow_blank=True, help_text="Older shape only.")

    OLDER = ("kind", "name", "phone", "email", "address")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "person" in attrs:
            errors = {name: ["Not with person: the person's record holds it."] for name in self.OLDER if name in attrs}
            if "contact_every_days" not in attrs:
                errors["contact_every_days"] = ["Say how often, in days."]
            if errors:
                raise serializers.ValidationError(errors)
            return attrs
        if "kind" not in attrs or "name" not in attrs:
            raise serializers.ValidationError({"person": ["Give the person (their id) to agree contact with."]})
        if "role" in attrs or "next_contact_due" in attrs:
            raise serializers.ValidationError({"person": ["Give the person: role and next_contact_due go with one."]})
        return attrs


class ContactUpdateSerializer(serializers.Serializer):
    preferred_method = serializers.ChoiceField(choices=Contact.Method.choices, required=False)
    contact_every_days = serializers.IntegerField(min_value=EVERY_DAYS_MIN, max_value=EVERY_DAYS_MAX, required=False)
    times_to_avoid = serializers.CharField(max_length=160, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=text_limit(Contact, "notes"), required=False, allow_blank=True)
    next_contact_due = serializers.DateField(required=False, allow_null=True)
    no_final_contact_reason = serializers.CharField(
        max_length=text_limit(Contact, "no_final_contact_reason"),
        required=False,
        allow_blank=True,
        help_text="Why there can be no final contact before closure (closure then goes ahead without one).",
    )


class ContactLogSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()
    on_time = serializers.SerializerMethodField(help_text="Made on or before the day it was due; null: answered none.")

    class Meta:
        model = ContactLog
        fields = [
            "id",
            "contact",
            "contacted_at",
            "by",
            "method",
            "summary",
            "outcome",
            "reached",
            "final",
            "due_on",
            "on_time",
            "recorded_at",
        ]
        read_only_fields = fields

    def get_on_time(self, obj: ContactLog) -> bool | None:
        return obj.on_time


class ContactLogWriteSerializer(serializers.Serializer):
    contacted_at = serializers.DateTimeField(required=False, help_text="When; now if left out.")
    method = serializers.ChoiceField(choices=Contact.Method.choices)
    summary = serializers.CharField(max_length=text_limit(ContactLog, "summary"))
    outcome = serializers.CharField(max_length=240, required=False, allow_blank=True)
    reached = serializers.BooleanField(help_text="Whether the person was reached.")
    final = serializers.BooleanField(required=False, default=False, help_text="The final contact before closure.")


# --- views ---------------------------------------------------------------------------------

_PROBLEM = OpenApiParameter("problem_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The problem's id.")
_CONTACT = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The agreement's id.")


@extend_schema_view(
    list=extend_schema(summary="Contact agreements on a problem (police staff working it)", parameters=[_PROBLEM]),
    create=extend_schema(
        summary="Agree contact with a victim or complainant on the problem",
        parameters=[_PROBLEM],
        request=ContactCreateSerializer,
        responses={201: ContactSerializer},
    ),
    retrieve=extend_schema(summary="One contact agreement", parameters=[_PROBLEM, _CONTACT]),
    partial_update=extend_schema(
        summary="Change a contact agreement",
        parameters=[_PROBLEM, _CONTACT],
        request=ContactUpdateSerializer,
        responses={200: ContactSerializer},
    ),
)
class ProblemContactsViewSet(BaseViewSet):
    """Contact agreements with a problem's victims and complainants: ``jps.view_contacts`` (never partners)."""

    serializer_class = ContactSerializer
    pagination_class = None  # type: ignore[assignment]
    filter_backends: list[Any] = []
    lookup_value_regex = r"[0-9]{1,18}"

    def problem(self) -> Problem:
        """The problem in the user's sight (else 404) whose contacts they may see (else 403, logged)."""
        try:
            problem = selectors.problem_get_for(self.request.user, self.kwargs["problem_pk"])
        except (Problem.DoesNotExist, ValueError):
            raise NotFound() from None
        require_perm(self.request.user, "jps.view_contacts", problem)
        return problem

    def agreement(self, problem: Problem) -> Contact:
        found = [c for c in selectors.contact_agreements_for(problem) if str(c.pk) == str(self.kwargs["pk"])]
        if not found:
            raise NotFound()
        return found[0]

    def _logged(self, problem: Problem, contacts: list[Contact]) -> None:
        """The read in the access log: the problem, and each person shown through it."""
        request_id = getattr(self.request, "request_id", "")
        services.problem_view_record(
            user=self.request.user, problem=problem, channel=View.Channel.API, request_id=request_id
        )
        people = [(c.link.person_id, problem.pk) for c in contacts if c.link_id and c.link]
        services.person_views_record(
            user=self.request.user, reads=people, channel=View.Channel.API, request_id=request_id
        )

    def list(self, request: Request, problem_pk: str) -> Response:
        problem = self.problem()
        contacts = selectors.contact_agreements_for(problem)
        self._logged(problem, contacts)
        return Response(ContactSerializer(contacts, many=True).data)

    def retrieve(self, request: Request, problem_pk: str, pk: str) -> Response:
        problem = self.problem()
        contact = self.agreement(problem)
        self._logged(problem, [contact])
        return Response(ContactSerializer(contact).data)

    def create(self, request: Request, problem_pk: str) -> Response:
        problem = self.problem()
        data = self.validated(ContactCreateSerializer)
        if "person" in data:
            link = _link_for(problem, person_id=data.pop("person"), role=data.pop("role", None))
            contact = services.contact_agree(link=link, by=request.user, **data)
        else:
            contact = services.contact_add(problem=problem, by=request.user, **data)
        self.kwargs["pk"] = contact.pk
        return Response(ContactSerializer(self.agreement(problem)).data, status=201)

    def partial_update(self, request: Request, problem_pk: str, pk: str) -> Response:
        problem = self.problem()
        contact = self.agreement(problem)
        data = self.validated(ContactUpdateSerializer, partial=True)
        services.contact_update(contact=contact, by=request.user, **data)
        return Response(ContactSerializer(self.agreement(problem)).data)

    @extend_schema(methods=["GET"], parameters=[_PROBLEM, _CONTACT], responses={200: ContactLogSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        parameters=[_PROBLEM, _CONTACT],
        request=ContactLogWriteSerializer,
        responses={201: ContactLogSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="log")
    def log(self, request: Request, problem_pk: str, pk: str) -> Response:
        """The contacts made (or attempted) under the agreement, newest first; POST one: it moves the next date on."""
        problem = self.problem()
        contact = self.agreement(problem)
        if request.method == "GET":
            self._logged(problem, [contact])
            return Response(ContactLogSerializer(selectors.contact_log_for(contact), many=True).data)
        data = self.validated(ContactLogWriteSerializer)
        entry = services.contact_log(contact=contact, by=request.user, **data)
        return Response(ContactLogSerializer(entry).data, status=201)


def _link_for(problem: Problem, *, person_id: int, role: str | None) -> ProblemPerson:
    """The person's victim or complainant link on this problem (victim first when they are both)."""
    links = ProblemPerson.objects.filter(
        problem=problem, person_id=person_id, role__in=[role] if role else AGREEABLE_ROLES
    )
    link = links.select_related("person", "problem").order_by("-role").first()
    if link is None:
        what = PersonRole(role).label.lower() if role else "victim or complainant"
        raise ValidationError({"person": f"This person is not on this problem as {what}: link them first."})
    return link
