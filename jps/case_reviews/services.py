"""Writes on ASB case reviews: record an application, then each step of its state machine.

Every step goes through ``_move``, which checks the transition table (``TRANSITIONS``) and the
permission, claims the change with a conditional ``UPDATE ... WHERE state = <old>`` (of two people
acting at once only one wins), and saves the fields the step changed through ``jps.base.save``, so the
history row names who did it and why. Deadlines are working days from the area's rules
(``threshold.local_rules``, ``calendar.add_working_days``), stored on the application so the reminders
find them with a query.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .. import policy
from ..base import local_today, require, save
from ..casework.services import action_add
from ..models import (
    Action,
    Agency,
    CaseReviewApplication,
    CaseReviewRecommendation,
    CitedIncident,
    District,
    Person,
    Problem,
    User,
)
from ..rules import problem_ids_visible_to
from .calendar import add_working_days
from .threshold import local_rules

State = CaseReviewApplication.State

#: Which state may follow which, and the permission each step needs.
TRANSITIONS: dict[tuple[str, str], str] = {
    (State.RECEIVED, State.ACKNOWLEDGED): "jps.work_case_review",
    (State.RECEIVED, State.THRESHOLD_MET): "jps.decide_case_review",
    (State.RECEIVED, State.THRESHOLD_NOT_MET): "jps.decide_case_review",
    (State.ACKNOWLEDGED, State.THRESHOLD_MET): "jps.decide_case_review",
    (State.ACKNOWLEDGED, State.THRESHOLD_NOT_MET): "jps.decide_case_review",
    (State.THRESHOLD_MET, State.MEETING_HELD): "jps.work_case_review",
    (State.MEETING_HELD, State.OUTCOME_SENT): "jps.work_case_review",
    (State.THRESHOLD_NOT_MET, State.OUTCOME_SENT): "jps.work_case_review",
    (State.OUTCOME_SENT, State.HANDLING_REVIEW): "jps.work_case_review",
    (State.OUTCOME_SENT, State.CLOSED): "jps.work_case_review",
    (State.HANDLING_REVIEW, State.CLOSED): "jps.work_case_review",
}


class CaseReviewRefused(ValidationError):
    """A step the state machine does not allow from where the application is."""


@dataclass(frozen=True)
class Incident:
    """An incident the applicant cites: a problem JPS holds, or one in their words."""

    occurred_on: datetime.date
    description: str
    problem: Problem | None = None
    reported_to: tuple[Agency, ...] = ()
    hate_incident: bool = False


def _check_area(by: User, district: District) -> None:
    """Recorded by staff who work in the area (a partner whose areas are not recorded: its force)."""
    if by.is_administrator:
        return
    if district.pk in by.scope_district_ids:
        return
    if by.role == User.Role.PARTNER and not by.scope_district_ids and by.force_id == district.force_id:
        return
    raise ValidationError({"district": f"You cannot record a case review in {district}: it is not in your area."})


def _check_problems(by: User, problems: Iterable[Problem], force_id: int) -> list[Problem]:
    problems = list(problems)
    visible = set(Problem.objects.filter(pk__in=problem_ids_visible_to(by)).values_list("pk", flat=True))
    for problem in problems:
        if problem.pk not in visible or problem.force_id != force_id:
            raise ValidationError({"problems": f"Problem {problem.pk} cannot be linked: it is not one you can see."})
    return problems


@transaction.atomic
def case_review_create(
    *,
    by: User,
    district: District,
    applicant: Person,
    received_on: datetime.date,
    received_by_agency: Agency | None = None,
    channel: str,
    summary: str,
    lead_agency: Agency,
    lead_officer: User | None = None,
    on_behalf: bool = False,
    behalf_of: Person | None = None,
    problems: Iterable[Problem] = (),
    incidents: Iterable[Incident] = (),
) -> CaseReviewApplication:
    """Record an application as received; its deadlines run from ``received_on`` in working days."""
    require(by, "jps.record_case_review")
    _check_area(by, district)
    force_id = district.force_id
    agencies = policy.agencies_of_force(force_id)
    policy.agency_check(agencies, lead_agency, field="lead_agency")
    received_by_agency = received_by_agency or by.agency
    if received_by_agency is None:
        raise ValidationError({"received_by_agency": "Say which agency received the application."})
    if not by.is_administrator and received_by_agency.pk != by.agency_id:
        raise ValidationError({"received_by_agency": "You record applications your own agency received."})
    for person, name in ((applicant, "applicant"), (behalf_of, "behalf_of")):
        if person is not None and person.force_id != force_id:
            raise ValidationError({name: "This person is recorded in another force."})
    if on_behalf and behalf_of is None:
        raise ValidationError({"behalf_of": "Say whom the applicant asks for."})
    if lead_officer is not None and lead_officer.agency_id != lead_agency.pk:
        raise ValidationError({"lead_officer": "The lead officer must work for the lead agency."})
    if received_on > local_today():
        raise ValidationError({"received_on": "The date received must be today or in the past."})
    rules = local_rules(district)
    application = CaseReviewApplication(
        force_id=force_id, district=district, applicant=applicant, on_behalf=on_behalf,
        behalf_of=behalf_of if on_behalf else None, received_on=received_on,
        received_by_agency=received_by_agency, received_by=by, channel=channel, summary=summary,
        lead_agency=lead_agency, lead_officer=lead_officer,
        acknowledge_due=add_working_days(received_on, rules.acknowledge_days),
        decision_due=add_working_days(received_on, rules.decision_days),
        meeting_due=add_working_days(received_on, rules.meeting_days),
    )  # fmt: skip
    save(application, by=by, reason="Case review application received")
    linked = _check_problems(by, problems, force_id)
    application.problems.set(linked)
    for incident in incidents:
        incident_add(application=application, by=by, incident=incident, checked=True)
    return application


def incident_add(
    *, application: CaseReviewApplication, by: User, incident: Incident, checked: bool = False
) -> CitedIncident:
    """Add an incident the applicant cites (at recording, or later by the lead agency)."""
    if not checked:
        require(by, "jps.work_case_review", application)
    if incident.problem is not None:
        _check_problems(by, [incident.problem], application.force_id)
    row = CitedIncident(
        application=application,
        problem=incident.problem,
        occurred_on=incident.occurred_on,
        description=incident.description,
        hate_incident=incident.hate_incident,
    )
    save(row, by=by, reason="Incident cited")
    row.reported_to.set(incident.reported_to)
    return row


def _move(application: CaseReviewApplication, *, to: str, by: User, reason: str, **fields: Any) -> None:
    """The one way a state changes: table, permission, conditional UPDATE, audited save."""
    old = application.state
    perm = TRANSITIONS.get((old, to))
    if perm is None:
        names = dict(State.choices)
        raise CaseReviewRefused(f"An application that is '{names[old]}' cannot become '{names[to]}'.")
    require(by, perm, application)
    claimed = CaseReviewApplication.objects.filter(pk=application.pk, state=old).update(state=to)
    if claimed != 1:
        raise CaseReviewRefused("Someone else has just moved this application on: reload the page.")
    application.state = to
    for name, value in fields.items():
        setattr(application, name, value)
    save(application, by=by, reason=reason, update_fields=["state", *fields])


@transaction.atomic
def case_review_acknowledge(
    *, application: CaseReviewApplication, by: User, on: datetime.date | None = None
) -> CaseReviewApplication:
    _move(application, to=State.ACKNOWLEDGED, by=by, reason="Acknowledged", acknowledged_on=on or local_today())
    return application


@transaction.atomic
def case_review_decide(
    *, application: CaseReviewApplication, by: User, met: bool, reasons: str, on: datetime.date | None = None
) -> CaseReviewApplication:
    """The lead officer's threshold decision; going against what JPS found needs a reason (an override)."""
    from .threshold import threshold_check

    found = threshold_check(application=application).met
    if not reasons.strip() and met != found:
        raise ValidationError({"reasons": "Say why you decide against what the records show."})
    if not reasons.strip() and not met:
        raise ValidationError({"reasons": "Say why the threshold is not met: the applicant is told."})
    on = on or local_today()
    fields: dict[str, Any] = {
        "threshold_met": met, "threshold_overridden": met != found, "decision_reasons": reasons.strip(),
        "decided_on": on, "decided_by": by,
    }  # fmt: skip
    if not met:
        fields["outcome_due"] = add_working_days(on, local_rules(application.district).outcome_days)
    if application.state == State.RECEIVED:
        fields["acknowledged_on"] = on  # the decision acknowledges it too
    to = State.THRESHOLD_MET if met else State.THRESHOLD_NOT_MET
    _move(application, to=to, by=by, reason="Threshold decided" + (" (override)" if met != found else ""), **fields)
    return application


@transaction.atomic
def case_review_meeting(
    *,
    application: CaseReviewApplication,
    by: User,
    held_on: datetime.date,
    agencies: Iterable[Agency],
    findings: str,
) -> CaseReviewApplication:
    """The review meeting: the agencies present and what they found. Recommendations follow it."""
    agencies = list(agencies)
    if not agencies:
        raise ValidationError({"agencies": "Select the agencies at the meeting."})
    if not findings.strip():
        raise ValidationError({"findings": "Enter what the review found."})
    for agency in agencies:
        policy.agency_check(policy.agencies_of_force(application.force_id), agency, field="agencies")
    due = add_working_days(held_on, local_rules(application.district).outcome_days)
    _move(
        application, to=State.MEETING_HELD, by=by, reason="Review meeting held",
        meeting_held_on=held_on, findings=findings.strip(), outcome_due=due,
    )  # fmt: skip
    application.meeting_agencies.set(agencies)
    return application


@transaction.atomic
def case_review_recommend(
    *,
    application: CaseReviewApplication,
    by: User,
    problem: Problem,
    text: str,
    agency: Agency,
    assignee: User | None = None,
    due_on: datetime.date,
    action_type: str = Action.Type.PREVENTION,
) -> CaseReviewRecommendation:
    """A recommendation of the review, carried out as an owned action on one of its problems."""
    require(by, "jps.work_case_review", application)
    if application.state != State.MEETING_HELD:
        raise CaseReviewRefused("Recommendations are made at the review meeting, before the outcome is sent.")
    if not application.problems.filter(pk=problem.pk).exists():
        raise ValidationError({"problem": "Choose one of the application's problems."})
    if not text.strip():
        raise ValidationError({"text": "Enter the recommendation."})
    action = action_add(
        problem=problem, by=by, action_type=action_type, description=f"Case review {application.reference}: {text}",
        agency=agency, assignee=assignee, due_on=due_on, via=policy.Via.CASE_REVIEW,
    )  # fmt: skip
    recommendation = CaseReviewRecommendation(application=application, action=action, text=text.strip(), created_by=by)
    save(recommendation, by=by, reason="Recommendation made")
    return recommendation


@transaction.atomic
def case_review_outcome(
    *, application: CaseReviewApplication, by: User, text: str, sent_on: datetime.date | None = None
) -> CaseReviewApplication:
    """The outcome letter sent to the applicant (its text is the page ``letter`` prints)."""
    if not text.strip():
        raise ValidationError({"text": "Enter the outcome to tell the applicant."})
    sent_on = sent_on or local_today()
    _move(application, to=State.OUTCOME_SENT, by=by, reason="Outcome sent", outcome_sent_on=sent_on, outcome_text=text)
    return application


@transaction.atomic
def case_review_handling_review(
    *, application: CaseReviewApplication, by: User, requested_on: datetime.date
) -> CaseReviewApplication:
    """The applicant asks for the handling of the review to be reviewed: the PCC's process, with its deadline."""
    due = add_working_days(requested_on, local_rules(application.district).handling_review_days)
    _move(
        application, to=State.HANDLING_REVIEW, by=by, reason="Handling review requested",
        handling_review_requested_on=requested_on, handling_review_due=due,
    )  # fmt: skip
    return application


@transaction.atomic
def case_review_close(
    *, application: CaseReviewApplication, by: User, handling_outcome: str = "", on: datetime.date | None = None
) -> CaseReviewApplication:
    fields: dict[str, Any] = {"closed_on": on or local_today()}
    if application.state == State.HANDLING_REVIEW:
        if not handling_outcome.strip():
            raise ValidationError({"handling_outcome": "Enter what the handling review decided."})
        fields["handling_review_outcome"] = handling_outcome.strip()
    _move(application, to=State.CLOSED, by=by, reason="Closed", **fields)
    return application


@transaction.atomic
def case_review_lead_set(*, application: CaseReviewApplication, by: User, lead_officer: User) -> None:
    """Name (or change) the lead officer: someone of the lead agency."""
    require(by, "jps.work_case_review", application)
    if lead_officer.agency_id != application.lead_agency_id:
        raise ValidationError({"lead_officer": "The lead officer must work for the lead agency."})
    if not application.is_open:
        raise PermissionDenied("The application is closed.")
    application.lead_officer = lead_officer
    save(application, by=by, reason="Lead officer named", update_fields=["lead_officer"])
