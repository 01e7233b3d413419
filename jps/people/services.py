"""Writes to people, places and their links on problems, all through ``jps.base.require`` / ``save``.

Who may: record a person or place, whoever may log problems (``jps.log_problem``); change one,
the force's officers and supervisors (``jps.change_person``); link or unlink one on a problem,
whoever may work that problem (``jps.work_problem``), and only a record they can already see, of
the problem's force; merge two records of one person, a supervisor of the force (``jps.merge_people``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..base import require, save
from ..models import Contact, Force, Person, Place, Problem, ProblemPerson, ProblemPlace, User
from ..security import attribute_change
from .selectors import people_visible_to, places_visible_to

#: What a caller may set on a person and on a place (forms and serializers are built from these).
PERSON_FIELDS = (
    "name",
    "date_of_birth",
    "phone",
    "email",
    "address",
    "vulnerabilities",
    "vulnerability_note",
    "preferred_language",
    "needs",
)
PLACE_FIELDS = ("address", "uprn", "latitude", "longitude", "neighbourhood")
#: How to reach a person: for police staff only. A partner working a problem learns who is on it
#: (name, role, vulnerability, needs), as it learns nothing of complainants' contacts (``jps.view_contacts``).
PERSON_CONTACT_FIELDS = ("date_of_birth", "phone", "email", "address")


def _only(fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be set here."))


def _force_of_new_record(by: User, force: Force | None) -> int:
    """A new record belongs to the creator's force; only an administrator names another."""
    if force is not None and (by.is_administrator or force.pk == by.force_id):
        return force.pk
    if force is not None:
        raise ValidationError({"force": "You may only record people and places in your own force."})
    if by.force_id is None:
        raise ValidationError({"force": "Say which force this record belongs to."})
    return by.force_id


@transaction.atomic
def person_create(*, by: User, name: str, force: Force | None = None, **fields: Any) -> Person:
    """Record a person once, to be linked to every problem they appear in (search first)."""
    require(by, "jps.log_problem")
    _only(fields, PERSON_FIELDS)
    person = Person(force_id=_force_of_new_record(by, force), name=name.strip(), created_by=by, **fields)
    save(person, by=by, reason="Person recorded")
    return person


@transaction.atomic
def person_update(*, person: Person, by: User, reason: str = "", **fields: Any) -> Person:
    require(by, "jps.change_person", person)
    _only(fields, PERSON_FIELDS)
    if person.merged_into_id:
        raise ValidationError({"person": f"This record was merged into person {person.merged_into_id}: change that."})
    for name, value in fields.items():
        setattr(person, name, value)
    save(person, by=by, reason=reason or "Person updated", update_fields=fields)
    return person


@transaction.atomic
def place_create(*, by: User, address: str, force: Force | None = None, **fields: Any) -> Place:
    require(by, "jps.log_problem")
    _only(fields, PLACE_FIELDS)
    place = Place(force_id=_force_of_new_record(by, force), address=address.strip(), created_by=by, **fields)
    save(place, by=by, reason="Place recorded")
    return place


@transaction.atomic
def place_update(*, place: Place, by: User, reason: str = "", **fields: Any) -> Place:
    require(by, "jps.change_person", place)
    _only(fields, PLACE_FIELDS)
    for name, value in fields.items():
        setattr(place, name, value)
    save(place, by=by, reason=reason or "Place updated", update_fields=fields)
    return place


def _linkable(record: Person | Place, *, problem: Problem, by: User, visible: Any, field: str) -> None:
    """A record may be linked only if the user can see it, it is of the problem's force and not merged."""
    if not visible.filter(pk=record.pk).exists():
        raise ValidationError({field: "No such record."})
    if record.force_id != problem.force_id:
        raise ValidationError({field: "This record belongs to another force."})
    if getattr(record, "merged_into_id", None):
        raise ValidationError({field: f"This record was merged into {record.merged_into_id}: link that one."})  # type: ignore[union-attr]


def _link(model: Any, *, problem: Problem, record: Any, field: str, visible: Any, role: str, by: User) -> Any:
    """Put a person or a place (``field``) on a problem in a role, once; the history says who and why."""
    require(by, "jps.work_problem", problem)
    _linkable(record, problem=problem, by=by, visible=visible, field=field)
    if model.objects.filter(problem=problem, role=role, **{field: record}).exists():
        raise ValidationError({field: f"{record} is already on this problem as {role}."})
    link = model(problem=problem, role=role, added_by=by, **{field: record})
    save(link, by=by, reason=f"Linked as {role}")
    return link


def _unlink(link: Any, *, by: User, reason: str) -> None:
    """Take a link off its problem; the history keeps it and who removed it."""
    require(by, "jps.work_problem", link.problem)
    attribute_change(link, by=by, reason=reason or "Unlinked")
    link.delete()


@transaction.atomic
def problem_person_link(*, problem: Problem, person: Person, role: str, by: User) -> ProblemPerson:
    """Put a person on a problem in a role (victim, complainant, witness, subject)."""
    visible = people_visible_to(by)
    return _link(ProblemPerson, problem=problem, record=person, field="person", visible=visible, role=role, by=by)


@transaction.atomic
def problem_person_unlink(*, link: ProblemPerson, by: User, reason: str = "") -> None:
    _unlink(link, by=by, reason=reason)


@transaction.atomic
def problem_place_link(*, problem: Problem, place: Place, role: str, by: User) -> ProblemPlace:
    """Put a place on a problem in a role (location, premises of concern, victim's home)."""
    visible = places_visible_to(by)
    return _link(ProblemPlace, problem=problem, record=place, field="place", visible=visible, role=role, by=by)


@transaction.atomic
def problem_place_unlink(*, link: ProblemPlace, by: User, reason: str = "") -> None:
    _unlink(link, by=by, reason=reason)


def _agreements_move(link: ProblemPerson, to: ProblemPerson, *, by: User, reason: str) -> None:
    """A contact agreement on a link about to go follows the person to the kept link (unless it has one)."""
    if Contact.objects.filter(link=to).exists():
        return
    for contact in Contact.objects.filter(link=link):
        contact.link = to
        save(contact, by=by, reason=reason, update_fields=["link"])


#: Details the kept record takes from the merged one where it has none of its own.
MERGE_FILLS = ("date_of_birth", "phone", "email", "address", "preferred_language", "needs", "vulnerability_note")


@transaction.atomic
def person_merge(*, keep: Person, merge: Person, by: User, reason: str) -> Person:
    """Merge two records of one person: ``merge``'s links move to ``keep``; ``merge`` is marked.

    Both records and both histories stay (``merge`` is never deleted, ``merged_into`` points to
    the kept record); each moved link's history says where it came from; a link ``keep`` already
    has (same problem and role) is removed from ``merge``, on the record. The kept record takes
    the merged one's details where it has none, and the union of the vulnerability flags.
    """
    require(by, "jps.merge_people", keep)
    require(by, "jps.merge_people", merge)
    if keep.pk == merge.pk:
        raise ValidationError({"merge": "A record cannot be merged into itself."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why these are the same person."})
    locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[keep.pk, merge.pk])}
    if locked[keep.pk].merged_into_id or locked[merge.pk].merged_into_id:
        raise ValidationError({"merge": "One of these records has already been merged."})
    if keep.force_id != merge.force_id:
        raise ValidationError({"merge": "Records of different forces cannot be merged."})
    why = f"Merged person {merge.pk} into {keep.pk}: {reason}"
    existing = set(keep.links.values_list("problem_id", "role"))
    for link in merge.links.select_for_update():
        if (link.problem_id, link.role) in existing:
            _agreements_move(link, keep.links.get(problem_id=link.problem_id, role=link.role), by=by, reason=why)
            attribute_change(link, by=by, reason=why)
            link.delete()
            continue
        link.person = keep
        save(link, by=by, reason=why, update_fields=["person"])
    filled = [name for name in MERGE_FILLS if not getattr(keep, name) and getattr(merge, name)]
    for name in filled:
        setattr(keep, name, getattr(merge, name))
    keep.vulnerabilities = sorted(set(keep.vulnerabilities) | set(merge.vulnerabilities))
    save(keep, by=by, reason=why, update_fields=[*filled, "vulnerabilities"])
    merge.merged_into, merge.merged_at = keep, timezone.now()
    save(merge, by=by, reason=why, update_fields=["merged_into", "merged_at"])
    return keep
