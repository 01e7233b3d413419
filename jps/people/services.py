"""Writes to people, places and their links on problems, all through ``jps.base.require`` / ``save``.

Who may: record a person or place, whoever may log problems (``jps.log_problem``); change one,
the force's officers and supervisors (``jps.change_person``); link or unlink one on a problem,
whoever may work that problem (``jps.work_problem``), and only a record they can already see, of
the problem's force; merge two records of one person or one place, a supervisor of the force
(``jps.merge_people``, ``jps.merge_places``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..base import require, save
from ..models import Contact, Force, Person, Place, Problem, ProblemPerson, ProblemPlace, RiskAssessment, User
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
    if place.merged_into_id:
        raise ValidationError({"place": f"This record was merged into place {place.merged_into_id}: change that."})
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


@transaction.atomic
def problem_person_create(*, problem: Problem, role: str, by: User, name: str, **fields: Any) -> ProblemPerson:
    """Record a new person and put them on ``problem`` in ``role``: both or neither (a refused link
    leaves no stray record behind)."""
    require(by, "jps.work_problem", problem)
    person = person_create(by=by, name=name, force=problem.force, **fields)
    return problem_person_link(problem=problem, person=person, role=role, by=by)


@transaction.atomic
def problem_place_create(*, problem: Problem, role: str, by: User, address: str, **fields: Any) -> ProblemPlace:
    """Record a new place and put it on ``problem`` in ``role``: both or neither."""
    require(by, "jps.work_problem", problem)
    place = place_create(by=by, address=address, force=problem.force, **fields)
    return problem_place_link(problem=problem, place=place, role=role, by=by)


def _person_link_follows(link: ProblemPerson, to: ProblemPerson, *, by: User, reason: str) -> None:
    """What hangs on a person's link about to go follows the person to the kept link: the contact
    agreement (unless the kept link has one) and the risk assessments, each on the record."""
    if not Contact.objects.filter(link=to).exists():
        for contact in Contact.objects.filter(link=link):
            contact.link = to
            save(contact, by=by, reason=reason, update_fields=["link"])
    for assessment in RiskAssessment.objects.filter(link=link):
        assessment.link = to
        save(assessment, by=by, reason=reason, update_fields=["link"])


#: Details the kept record takes from the merged one where it has none of its own.
MERGE_FILLS = ("date_of_birth", "phone", "email", "address", "preferred_language", "needs", "vulnerability_note")
PLACE_MERGE_FILLS = ("uprn", "neighbourhood")


def _merge_start(model: Any, *, keep: Any, merge: Any, by: User, perm: str, reason: str, noun: str) -> None:
    """What every merge checks first: the permission on both, two distinct unmerged records of one force.

    Both rows are locked, so of two supervisors merging the same record at once only one wins.
    """
    require(by, perm, keep)
    require(by, perm, merge)
    if keep.pk == merge.pk:
        raise ValidationError({"merge": "A record cannot be merged into itself."})
    if not reason.strip():
        raise ValidationError({"reason": f"Say why these are the same {noun}."})
    locked = {r.pk: r for r in model.objects.select_for_update().filter(pk__in=[keep.pk, merge.pk])}
    if locked[keep.pk].merged_into_id or locked[merge.pk].merged_into_id:
        raise ValidationError({"merge": "One of these records has already been merged."})
    if keep.force_id != merge.force_id:
        raise ValidationError({"merge": "Records of different forces cannot be merged."})


def _merge_links(
    *, keep: Any, merge: Any, field: str, by: User, why: str, follows: Callable[..., None] | None = None
) -> None:
    """Move ``merge``'s links to ``keep``; a link ``keep`` already has (same problem and role) is removed,
    on the record, after ``follows`` moved what hangs on it to the kept link. Each moved or removed
    link's history says where it came from."""
    existing = set(keep.links.values_list("problem_id", "role"))
    for link in merge.links.select_for_update():
        if (link.problem_id, link.role) in existing:
            if follows is not None:
                follows(link, keep.links.get(problem_id=link.problem_id, role=link.role), by=by, reason=why)
            attribute_change(link, by=by, reason=why)
            link.delete()
            continue
        setattr(link, field, keep)
        save(link, by=by, reason=why, update_fields=[field])


def _merge_finish(*, keep: Any, merge: Any, by: User, why: str, filled: list[str]) -> None:
    """Save what the kept record took over, and mark the merged one (never deleted)."""
    save(keep, by=by, reason=why, update_fields=filled)
    merge.merged_into, merge.merged_at = keep, timezone.now()
    save(merge, by=by, reason=why, update_fields=["merged_into", "merged_at"])


@transaction.atomic
def person_merge(*, keep: Person, merge: Person, by: User, reason: str) -> Person:
    """Merge two records of one person: ``merge``'s links move to ``keep``; ``merge`` is marked.

    Both records and both histories stay (``merge`` is never deleted, ``merged_into`` points to
    the kept record); each moved link's history says where it came from; a link ``keep`` already
    has (same problem and role) is removed from ``merge``, on the record. The kept record takes
    the merged one's details where it has none, and the union of the vulnerability flags.
    """
    _merge_start(Person, keep=keep, merge=merge, by=by, perm="jps.merge_people", reason=reason, noun="person")
    why = f"Merged person {merge.pk} into {keep.pk}: {reason}"
    _merge_links(keep=keep, merge=merge, field="person", by=by, why=why, follows=_person_link_follows)
    filled = [name for name in MERGE_FILLS if not getattr(keep, name) and getattr(merge, name)]
    for name in filled:
        setattr(keep, name, getattr(merge, name))
    keep.vulnerabilities = sorted(set(keep.vulnerabilities) | set(merge.vulnerabilities))
    _merge_finish(keep=keep, merge=merge, by=by, why=why, filled=[*filled, "vulnerabilities"])
    return keep


@transaction.atomic
def place_merge(*, keep: Place, merge: Place, by: User, reason: str) -> Place:
    """Merge two records of one place (the same flat entered twice), as ``person_merge`` merges people.

    ``merge``'s links move to ``keep`` (one ``keep`` already has is removed, on the record); ``keep``
    takes the UPRN, neighbourhood and coordinates where it has none (the coordinates as a pair);
    ``merge`` is marked ``merged_into`` and both records and histories stay. A supervisor of the
    force decides (``jps.merge_places``).
    """
    _merge_start(Place, keep=keep, merge=merge, by=by, perm="jps.merge_places", reason=reason, noun="place")
    why = f"Merged place {merge.pk} into {keep.pk}: {reason}"
    _merge_links(keep=keep, merge=merge, field="place", by=by, why=why)
    filled = [name for name in PLACE_MERGE_FILLS if not getattr(keep, name) and getattr(merge, name)]
    if keep.latitude is None and keep.longitude is None and merge.latitude is not None:
        filled += ["latitude", "longitude"]
    for name in filled:
        setattr(keep, name, getattr(merge, name))
    _merge_finish(keep=keep, merge=merge, by=by, why=why, filled=filled)
    return keep
