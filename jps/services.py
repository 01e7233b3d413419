"""Every write to the domain goes through a function here.

Each service checks the permission (``jps.rules``) and the workflow table
(``jps.workflow``), validates its input (raising ``ValidationError`` naming the
field), saves with the acting user recorded in the audit trail, and leaves
follow-up work to ``transaction.on_commit``. The web interface, the API, the
tasks and the management commands all call these, so the rules hold everywhere.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from . import policy
from .models import (
    Action,
    Agency,
    AlertSubscription,
    Analysis,
    Assessment,
    BestPracticeTag,
    Category,
    Contact,
    Evaluation,
    LearningNeed,
    Neighbourhood,
    Participation,
    Problem,
    ProblemView,
    ProgressUpdate,
    ReferenceCounter,
    Stage,
    StageChange,
    SupervisoryReview,
    Transfer,
    User,
)
from .models.fields import REASON
from .policy import Via
from .publishing import PUBLISHED_PROBLEM_FIELDS, publish_soon
from .security import attribute_change, object_label, refused
from .workflow import TRANSITIONS


class TransitionRefused(Exception):
    """A stage change that the workflow does not allow now; ``missing`` says what it lacks."""

    def __init__(self, message: str, *, missing: list[str] | None = None, conflict: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.missing = missing or []
        self.conflict = conflict


def _require(user: User, perm: str, obj: Any = None) -> None:
    if not user.has_perm(perm, obj):
        refused("permission refused", user=user, object=object_label(obj), permission=perm)
        raise PermissionDenied(f"You do not have permission to do this ({perm.split('.')[-1].replace('_', ' ')}).")


def _save(
    obj: models.Model, *, by: User, reason: str = "", update_fields: Iterable[str] | None = None, **kwargs: Any
) -> None:
    """Validate and save, recording who made the change (and why) in the history row.

    With ``update_fields`` (the fields the service changed) an existing row is written with
    those fields alone, so a concurrent edit to another field survives; the row is locked and
    the instance's other fields re-read first, so validation sees the row as it will be and
    simple-history (which snapshots the instance on ``post_save``, ``update_fields`` or not)
    records the row as saved, not a stale copy of the rest. A new row is inserted whole.
    """
    fields = None if update_fields is None or obj._state.adding else _fields_to_write(obj, update_fields)
    if fields is not None:
        others = [f.name for f in obj._meta.concrete_fields if f.attname not in fields and not f.primary_key]
        locked = type(obj)._base_manager.select_for_update()
        obj.refresh_from_db(fields=others, from_queryset=locked)
        kwargs["exclude"] = [*kwargs.get("exclude", ()), *others]
    obj.full_clean(**kwargs)
    attribute_change(obj, by=by, reason=reason)
    obj.save(update_fields=fields)


def _fields_to_write(obj: models.Model, names: Iterable[str]) -> list[str]:
    """The columns for ``names`` (a foreign key by field name or ``_id``), plus any ``auto_now`` stamp."""
    wanted = set(names)
    fields = [
        f.attname
        for f in obj._meta.concrete_fields
        if f.name in wanted or f.attname in wanted or getattr(f, "auto_now", False)
    ]
    unknown = wanted - {f.name for f in obj._meta.concrete_fields} - {f.attname for f in obj._meta.concrete_fields}
    assert not unknown, f"{type(obj).__name__} has no field {', '.join(sorted(unknown))}"
    return fields


def _today() -> datetime.date:
    return timezone.localdate()


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
    _require(by, "jps.log_problem")
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
        problem.adopted_on = _today()
    problem.next_review_due = problem.review_clock_from(_today())
    problem.reference = "pending"
    problem.full_clean(exclude=["reference", "lead_agency"])
    if problem.lead_agency_id is None:
        raise ValidationError({"lead_agency": "A lead agency is required."})
    problem.reference = _next_reference(problem)
    _save(problem, by=by, reason="Logged")
    _stage_change_record(problem, from_stage="", from_entered_at=None, by=by, reason="Logged")
    _publish_if_public(problem, fields, was_public=False, why="logged as a public priority")
    return problem


@transaction.atomic
def problem_update(*, problem: Problem, by: User, via: Via = Via.EDIT, **fields: Any) -> Problem:
    """Edit the record's content. Stage, ownership and closure have their own services.

    The public fields only through the flows the write policy names; a change to what the
    public sees of a public priority (or its withdrawal) queues an export at once.
    """
    _require(by, "jps.work_problem", problem)
    policy.problem_fields_check(
        by, fields, district_id=problem.district_id, force_id=problem.force_id, creating=False, via=via
    )
    if "neighbourhood" in fields:
        policy.neighbourhood_check(by, fields["neighbourhood"])
    return _problem_apply(problem, by=by, fields=fields)


def _problem_apply(problem: Problem, *, by: User, fields: dict[str, Any], reason: str = "") -> Problem:
    was_public = problem.public_priority
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
    if problem.public_priority and not problem.adopted_on:
        problem.adopted_on = _today()
        changed.add("adopted_on")
    _save(problem, by=by, reason=reason, update_fields=changed)
    _publish_if_public(problem, fields, was_public=was_public, why="public details changed")
    return problem


@transaction.atomic
def problem_public_set(*, problem: Problem, by: User, **fields: Any) -> Problem:
    """What the force says in public about a problem: adopt or withdraw it as a public priority,
    its public title and date adopted, and its public outcome.

    For a supervisor of the district and a web editor of the force (``jps.publish_problem``);
    the change is published at once, a withdrawal included.
    """
    _require(by, "jps.publish_problem", problem)
    policy.fields_refuse(fields, (*policy.PUBLIC_FIELDS, *policy.ASSESSMENT_PUBLIC_FIELDS))
    outcome = fields.pop("public_outcome", None)
    if fields:
        _problem_apply(problem, by=by, fields=fields, reason="Public details changed")
    if outcome is not None:
        assessment = Assessment.objects.filter(problem=problem).first() or Assessment(problem=problem)
        assessment.public_outcome = outcome
        _save(assessment, by=by, reason="Public outcome changed", update_fields=["public_outcome"])
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
    _require(by, transition.permission, problem)
    missing = transition.missing(problem, reason)
    if missing:
        raise TransitionRefused(
            f"{transition.label} refused for {problem.reference}: missing {', '.join(missing)}.", missing=missing
        )
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
            next_review_due=problem.review_clock_from(_today()),
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
    _save(problem, by=by, reason=label, update_fields=changes)
    _stage_change_record(problem, from_stage=from_stage, from_entered_at=entered, by=by, reason=reason)
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
    _require(by, "jps.work_problem", problem)
    if problem.stage != Stage.ASSESSMENT:
        raise TransitionRefused("Closure can only be requested once the problem is in assessment.")
    missing = TRANSITIONS[(Stage.ASSESSMENT, Stage.CLOSED)].missing(problem)
    if missing:
        raise TransitionRefused(f"Closure cannot be requested yet: missing {', '.join(missing)}.", missing=missing)
    problem.closure_requested_at = timezone.now()
    problem.closure_requested_by = by
    _save(problem, by=by, reason="Closure requested", update_fields=["closure_requested_at", "closure_requested_by"])
    return problem


@transaction.atomic
def problem_transfer(*, problem: Problem, by: User, to_agency: Agency, to_owner: User, reason: str) -> Transfer:
    """Hand a whole problem to another agency and owner, on the record."""
    _require(by, "jps.work_problem", problem)
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
    _save(problem, by=by, reason=f"Transferred to {to_agency}", update_fields=["lead_agency", "owner"])
    return transfer


def participation_add(*, problem: Problem, agency: Agency, by: User) -> Participation:
    """Bring an agency into a problem (idempotent); its staff can then see it."""
    existing = Participation.objects.filter(problem=problem, agency=agency).first()
    if existing:
        return existing
    participation = Participation(problem=problem, agency=agency)
    _save(participation, by=by)
    return participation


@transaction.atomic
def problem_add_partner(*, problem: Problem, agency: Agency, by: User) -> Participation:
    _require(by, "jps.work_problem", problem)
    policy.agency_check(policy.agencies_of_force(problem.force_id), agency, field="agency")
    return participation_add(problem=problem, agency=agency, by=by)


# --- analysis and assessment ----------------------------------------------------------------

ANALYSIS_FIELDS = policy.ANALYSIS_FIELDS
ASSESSMENT_FIELDS = policy.ASSESSMENT_FIELDS


@transaction.atomic
def analysis_save(*, problem: Problem, by: User, **fields: Any) -> Analysis:
    _require(by, "jps.work_problem", problem)
    policy.fields_refuse(fields, ANALYSIS_FIELDS)
    analysis = Analysis.objects.filter(problem=problem).first() or Analysis(problem=problem)
    for name, value in fields.items():
        setattr(analysis, name, value)
    _save(analysis, by=by, update_fields=fields)
    problem.analysis = analysis
    return analysis


@transaction.atomic
def assessment_save(*, problem: Problem, by: User, via: Via = Via.EDIT, **fields: Any) -> Assessment:
    """Did it work. Its public outcome is written only by those who may publish, or at a PACT meeting."""
    _require(by, "jps.work_problem", problem)
    policy.fields_refuse(fields, policy.assessment_fields_writable(by, problem, via=via))
    assessment = Assessment.objects.filter(problem=problem).first() or Assessment(problem=problem)
    outcome_before = assessment.public_outcome
    for name, value in fields.items():
        setattr(assessment, name, value)
    if assessment.outcome == Assessment.Outcome.REDUCED and assessment.reduction_percent is None:
        raise ValidationError({"reduction_percent": "Say by how much the problem was reduced (per cent)."})
    if assessment.reduction_percent is not None and assessment.reduction_percent > 100:
        raise ValidationError({"reduction_percent": "A reduction cannot exceed 100 per cent."})
    _save(assessment, by=by, update_fields=fields)
    problem.assessment = assessment
    if problem.public_priority and assessment.public_outcome != outcome_before:
        publish_soon(reason=f"{problem.reference} public outcome changed")
    return assessment


# --- actions ----------------------------------------------------------------------------------


@transaction.atomic
def action_add(
    *,
    problem: Problem,
    by: User,
    action_type: str,
    description: str,
    agency: Agency,
    assignee: User | None = None,
    due_on: datetime.date | None = None,
) -> Action:
    """Plan a response; the owning agency joins the problem so its staff can see it."""
    _require(by, "jps.work_problem", problem)
    policy.agency_check(policy.agencies_of_force(problem.force_id), agency, field="agency")
    if assignee is not None and assignee.agency_id != agency.pk:
        raise ValidationError({"assignee": "The person responsible must work for the action's agency."})
    action = Action(
        problem=problem,
        action_type=action_type,
        description=description,
        agency=agency,
        assignee=assignee,
        due_on=due_on,
        created_by=by,
    )
    _save(action, by=by)
    if agency.pk != problem.lead_agency_id:
        participation_add(problem=problem, agency=agency, by=by)
    return action


ACTION_EDITABLE = policy.ACTION_FIELDS


@transaction.atomic
def action_update(*, action: Action, by: User, **fields: Any) -> Action:
    """Update an action: partners may update only their own agency's actions."""
    _require(by, "jps.update_action", action)
    policy.fields_refuse(fields, ACTION_EDITABLE)
    for name, value in fields.items():
        setattr(action, name, value)
    if action.assignee is not None and action.assignee.agency_id != action.agency_id:
        raise ValidationError({"assignee": "The person responsible must work for the action's agency."})
    if action.status == Action.Status.DONE:
        if not action.result.strip():
            raise ValidationError({"result": "Record the result of the action before marking it done."})
        action.completed_on = action.completed_on or _today()
    else:
        action.completed_on = None
    _save(action, by=by, update_fields=[*fields, "completed_on"])
    return action


@transaction.atomic
def action_transfer(
    *, action: Action, by: User, to_agency: Agency, reason: str, to_user: User | None = None
) -> Transfer:
    """Hand an action to another agency explicitly; it stays open, never a silent dead end."""
    _require(by, "jps.update_action", action)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the action is being handed over."})
    if to_agency.pk == action.agency_id:
        raise ValidationError({"to_agency": "The action already belongs to this agency."})
    policy.agency_check(policy.agencies_of_force(action.problem.force_id), to_agency, field="to_agency")
    if to_user is not None and to_user.agency_id != to_agency.pk:
        raise ValidationError({"to_user": "The person must work for the receiving agency."})
    transfer = Transfer(
        problem=action.problem,
        action=action,
        from_agency=action.agency,
        to_agency=to_agency,
        from_user=action.assignee,
        to_user=to_user,
        reason=reason,
        by=by,
    )
    transfer.save()
    action.agency = to_agency
    action.assignee = to_user
    _save(action, by=by, reason=f"Transferred to {to_agency}", update_fields=["agency", "assignee"])
    participation_add(problem=action.problem, agency=to_agency, by=by)
    return transfer


# --- contacts -----------------------------------------------------------------------------------


@transaction.atomic
def contact_add(*, problem: Problem, by: User, **fields: Any) -> Contact:
    _require(by, "jps.view_contacts", problem)
    contact = Contact(problem=problem, **fields)
    _save(contact, by=by)
    return contact


# --- supervision ------------------------------------------------------------------------------


@transaction.atomic
def review_record(
    *,
    problem: Problem,
    by: User,
    comment: str,
    decision: str,
    new_owner: User | None = None,
    to_stage: str = "",
    reason: str = "",
) -> SupervisoryReview:
    """Record a supervisor's review, act on its decision, and move the review date on.

    The decision is carried out in the same transaction: if it is refused (a closure
    without an assessment, say) the review is not recorded either.
    """
    _require(by, "jps.supervise_problem", problem)
    if not problem.is_open:
        raise ValidationError({"problem": "Only open problems are reviewed."})
    if not comment.strip():
        raise ValidationError({"comment": "Write the review comment."})
    if decision not in SupervisoryReview.Decision.values:
        raise ValidationError({"decision": "Choose a decision."})
    today = _today()
    review = SupervisoryReview(
        problem=problem,
        reviewer=by,
        comment=comment,
        decision=decision,
        stage_at_review=problem.stage,
        was_overdue_days=problem.days_overdue(today),
    )
    Decision = SupervisoryReview.Decision
    changed = {"next_review_due"}
    if decision == Decision.CHANGE_OWNER:
        if new_owner is None:
            raise ValidationError({"new_owner": "Choose the new owner."})
        policy.owner_check(by, new_owner, problem.district_id, field="new_owner")
        problem.owner = new_owner
        changed.add("owner")
        if new_owner.agency_id and new_owner.agency_id != problem.lead_agency_id:
            participation_add(problem=problem, agency=problem.lead_agency, by=by)
            problem.lead_agency_id = new_owner.agency_id
            changed.add("lead_agency")
    elif decision == Decision.ESCALATE:
        problem.escalated_at = timezone.now()
        changed.add("escalated_at")
    elif decision in (Decision.MOVE_STAGE, Decision.CLOSE):
        target = Stage.CLOSED if decision == Decision.CLOSE else to_stage
        if not target:
            raise ValidationError({"to_stage": "Choose the stage to move to."})
        problem_transition(problem=problem, to=target, by=by, reason=reason or comment)
    if problem.is_open:
        problem.next_review_due = problem.review_clock_from(today)
        review.next_review_due = problem.next_review_due
    _save(problem, by=by, reason=f"Reviewed: {review.get_decision_display()}", update_fields=changed)
    _save(review, by=by)
    return review


# --- progress updates ---------------------------------------------------------------------


@transaction.atomic
def update_add(*, problem: Problem, by: User, text: str, propose_public: bool = False) -> ProgressUpdate:
    """A dated progress note; one proposed for the public waits for a web editor."""
    _require(by, "jps.add_update", problem)
    status = ProgressUpdate.Status.PENDING if propose_public else ProgressUpdate.Status.INTERNAL
    if propose_public and not problem.public_priority:
        raise ValidationError({"propose_public": "Only public priorities have public updates."})
    update = ProgressUpdate(problem=problem, author=by, text=text, status=status)
    _save(update, by=by)
    return update


@transaction.atomic
def update_decide(*, update: ProgressUpdate, by: User, approve: bool, public_text: str = "") -> ProgressUpdate:
    """A web editor approves (with the text as it will be published) or rejects a public update."""
    _require(by, "jps.approve_update", update)
    if update.status != ProgressUpdate.Status.PENDING:
        raise ValidationError({"status": "This update is not awaiting approval."})
    if approve and not public_text.strip():
        raise ValidationError({"public_text": "Write the text to publish."})
    claimed = ProgressUpdate.objects.filter(pk=update.pk, status=ProgressUpdate.Status.PENDING).update(
        status=ProgressUpdate.Status.APPROVED if approve else ProgressUpdate.Status.REJECTED
    )
    if claimed != 1:
        raise ValidationError({"status": "Another editor has already decided this update."})
    update.refresh_from_db()
    update.public_text = public_text if approve else ""
    update.decided_by = by
    update.decided_at = timezone.now()
    _save(update, by=by, update_fields=["public_text", "decided_by", "decided_at"])
    if approve:
        publish_soon(reason=f"update approved on {update.problem.reference}")
    return update


# --- evaluation -----------------------------------------------------------------------------

#: What recording an evaluation (again) writes: an analyst's re-evaluation replaces all of it.
EVALUATION_RECORDED = (
    "analyst",
    "rating",
    "learning",
    "what_worked",
    "what_did_not",
    "transferable",
    "best_practice",
)


@transaction.atomic
def evaluation_record(
    *,
    problem: Problem,
    by: User,
    rating: str,
    learning: str,
    what_worked: str = "",
    what_did_not: str = "",
    transferable: bool = False,
    best_practice: bool = False,
    tags: Iterable[str] = (),
    learning_needs: Iterable[dict[str, Any]] = (),
) -> Evaluation:
    """An analyst evaluates a closed problem: colour, learning, tags and learning needs."""
    _require(by, "jps.evaluate_problem", problem)
    if problem.is_open:
        raise ValidationError({"problem": "Only closed problems are evaluated."})
    if best_practice and rating != Evaluation.Rating.GREEN:
        raise ValidationError({"best_practice": "Only an effective (green) evaluation can be best practice."})
    evaluation = Evaluation.objects.filter(problem=problem).first() or Evaluation(problem=problem, analyst=by)
    evaluation.analyst = by
    evaluation.rating = rating
    evaluation.learning = learning
    evaluation.what_worked = what_worked
    evaluation.what_did_not = what_did_not
    evaluation.transferable = transferable
    evaluation.best_practice = best_practice
    _save(evaluation, by=by, update_fields=EVALUATION_RECORDED)
    tag_objects = []
    for name in {t.strip() for t in tags if t.strip()}:
        slug = "-".join(name.lower().split())[:80]
        tag, _ = BestPracticeTag.objects.get_or_create(slug=slug, defaults={"name": name[:80]})
        tag_objects.append(tag)
    evaluation.tags.set(tag_objects)
    for need in learning_needs:
        item = LearningNeed(evaluation=evaluation, district_id=problem.district_id, **need)
        _save(item, by=by)
    return evaluation


# --- users ------------------------------------------------------------------------------------


def user_scope_set(*, user: User, districts: Iterable[Any] = (), neighbourhoods: Iterable[Any] = ()) -> User:
    """Set where a user works; clears the cached scope so permissions follow at once."""
    user.districts.set(list(districts))
    user.neighbourhoods.set(list(neighbourhoods))
    user.__dict__.pop("scope_district_ids", None)
    return user


# --- resident email alerts (public site) ------------------------------------------------------


@transaction.atomic
def alert_subscription_confirm(*, email: str, neighbourhood_ids: Iterable[int]) -> AlertSubscription:
    """A resident clicked their signed confirmation link: store (or extend) the subscription.

    Only now is anything stored (double opt-in): the email, the neighbourhoods, and when.
    """
    email = email.strip().lower()
    neighbourhoods = list(Neighbourhood.objects.filter(pk__in=list(neighbourhood_ids)))
    if not neighbourhoods:
        raise ValidationError({"neighbourhoods": "Choose at least one neighbourhood."})
    subscription, created = AlertSubscription.objects.get_or_create(email=email)
    if not created and not subscription.confirmed:
        subscription.confirmed = True
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed", "confirmed_at"])
    subscription.neighbourhoods.add(*neighbourhoods)
    return subscription


def alert_unsubscribe(*, email: str) -> bool:
    """One-click unsubscribe: delete everything we hold about this address."""
    deleted, _ = AlertSubscription.objects.filter(email=email.strip().lower()).delete()
    return deleted > 0


def alert_digest_claim(*, subscription: AlertSubscription, until: datetime.datetime) -> bool:
    """Claim the digest up to ``until`` with a conditional UPDATE, so two workers never both send it."""
    claimed = AlertSubscription.objects.filter(pk=subscription.pk, last_sent_at=subscription.last_sent_at)
    if subscription.last_sent_at is None:
        claimed = AlertSubscription.objects.filter(pk=subscription.pk, last_sent_at__isnull=True)
    return claimed.update(last_sent_at=until) == 1


# --- access log -------------------------------------------------------------------------------


def problem_view_record(*, user: User, problem: Problem, channel: str, request_id: str = "") -> ProblemView:
    """Log that ``user`` viewed ``problem``; call it from every page, endpoint or export that shows one."""
    return ProblemView.objects.create(user=user, problem=problem, channel=channel, request_id=request_id[:64])


def problem_views_record(*, user: User, problem_ids: Iterable[int], channel: str, request_id: str = "") -> int:
    """Log that ``user`` read each of these problems (a list page, a CSV chunk, an export); returns how many.

    One row per problem, written with one ``bulk_create``, so a page of 200 costs one INSERT
    on PostgreSQL rather than 200 (SQLite splits it at 999 parameters: 199 rows a statement).
    A problem named twice is logged once; an empty list writes nothing.
    """
    at = timezone.now()
    rows = [
        ProblemView(problem_id=pk, user=user, at=at, channel=channel, request_id=request_id[:64])
        for pk in dict.fromkeys(problem_ids)
    ]
    if rows:
        ProblemView.objects.bulk_create(rows)
    return len(rows)
