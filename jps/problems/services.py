"""Writes on a problem itself: logging, editing, its public face, its stage, closure requests,
hand-overs, partners, analysis and assessment.

Each service checks the permission (``jps.rules``), the write policy (``jps.policy``) and the
workflow table (``jps.problems.workflow``), validates its input (a ``ValidationError`` naming the
field), saves through ``jps.base.save`` with the acting user in the audit trail, and leaves
follow-up work (exports) to ``transaction.on_commit``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import policy, welsh
from ..base import local_today, require, save
from ..models import (
    RISK_ORDER,
    Agency,
    Analysis,
    Assessment,
    Category,
    Neighbourhood,
    Participation,
    Problem,
    ReferenceCounter,
    Stage,
    StageChange,
    Transfer,
    User,
)
from ..models.fields import REASON
from ..policy import Via
from ..publishing import PUBLISHED_PROBLEM_FIELDS, publish_soon
from ..webhooks import services as webhooks
from .workflow import TRANSITIONS, TransitionRefused, refusal


def _next_reference(problem: Problem) -> str:
    year = timezone.localdate().year
    ReferenceCounter.objects.get_or_create(force=problem.force, year=year)
    counter = ReferenceCounter.objects.select_for_update().get(force=problem.force, year=year)
    ReferenceCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db()
    return f"{problem.force.code}-{year}-{counter.last:05d}"


# --- problems ----------------------------------------------------------------------------

#: The problem's own fields that users may ever set (``jps.policy`` says who sets which).
PROBLEM_FIELDS = policy.PROBLEM_FIELDS


def _publish_if_public(problem: Problem, changed: Iterable[str], *, was_public: bool, why: str) -> None:
    """Queue an export when what residents see of a public priority (or of one just withdrawn) changed."""
    if (was_public or problem.public_priority) and set(changed) & PUBLISHED_PROBLEM_FIELDS:
        publish_soon(reason=f"{problem.reference} {why}")


@transaction.atomic
def problem_create(
    *,
    by: User,
    neighbourhood: Neighbourhood,
    category: Category,
    source: str,
    originator: str,
    title: str,
    description: str,
    owner: User | None = None,
    lead_agency: Agency | None = None,
    via: Via = Via.EDIT,
    **fields: Any,
) -> Problem:
    """Log a new problem in scanning. The logger owns it unless another owner is named.

    Source and originator are mandatory so the origin of every problem is known; the
    review clock starts from the risk's default interval. Where it may be logged, whom
    it may be given to, which agency may lead it and whether it may be public at once
    are the write policy's (``jps.policy``): anything else is refused, naming the field.
    """
    require(by, "jps.log_problem")
    district = neighbourhood.district
    named = [*fields, *(["owner"] if owner else []), *(["lead_agency"] if lead_agency else [])]
    policy.problem_fields_check(by, named, district_id=district.pk, force_id=district.force_id, creating=True, via=via)
    policy.neighbourhood_check(by, neighbourhood)
    if owner is not None:
        policy.owner_check(by, owner, district.pk)
    if lead_agency is not None:
        policy.agency_check(policy.lead_agency_choices(by, district.force_id), lead_agency, field="lead_agency")
    owner = owner or by
    problem = Problem(
        neighbourhood=neighbourhood,
        district_id=district.pk,
        force_id=district.force_id,
        category=category,
        source=source,
        originator=originator,
        title=title,
        description=description,
        owner=owner,
        lead_agency=lead_agency or owner.agency or by.agency,
        created_by=by,
        **fields,
    )
    if "review_interval_days" not in fields:
        problem.review_interval_days = problem.review_interval_for_risk
    if problem.public_priority and not problem.adopted_on:
        problem.adopted_on = local_today()
    problem.next_review_due = problem.review_clock_from(local_today())
    problem.reference = "pending"
    problem.full_clean(exclude=["reference", "lead_agency"])
    if problem.lead_agency_id is None:
        raise ValidationError({"lead_agency": "A lead agency is required."})
    problem.reference = _next_reference(problem)
    save(problem, by=by, reason="Logged")
    _stage_change_record(problem, from_stage="", from_entered_at=None, by=by, reason="Logged")
    _publish_if_public(problem, fields, was_public=False, why="logged as a public priority")
    return problem


@transaction.atomic
def problem_update(*, problem: Problem, by: User, via: Via = Via.EDIT, reason: str = "", **fields: Any) -> Problem:
    """Edit the record's content. Stage, ownership and closure have their own services.

    The public fields only through the flows the write policy names; a change to what the
    public sees of a public priority (or its withdrawal) queues an export at once. ``reason``
    goes into the history row (a victim's risk assessment says it set the risk).
    """
    require(by, "jps.work_problem", problem)
    policy.problem_fields_check(
        by, fields, district_id=problem.district_id, force_id=problem.force_id, creating=False, via=via
    )
    if "neighbourhood" in fields:
        policy.neighbourhood_check(by, fields["neighbourhood"])
    return _problem_apply(problem, by=by, fields=fields, reason=reason)


def _problem_apply(problem: Problem, *, by: User, fields: dict[str, Any], reason: str = "") -> Problem:
    was_public = problem.public_priority
    old_risk = problem.risk
    changed = set(fields)
    for name, value in fields.items():
        setattr(problem, name, value)
    if "neighbourhood" in fields:
        problem.district_id = problem.neighbourhood.district_id
        problem.force_id = problem.neighbourhood.district.force_id
        changed |= {"district", "force"}
        StageChange.objects.filter(problem=problem).update(district_id=problem.district_id, force_id=problem.force_id)
    if "risk" in fields and "review_interval_days" not in fields:
        problem.review_interval_days = problem.review_interval_for_risk
        changed.add("review_interval_days")
    if problem.risk != old_risk:
        changed |= _review_brought_forward(problem)
    if _risk_rank(problem.risk) > _risk_rank(old_risk):
        problem.risk_raised_at = timezone.now()  # the higher review tiers' clocks restart (jps.models.tiers)
        changed.add("risk_raised_at")
    if problem.public_priority and not problem.adopted_on:
        problem.adopted_on = local_today()
        changed.add("adopted_on")
    save(problem, by=by, reason=reason, update_fields=changed)
    _publish_if_public(problem, fields, was_public=was_public, why="public details changed")
    return problem


def _risk_rank(risk: str) -> int:
    return RISK_ORDER.index(risk) if risk in RISK_ORDER else -1


def _review_brought_forward(problem: Problem) -> set[str]:
    """A change of risk restarts the clock only if that makes the review sooner.

    Raising the risk to high should not leave the next review weeks away on the old, longer
    interval: it becomes no later than today plus the new interval. Lowering the risk
    leaves a review already booked where it is (the supervisor reviews then, and the new,
    longer interval runs from that review).
    """
    sooner = problem.review_clock_from(local_today())
    if not problem.is_open or (problem.next_review_due is not None and problem.next_review_due <= sooner):
        return set()
    problem.next_review_due = sooner
    return {"next_review_due"}


def _public_welsh_check(
    problem: Problem, fields: dict[str, Any], outcomes: dict[str, str], assessment: Assessment
) -> None:
    """Where the force publishes in Welsh, the public words being set must have their Welsh twins.

    Only what this change publishes is checked (a title given or a priority adopted; an outcome
    given), so withdrawing a priority, or an older one written before Welsh, is never blocked.
    """
    texts: dict[str, tuple[str, str]] = {}
    adopting = fields.get("public_priority", problem.public_priority)
    if adopting and ("public_title" in fields or "public_title_cy" in fields or fields.get("public_priority")):
        title = fields.get("public_title", problem.public_title) or problem.title
        texts["public_title_cy"] = (title, fields.get("public_title_cy", problem.public_title_cy))
    if "public_outcome" in outcomes or "public_outcome_cy" in outcomes:
        english = outcomes.get("public_outcome", assessment.public_outcome)
        texts["public_outcome_cy"] = (english, outcomes.get("public_outcome_cy", assessment.public_outcome_cy))
    welsh.welsh_require(force_id=problem.force_id, texts=texts)


@transaction.atomic
def problem_public_set(*, problem: Problem, by: User, **fields: Any) -> Problem:
    """What the force says in public about a problem: adopt or withdraw it as a public priority,
    its public title and date adopted, and its public outcome.

    For a supervisor of the district and a web editor of the force (``jps.publish_problem``);
    the change is published at once, a withdrawal included. A force that publishes in Welsh
    gives the title and the outcome in Welsh too (``public_title_cy``, ``public_outcome_cy``).
    """
    require(by, "jps.publish_problem", problem)
    policy.fields_refuse(
        fields,
        (*policy.PUBLIC_FIELDS, *policy.WELSH_PUBLIC_FIELDS, *policy.ASSESSMENT_PUBLIC_FIELDS,
         *policy.ASSESSMENT_WELSH_FIELDS),
    )  # fmt: skip
    outcomes: dict[str, str] = {n: fields.pop(n) for n in ("public_outcome", "public_outcome_cy") if n in fields}
    assessment = Assessment.objects.filter(problem=problem).first() or Assessment(problem=problem)
    _public_welsh_check(problem, fields, outcomes, assessment)
    if fields:
        _problem_apply(problem, by=by, fields=fields, reason="Public details changed")
    if outcomes:
        for name, value in outcomes.items():
            setattr(assessment, name, value)
        save(assessment, by=by, reason="Public outcome changed", update_fields=list(outcomes))
        problem.assessment = assessment
        if problem.public_priority:
            publish_soon(reason=f"{problem.reference} public outcome changed")
    return problem


@transaction.atomic
def problem_transition(*, problem: Problem, to: str, by: User, reason: str = "") -> Problem:
    """Move a problem to another SARA stage.

    Checks the transition table and its permission, refuses with the list of what is
    missing, claims the change with a conditional UPDATE (two people acting at once
    cannot both win), then records who did it and why as a ``StageChange`` row and in the
    history, writing only the fields the move changes (an edit made meanwhile to another
    field survives). Closing signs off the problem; reopening restarts the review clock.
    """
    key = (problem.stage, to)
    transition = TRANSITIONS.get(key)
    if transition is None:
        names = dict(Stage.choices)
        raise TransitionRefused(
            f"A problem in {names.get(problem.stage, problem.stage)} cannot move to {names.get(to, to)}."
        )
    require(by, transition.permission, problem)
    missing = transition.missing(problem, reason)
    if missing:
        raise refusal(f"{transition.label} refused for {problem.reference}: missing {', '.join(missing)}.", missing)
    now = timezone.now()
    changes: dict[str, Any] = {"stage": to, "stage_changed_at": now}
    if to in (Stage.CLOSED, Stage.CLOSED_NO_ACTION):
        changes.update(closed_at=now, closed_by=by, closure_reason=reason, next_review_due=None)
    elif problem.stage in (Stage.CLOSED, Stage.CLOSED_NO_ACTION):
        changes.update(
            closed_at=None,
            closed_by=None,
            closure_requested_at=None,
            closure_requested_by=None,
            next_review_due=problem.review_clock_from(local_today()),
        )
    claimed = Problem.objects.filter(pk=problem.pk, stage=problem.stage).update(**changes)
    if claimed != 1:
        raise TransitionRefused(
            f"{problem.reference} was changed by someone else; reload it and try again.", conflict=True
        )
    was_closed = problem.stage in (Stage.CLOSED, Stage.CLOSED_NO_ACTION)
    from_stage, entered = problem.stage, _stage_entered_at(problem)
    for name, value in changes.items():
        setattr(problem, name, value)
    label = f"{transition.label}: {reason}" if reason else transition.label
    save(problem, by=by, reason=label, update_fields=changes)
    change = _stage_change_record(problem, from_stage=from_stage, from_entered_at=entered, by=by, reason=reason)
    webhooks.stage_changed_emit(problem=problem, change=change)
    if problem.public_priority and (was_closed or "closed_at" in changes):
        publish_soon(reason=f"{problem.reference} {transition.label.lower()}")
    return problem


def _stage_entered_at(problem: Problem) -> datetime.datetime:
    """When the problem entered its stage: its latest ``StageChange``, read once the move is claimed.

    Read from the rows rather than the instance, which may be stale, so each row's
    ``from_entered_at`` is the ``at`` of the row before it: the timeline has no gaps.
    """
    latest = StageChange.objects.filter(problem_id=problem.pk).order_by("-at", "-id").values_list("at", flat=True)
    return latest.first() or problem.stage_changed_at


def _stage_change_record(
    problem: Problem, *, from_stage: str, from_entered_at: datetime.datetime | None, by: User, reason: str
) -> StageChange:
    """The row for a stage change just saved; a longer reason (a review comment) is cut to the field's limit."""
    return StageChange.objects.create(
        problem=problem,
        from_stage=from_stage,
        to_stage=problem.stage,
        from_entered_at=from_entered_at,
        by=by,
        reason=reason[:REASON],
        at=problem.stage_changed_at,
        district_id=problem.district_id,
        force_id=problem.force_id,
    )


@transaction.atomic
def problem_request_closure(*, problem: Problem, by: User) -> Problem:
    """The owner asks a supervisor to sign off: it joins the sign-off queue; it does not close."""
    require(by, "jps.work_problem", problem)
    if problem.stage != Stage.ASSESSMENT:
        raise TransitionRefused("Closure can only be requested once the problem is in assessment.")
    missing = TRANSITIONS[(Stage.ASSESSMENT, Stage.CLOSED)].missing(problem)
    if missing:
        raise refusal(f"Closure cannot be requested yet: missing {', '.join(missing)}.", missing)
    problem.closure_requested_at = timezone.now()
    problem.closure_requested_by = by
    save(problem, by=by, reason="Closure requested", update_fields=["closure_requested_at", "closure_requested_by"])
    return problem


@transaction.atomic
def problem_transfer(*, problem: Problem, by: User, to_agency: Agency, to_owner: User, reason: str) -> Transfer:
    """Hand a whole problem to another agency and owner, on the record."""
    require(by, "jps.work_problem", problem)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the problem is being handed over."})
    policy.agency_check(policy.agencies_of_force(problem.force_id), to_agency, field="to_agency")
    if to_owner.agency_id != to_agency.pk:
        raise ValidationError({"to_owner": "The new owner must work for the receiving agency."})
    if not policy.owners_in_district(problem.district_id).filter(pk=to_owner.pk).exists():
        raise ValidationError({"to_owner": f"{to_owner} cannot own a problem here: they do not work in this area."})
    transfer = Transfer(
        problem=problem,
        from_agency=problem.lead_agency,
        to_agency=to_agency,
        from_user=problem.owner,
        to_user=to_owner,
        reason=reason,
        by=by,
    )
    transfer.full_clean()
    transfer.save()
    participation_add(problem=problem, agency=problem.lead_agency, by=by)
    problem.lead_agency = to_agency
    problem.owner = to_owner
    save(problem, by=by, reason=f"Transferred to {to_agency}", update_fields=["lead_agency", "owner"])
    return transfer


def participation_add(*, problem: Problem, agency: Agency, by: User) -> Participation:
    """Bring an agency into a problem (idempotent); its staff can then see it."""
    existing = Participation.objects.filter(problem=problem, agency=agency).first()
    if existing:
        return existing
    participation = Participation(problem=problem, agency=agency)
    save(participation, by=by)
    return participation


@transaction.atomic
def problem_add_partner(*, problem: Problem, agency: Agency, by: User) -> Participation:
    require(by, "jps.work_problem", problem)
    policy.agency_check(policy.agencies_of_force(problem.force_id), agency, field="agency")
    return participation_add(problem=problem, agency=agency, by=by)


# --- analysis and assessment ----------------------------------------------------------------

ANALYSIS_FIELDS = policy.ANALYSIS_FIELDS

ASSESSMENT_FIELDS = policy.ASSESSMENT_FIELDS


@transaction.atomic
def analysis_save(*, problem: Problem, by: User, **fields: Any) -> Analysis:
    require(by, "jps.work_problem", problem)
    policy.fields_refuse(fields, ANALYSIS_FIELDS)
    analysis = Analysis.objects.filter(problem=problem).first() or Analysis(problem=problem)
    for name, value in fields.items():
        setattr(analysis, name, value)
    save(analysis, by=by, update_fields=fields)
    problem.analysis = analysis
    return analysis


@transaction.atomic
def assessment_save(*, problem: Problem, by: User, via: Via = Via.EDIT, **fields: Any) -> Assessment:
    """Did it work. Its public outcome is written only by those who may publish, or at a PACT meeting."""
    require(by, "jps.work_problem", problem)
    policy.fields_refuse(fields, policy.assessment_fields_writable(by, problem, via=via))
    assessment = Assessment.objects.filter(problem=problem).first() or Assessment(problem=problem)
    outcome_before = assessment.public_outcome
    for name, value in fields.items():
        setattr(assessment, name, value)
    if assessment.outcome == Assessment.Outcome.REDUCED and assessment.reduction_percent is None:
        raise ValidationError({"reduction_percent": "Say by how much the problem was reduced (per cent)."})
    if assessment.reduction_percent is not None and assessment.reduction_percent > 100:
        raise ValidationError({"reduction_percent": "A reduction cannot exceed 100 per cent."})
    save(assessment, by=by, update_fields=fields)
    problem.assessment = assessment
    if problem.public_priority and assessment.public_outcome != outcome_before:
        publish_soon(reason=f"{problem.reference} public outcome changed")
    return assessment
