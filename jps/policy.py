"""The write policy: which fields of a problem a user may set, and to which values.

``jps.rules`` says who may act on an object and who sees what; this module says, for
the fields that carry trust — who owns a problem, which agency leads it, where it is
logged, and what the police force says about it in public — who may set them and to
what. The services enforce it (``problem_fields_check``, ``owner_check``...), and the
forms, serializers and choice lists are built from the same functions, so the screen,
the API and the service cannot disagree. A field the caller may not set is refused
with a ``ValidationError`` naming it (a 400 in the API), never stored and never
silently dropped.

The public face of a problem (``PUBLIC_FIELDS`` and the assessment's public outcome)
is set only through the flows that answer for it: a supervisor of the district, a web
editor of the force (``services.problem_public_set``), or a decision at a PACT meeting
(``jps.meetings``, which checks the meeting permission and passes ``via=Via.PACT``).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from .models import Agency, Neighbourhood, Problem, User

Role = User.Role


class Via(StrEnum):
    """The flow a write comes through; chosen by code, never by a request."""

    EDIT = "edit"  # the log form, the problem page, the API
    PACT = "pact"  # a decision recorded at a PACT meeting
    CASE_REVIEW = "case_review"  # a recommendation of an ASB case review (``jps.case_reviews``)
    PANEL = "panel"  # an action taken at a multi-agency case panel (``jps.panels``)


#: What anyone who may log or work a problem sets: the record itself.
CONTENT_FIELDS = (
    "title",
    "description",
    "problem_statement",
    "category",
    "classification",
    "risk",
    "neighbourhood",
    "location",
    "latitude",
    "longitude",
    "source",
    "originator",
    "originator_agency",
    "review_interval_days",
)
#: Who answers for the problem: named when it is logged; later moved by a review or a hand-over.
ASSIGNMENT_FIELDS = ("owner", "lead_agency")
#: What the force says in public about the problem.
PUBLIC_FIELDS = ("public_priority", "adopted_on", "public_title")
#: Every field of the problem a user may ever set, in the order forms and the API present them.
PROBLEM_FIELDS = CONTENT_FIELDS + PUBLIC_FIELDS
#: The analysis triangle and objective: written by whoever works the problem.
ANALYSIS_FIELDS = ("victim", "offender", "location", "data_sources", "causes", "objective")
#: The assessment; its public outcome is published when the problem closes.
ASSESSMENT_FIELDS = (
    "outcome",
    "reduction_percent",
    "measure_before",
    "measure_after",
    "displacement_checked",
    "displacement_notes",
    "objective_met",
    "evidence",
    "public_outcome",
)
ASSESSMENT_PUBLIC_FIELDS = ("public_outcome",)
#: The Welsh twins of the public words (``jps.welsh``): set where the web editor publishes them.
WELSH_PUBLIC_FIELDS = ("public_title_cy",)
ASSESSMENT_WELSH_FIELDS = ("public_outcome_cy",)
#: A complainant's or victim's details and the contact arrangement agreed with them.
CONTACT_FIELDS = (
    "kind",
    "name",
    "phone",
    "email",
    "address",
    "preferred_method",
    "contact_every_days",
    "times_to_avoid",
    "notes",
)
#: What may change on an action after it is planned (its agency moves only by a recorded hand-over).
ACTION_FIELDS = ("status", "result", "due_on", "description", "assignee", "action_type")

#: A meeting's details that forms and the API pass on as they are (the times, the chair and the
#: status are worked out from what was entered).
MEETING_DETAIL_FIELDS = ("online", "venue", "address", "online_url", "residents_attending", "public_agenda", "notes")
#: Every field of a meeting a user may set (its neighbourhoods and agencies are set beside them).
MEETING_FIELDS = ("title", "starts_at", "ends_at", *MEETING_DETAIL_FIELDS, "chair", "chair_name", "status")
#: Roles whose staff may own and work a problem (never call handlers, analysts, web editors or trainers).
OWNER_ROLES = (Role.OFFICER, Role.SUPERVISOR, Role.PARTNER)


# --- where ------------------------------------------------------------------------------


def log_scope_q(user: Any) -> Q:
    """Where ``user`` may log a problem (or move one to), as a filter on ``Neighbourhood``.

    Police staff and partners: the districts they work in; a partner whose areas are not
    recorded, its agency's force area. Administrators: everywhere. Everyone else: nowhere.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_administrator:
        return Q()
    if user.role not in OWNER_ROLES:
        return Q(pk__in=[])
    districts = user.scope_district_ids
    if districts:
        return Q(district_id__in=sorted(districts))
    if user.role == Role.PARTNER and user.force_id:
        return Q(district__force_id=user.force_id)
    return Q(pk__in=[])


def neighbourhoods_for_logging(user: Any) -> QuerySet[Neighbourhood]:
    return Neighbourhood.objects.filter(log_scope_q(user))


def neighbourhood_check(user: Any, neighbourhood: Neighbourhood) -> None:
    if not neighbourhoods_for_logging(user).filter(pk=neighbourhood.pk).exists():
        raise ValidationError({"neighbourhood": f"You cannot log problems in {neighbourhood}: it is not in your area."})


# --- who ----------------------------------------------------------------------------------


def owners_in_district(district_id: int) -> QuerySet[User]:
    """Everyone who may own and work a problem in this district: its officers, supervisors and
    partner staff who work there (named for the district or one of its neighbourhoods)."""
    by_district = User.districts.through.objects.filter(district_id=district_id).values("user_id")
    by_neighbourhood = User.neighbourhoods.through.objects.filter(neighbourhood__district_id=district_id)
    ids = by_district.union(by_neighbourhood.values("user_id"))
    return User.objects.filter(pk__in=ids, is_active=True, role__in=OWNER_ROLES)


def owner_choices(user: Any, district_id: int) -> QuerySet[User]:
    """Whom ``user`` may make the owner of a problem in this district (logging, a review).

    A partner names only its own agency's staff: it cannot push work into another agency's
    queue. Police staff name anyone who may work problems in the district.
    """
    if not user.is_administrator and user.role == Role.PARTNER:
        return User.objects.filter(is_active=True, role=Role.PARTNER, agency_id=user.agency_id)
    return owners_in_district(district_id)


def owner_check(user: Any, owner: User, district_id: int, *, field: str = "owner") -> None:
    if not owner_choices(user, district_id).filter(pk=owner.pk).exists():
        raise ValidationError({field: f"{owner} cannot own a problem here: choose someone who works in this area."})


def agencies_of_force(force_id: int | None) -> QuerySet[Agency]:
    """Agencies working in a force area: those of the area and the national ones."""
    return Agency.objects.filter(Q(force_id=force_id) | Q(force__isnull=True))


def lead_agency_choices(user: Any, force_id: int | None) -> QuerySet[Agency]:
    """Which agencies ``user`` may name to lead a problem: a partner its own agency only."""
    if not user.is_administrator and user.role == Role.PARTNER:
        return Agency.objects.filter(pk=user.agency_id)
    return agencies_of_force(force_id)


def agency_check(choices: QuerySet[Agency], agency: Agency, *, field: str) -> None:
    if not choices.filter(pk=agency.pk).exists():
        raise ValidationError({field: f"{agency} cannot be chosen here: it does not work in this force area."})


# --- which fields ---------------------------------------------------------------------------


def may_set_public_fields(user: Any, *, district_id: int | None, force_id: int | None, via: Via = Via.EDIT) -> bool:
    """The public face of a problem: a PACT decision, a supervisor of its district, a web editor of its force."""
    if via == Via.PACT or user.is_administrator:
        return True
    if user.role == Role.SUPERVISOR:
        return district_id in user.scope_district_ids
    return user.role == Role.WEB_EDITOR and force_id is not None and force_id == user.force_id


def problem_fields_writable(
    user: Any, *, district_id: int | None, force_id: int | None, creating: bool, via: Via = Via.EDIT
) -> frozenset[str]:
    """The problem fields ``user`` may set when logging (``creating``) or editing a problem there."""
    fields = set(CONTENT_FIELDS)
    if creating:
        fields.update(ASSIGNMENT_FIELDS)
    if may_set_public_fields(user, district_id=district_id, force_id=force_id, via=via):
        fields.update(PUBLIC_FIELDS)
    return frozenset(fields)


def fields_refuse(names: Iterable[str], allowed: Iterable[str]) -> None:
    """Refuse, naming each, the fields in ``names`` that are not in ``allowed``."""
    refused = sorted(set(names) - set(allowed))
    if refused:
        raise ValidationError({name: "You may not set this field here." for name in refused})


def problem_fields_check(
    user: Any, fields: Iterable[str], *, district_id: int | None, force_id: int | None, creating: bool, via: Via
) -> None:
    allowed = problem_fields_writable(user, district_id=district_id, force_id=force_id, creating=creating, via=via)
    fields_refuse(fields, allowed)


def assessment_fields_writable(user: Any, problem: Problem, *, via: Via = Via.EDIT) -> frozenset[str]:
    """The owner and district staff write the assessment; its public outcome only those who may publish."""
    fields = set(ASSESSMENT_FIELDS) - set(ASSESSMENT_PUBLIC_FIELDS)
    if may_set_public_fields(user, district_id=problem.district_id, force_id=problem.force_id, via=via):
        fields.update(ASSESSMENT_PUBLIC_FIELDS)
    return frozenset(fields)
