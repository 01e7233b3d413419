"""Field work: more reports on an existing problem, merging duplicates, drafts sent exactly once.

Writes here follow the rules of ``jps.services``: permission through ``jps.rules``,
stage changes through ``services.problem_transition``, the acting user in the history.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from ..base import require, save
from ..models import Problem, ProblemReport, Stage, SubmissionKey, User
from ..problems.services import problem_transition


@transaction.atomic
def problem_report_attach(
    *,
    problem: Problem,
    by: User,
    source: str,
    originator: str,
    text: str,
    location: str = "",
    latitude: Decimal | float | None = None,
    longitude: Decimal | float | None = None,
) -> ProblemReport:
    """Record another report of an open problem instead of logging a duplicate.

    The report keeps its own source and originator, so the problem shows who else raised it.
    """
    require(by, "jps.attach_report", problem)
    report = ProblemReport(
        problem=problem,
        source=source,
        originator=originator,
        reported_by=by,
        text=text,
        location=location,
        latitude=_coord(latitude),
        longitude=_coord(longitude),
    )
    save(report, by=by, reason="Report attached")
    return report


def _coord(value: Decimal | float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))


def _move(objects: models.QuerySet[Any], *, keep: Problem, by: User, reason: str) -> int:
    """Re-point rows at ``keep`` one by one, so each move is in that row's history."""
    moved = 0
    for obj in objects:
        obj.problem = keep
        save(obj, by=by, reason=reason, update_fields=["problem"])
        moved += 1
    return moved


#: The way back from a later stage to one from which "close without action" is allowed.
_WALK_BACK: dict[str, str] = {Stage.ASSESSMENT: Stage.RESPONSE, Stage.RESPONSE: Stage.ANALYSIS}


@transaction.atomic
def problem_merge(*, keep: Problem, merge: Problem, by: User, reason: str) -> Problem:
    """Merge ``merge`` into ``keep``: one problem with all the work and all the reports.

    The merged problem's actions, progress updates, contacts, reports, reviews and
    participating agencies move to the kept one; its own origin becomes a report on the
    kept one; then it is closed without action ("Merged into <ref>") through the workflow,
    walking back to analysis first if it had got further. Both histories stay.
    """
    if keep.pk == merge.pk:
        raise ValidationError({"merge": "A problem cannot be merged into itself."})
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason for the merge."})
    require(by, "jps.merge_problems", keep)
    require(by, "jps.merge_problems", merge)
    if not keep.is_open or not merge.is_open:
        raise ValidationError({"merge": "Only two open problems can be merged."})
    note = f"Merged from {merge.reference}: {reason}"
    _move(merge.actions.all(), keep=keep, by=by, reason=note)
    _move(merge.updates.all(), keep=keep, by=by, reason=note)
    _move(merge.contacts.all(), keep=keep, by=by, reason=note)
    _move(merge.reports.all(), keep=keep, by=by, reason=note)
    _move(merge.reviews.all(), keep=keep, by=by, reason=note)
    kept_agencies = set(keep.participations.values_list("agency_id", flat=True))
    _move(merge.participations.exclude(agency_id__in=kept_agencies), keep=keep, by=by, reason=note)
    origin = ProblemReport(
        problem=keep,
        source=merge.source,
        originator=merge.originator,
        reported_by=merge.created_by,
        reported_at=merge.created_at,
        text=f"{merge.title}\n\n{merge.description}",
        location=merge.location,
        latitude=merge.latitude,
        longitude=merge.longitude,
        merged_from=merge.reference,
    )
    save(origin, by=by, reason=note)
    closing = f"Merged into {keep.reference}"
    while merge.stage in _WALK_BACK:
        problem_transition(problem=merge, to=_WALK_BACK[merge.stage], by=by, reason=closing)
    problem_transition(problem=merge, to=Stage.CLOSED_NO_ACTION, by=by, reason=f"{closing}. {reason}")
    keep.refresh_from_db()
    return keep


def problem_create_once(
    *, by: User, client_key: uuid.UUID | str | None, create: Callable[[], Problem]
) -> tuple[Problem, bool]:
    """Create a problem at most once per draft key; the same draft sent again returns the first problem.

    ``create`` is the call to ``services.problem_create``; returns ``(problem, created)``.
    Two copies racing are settled by the unique key: the loser's problem is rolled back.
    """
    if not client_key:
        return create(), True
    try:
        key = uuid.UUID(str(client_key))
    except ValueError as exc:
        raise ValidationError({"client_key": "Not a valid draft key (a UUID)."}) from exc
    existing = SubmissionKey.objects.select_related("problem").filter(key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                problem = create()
                SubmissionKey.objects.create(key=key, problem=problem)
            return problem, True
        except IntegrityError:
            existing = SubmissionKey.objects.select_related("problem").get(key=key)
    if existing.problem.created_by_id != by.pk:
        # Never hand one user's problem to another who happens to send the same key.
        raise ValidationError({"client_key": "This draft key has already been used."})
    return existing.problem, False


def problem_for_key(*, by: User, client_key: uuid.UUID | str | None) -> Problem | None:
    """The problem this user's draft key already produced, if any (a resend skips the duplicate check)."""
    if not client_key:
        return None
    try:
        key = uuid.UUID(str(client_key))
    except ValueError:
        return None
    found = SubmissionKey.objects.select_related("problem").filter(key=key, problem__created_by=by).first()
    return found.problem if found else None
