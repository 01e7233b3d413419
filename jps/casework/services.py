"""Writes on the work around a problem: actions and their hand-overs, supervisory reviews and
progress updates (and their approval for the public). Contacts with victims and complainants are
``jps.contacts``.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import policy, welsh
from ..base import local_today, require, save
from ..models import (
    Action,
    Agency,
    Problem,
    ProgressUpdate,
    Reminder,
    Stage,
    SupervisoryReview,
    Tier,
    Transfer,
    User,
)
from ..models.reminders import Recipient, reminder_item_key
from ..models.tiers import tier_of
from ..problems.services import participation_add, problem_transition
from ..publishing import publish_soon
from ..webhooks import services as webhooks

logger = logging.getLogger(__name__)

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
    via: policy.Via = policy.Via.EDIT,
) -> Action:
    """Plan a response; the owning agency joins the problem so its staff can see it.

    ``via=Via.CASE_REVIEW``: a case review's recommendation, whose service has checked that ``by``
    may work the review and that the problem is one of its own (``jps.case_reviews``).
    ``via=Via.PANEL``: an action taken at a case panel, whose service has checked that ``by`` may
    minute the agenda item and that the problem is the item's (``jps.panels``).
    """
    if via not in (policy.Via.CASE_REVIEW, policy.Via.PANEL):
        require(by, "jps.work_problem", problem)
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
    save(action, by=by)
    if agency.pk != problem.lead_agency_id:
        participation_add(problem=problem, agency=agency, by=by)
    webhooks.action_assigned_emit(action=action)
    return action


ACTION_EDITABLE = policy.ACTION_FIELDS


@transaction.atomic
def action_update(*, action: Action, by: User, **fields: Any) -> Action:
    """Update an action: partners may update only their own agency's actions."""
    require(by, "jps.update_action", action)
    policy.fields_refuse(fields, ACTION_EDITABLE)
    for name, value in fields.items():
        setattr(action, name, value)
    if action.assignee is not None and action.assignee.agency_id != action.agency_id:
        raise ValidationError({"assignee": "The person responsible must work for the action's agency."})
    if action.status == Action.Status.DONE:
        if not action.result.strip():
            raise ValidationError({"result": "Record the result of the action before marking it done."})
        action.completed_on = action.completed_on or local_today()
    else:
        action.completed_on = None
    save(action, by=by, update_fields=[*fields, "completed_on"])
    return action


@transaction.atomic
def action_transfer(
    *, action: Action, by: User, to_agency: Agency, reason: str, to_user: User | None = None
) -> Transfer:
    """Hand an action to another agency explicitly; it stays open, never a silent dead end."""
    require(by, "jps.update_action", action)
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
    save(action, by=by, reason=f"Transferred to {to_agency}", update_fields=["agency", "assignee"])
    participation_add(problem=action.problem, agency=to_agency, by=by)
    webhooks.action_transferred_emit(transfer=transfer)
    return transfer


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
    without an assessment, say) the review is not recorded either. The review records the
    tier its reviewer acted at (the district's inspector or chief inspector, else sergeant:
    never the client's say), which the higher tiers' reminders count. "Escalate" notifies
    the tier above, with the reason (``_escalation_notify``).
    """
    require(by, "jps.supervise_problem", problem)
    if not problem.is_open:
        raise ValidationError({"problem": "Only open problems are reviewed."})
    if not comment.strip():
        raise ValidationError({"comment": "Write the review comment."})
    if decision not in SupervisoryReview.Decision.values:
        raise ValidationError({"decision": "Choose a decision."})
    today = local_today()
    review = SupervisoryReview(
        problem=problem,
        reviewer=by,
        comment=comment,
        decision=decision,
        stage_at_review=problem.stage,
        tier=tier_of(district=problem.district, user_id=by.pk),
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
    save(problem, by=by, reason=f"Reviewed: {review.get_decision_display()}", update_fields=changed)
    save(review, by=by)
    if decision == Decision.ESCALATE:
        _escalation_notify(review, reason=reason.strip() or comment.strip())
    return review


#: Who hears a supervisor's "escalate": the district's person one tier above the reviewer.
ESCALATE_TO: dict[str, str] = {Tier.SERGEANT: "inspector", Tier.INSPECTOR: "chief_inspector", Tier.CHIEF_INSPECTOR: ""}


def _escalation_notify(review: SupervisoryReview, *, reason: str) -> None:
    """Tell the tier above the reviewer, with the reason, once per decision, and soon.

    A sergeant's escalation goes to the district's inspector, an inspector's to its chief
    inspector; with nobody named (or a chief inspector escalating), to the district's
    escalation address. The ``Reminder`` row's item is the review, so the decision is told
    once whatever retries; it is delivered as soon as the transaction commits (one person's
    digest, ``reminders.deliver_to``) rather than at the next morning's run, and the hourly
    catch-up sends it if the broker is down. "My work" lists it until that person reviews.
    """
    problem = review.problem
    district = problem.district
    above = ESCALATE_TO[review.tier]
    recipients = Recipient.named_else(getattr(district, above) if above else None, district.escalation_email)
    if not recipients:
        logger.warning("Problem %s was escalated but district %s names nobody to tell", problem.pk, district.pk)
        return
    today = local_today()
    rows = [
        Reminder(
            kind=Reminder.Kind.REVIEW_ESCALATED_BY_SUPERVISOR,
            problem=problem,
            recipient_id=r.user_id,
            email=r.email,
            item_key=reminder_item_key("review", review.pk),
            recipient_key=r.key,
            period_key=today.isoformat(),
            due_on=today,
            note=f"{review.reviewer}: {reason}"[:200],
        )
        for r in recipients
    ]
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    for recipient in recipients:
        _deliver_soon(recipient.key)


def _deliver_soon(recipient_key: str) -> None:
    """Queue one person's unsent reminders for delivery once the transaction commits (never failing the write)."""
    from tasks.jobs import deliver_to
    from tasks.queue import enqueue_on_commit

    enqueue_on_commit(deliver_to, recipient_key=recipient_key)


# --- progress updates ---------------------------------------------------------------------


@transaction.atomic
def update_add(*, problem: Problem, by: User, text: str, propose_public: bool = False) -> ProgressUpdate:
    """A dated progress note; one proposed for the public waits for a web editor."""
    require(by, "jps.add_update", problem)
    status = ProgressUpdate.Status.PENDING if propose_public else ProgressUpdate.Status.INTERNAL
    if propose_public and not problem.public_priority:
        raise ValidationError({"propose_public": "Only public priorities have public updates."})
    update = ProgressUpdate(problem=problem, author=by, text=text, status=status)
    save(update, by=by)
    return update


@transaction.atomic
def update_decide(
    *,
    update: ProgressUpdate,
    by: User,
    approve: bool,
    public_text: str = "",
    public_text_cy: str = "",
    reason: str = "",
) -> ProgressUpdate:
    """A web editor approves (with the text as it will be published) or rejects a public update.

    A rejection keeps the editor's ``reason``, which the author reads next to the update (the web
    page asks for one; older callers of the API may still reject without). A force that publishes
    in Welsh approves the Welsh text too (``public_text_cy``, ``jps.welsh``).
    """
    require(by, "jps.approve_update", update)
    if update.status != ProgressUpdate.Status.PENDING:
        raise ValidationError({"status": "This update is not awaiting approval."})
    if approve and not public_text.strip():
        raise ValidationError({"public_text": "Write the text to publish."})
    if approve:
        welsh.welsh_require(force_id=update.problem.force_id, texts={"public_text_cy": (public_text, public_text_cy)})
    claimed = ProgressUpdate.objects.filter(pk=update.pk, status=ProgressUpdate.Status.PENDING).update(
        status=ProgressUpdate.Status.APPROVED if approve else ProgressUpdate.Status.REJECTED
    )
    if claimed != 1:
        raise ValidationError({"status": "Another editor has already decided this update."})
    update.refresh_from_db()
    update.public_text = public_text if approve else ""
    update.public_text_cy = public_text_cy.strip() if approve else ""
    update.reason = "" if approve else reason.strip()
    update.decided_by = by
    update.decided_at = timezone.now()
    save(update, by=by, update_fields=["public_text", "public_text_cy", "reason", "decided_by", "decided_at"])
    if approve:
        publish_soon(reason=f"update approved on {update.problem.reference}")
        webhooks.update_approved_emit(update=update)
    return update
