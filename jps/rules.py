"""Who may do what: the one place for permissions.

Visibility of problems is one rule, ``problem_scope_q``: the list selectors filter
with it and the object predicate ``can_view_problem`` asks the database the same
question, so a list and a detail page can never disagree. The other predicates
are small ``rules`` functions combined with ``&`` and ``|`` and registered as
Django permissions, so views, templates (``{% has_perm %}``) and the API all call
``user.has_perm("jps.<perm>", obj)``.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import BigIntegerField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast

from .models import CLOSED_STAGES, OPEN_STAGES, Action, Participation, Problem, ProgressUpdate, User
from .policy import may_set_public_fields

Role = User.Role


def problem_scope_q(user: Any) -> Q:
    """The problems ``user`` may see, as a filter on ``Problem``.

    Officers and supervisors: their districts. Partners: problems their agency leads
    or takes part in. Analysts: closed problems of their force. Call handlers: open
    problems of their force (to advise callers). Web editors: public priorities of
    their force. Training managers: none (they see learning needs). Administrators: all.
    """
    nothing = Q(pk__in=[])
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return nothing
    if user.is_administrator:
        return Q()
    role = user.role
    if role in (Role.OFFICER, Role.SUPERVISOR):
        return Q(district_id__in=sorted(user.scope_district_ids)) | Q(owner_id=user.pk)
    if role == Role.PARTNER:
        if not user.agency_id:
            return Q(owner_id=user.pk)
        return Q(pk__in=_partner_problem_ids(agency_id=user.agency_id, user_id=user.pk))
    force_id = user.force_id
    if force_id is None:
        return nothing
    if role == Role.ANALYST:
        return Q(force_id=force_id, stage__in=CLOSED_STAGES)
    if role == Role.CALL_HANDLER:
        return Q(force_id=force_id, stage__in=OPEN_STAGES)
    if role == Role.WEB_EDITOR:
        return Q(force_id=force_id, public_priority=True)
    return nothing


def problem_ids_visible_to(user: Any, *, distinct: bool = False) -> Any:
    """The ids of the problems ``user`` may see, to filter rows that hang off problems.

    Derived from ``problem_scope_q`` (the one rule): where that is already an id lookup (a
    partner's ``UNION ALL``), the lookup itself, so ``problem_id IN (...)`` does not join every
    id back to the problems table first.

    ``distinct``: a partner's lookups as a ``UNION``, for a few rows checked against them (the
    links of a page of people). PostgreSQL guesses that a ``UNION ALL`` holds 200 ids and so
    probes the rows by each of them (3,400 probes for a partner at national scale, 40-50 ms); of
    a ``UNION`` it knows the size, and hashes the ids for the few rows instead (3 ms). Not for a
    partner's whole lists, where the ``UNION ALL`` plans are the fast ones (docs/performance.md).
    """
    scope = problem_scope_q(user)
    only = scope.children[0] if len(scope.children) == 1 and not scope.negated else None
    if isinstance(only, tuple) and only[0] == "pk__in" and isinstance(only[1], QuerySet):
        ids = only[1].all()
        if distinct and ids.query.combinator == "union":
            ids.query.combinator_all = False
        return ids
    return Problem.objects.filter(scope).order_by().values("pk")


def _partner_problem_ids(*, agency_id: int, user_id: int) -> Any:
    """Ids of the problems a partner's agency leads or takes part in, or the partner owns.

    A ``UNION ALL`` of three indexed lookups (lead agency, participations by agency, owner)
    instead of ``lead OR EXISTS(participation) OR owner``: PostgreSQL cannot drive an OR
    across a table and a subquery from indexes, so that form scanned every problem (240 ms
    at 5% of national scale against 3 ms for this one; see docs/performance.md).
    """
    leads = Problem.objects.filter(lead_agency_id=agency_id).order_by().values("pk")
    takes_part = Participation.objects.filter(agency_id=agency_id).order_by().values("problem_id")
    owns = Problem.objects.filter(owner_id=user_id).order_by().values("pk")
    return leads.union(takes_part, owns, all=True)


# --- facts about a user and an object -------------------------------------------------


@rules.predicate
def is_administrator(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_administrator)


def _has_role(*roles: str) -> Any:
    @rules.predicate(name=f"has_role_{'_'.join(roles)}")
    def check(user: Any) -> bool:
        return bool(user.is_authenticated and user.role in roles)

    return check


is_officer: Any = _has_role(Role.OFFICER)
is_supervisor: Any = _has_role(Role.SUPERVISOR)
is_partner: Any = _has_role(Role.PARTNER)
is_analyst: Any = _has_role(Role.ANALYST)
is_training_manager: Any = _has_role(Role.TRAINING)
is_web_editor: Any = _has_role(Role.WEB_EDITOR)


def _problem_in(scope: Q, problem: Problem | None) -> bool:
    """Is ``problem`` within ``scope``: asked of the database, so an object and a list never disagree."""
    return problem is not None and Problem.objects.filter(scope, pk=problem.pk).exists()


@rules.predicate
def can_view_problem(user: Any, problem: Problem | None) -> bool:
    return _problem_in(problem_scope_q(user), problem)


@rules.predicate
def in_problem_district(user: Any, problem: Problem | None) -> bool:
    return problem is not None and problem.district_id in user.scope_district_ids


@rules.predicate
def owns_problem(user: Any, problem: Problem | None) -> bool:
    return problem is not None and problem.owner_id == user.pk


@rules.predicate
def problem_is_open(user: Any, problem: Problem | None) -> bool:
    return problem is not None and problem.is_open


@rules.predicate
def problem_is_closed(user: Any, problem: Problem | None) -> bool:
    return problem is not None and not problem.is_open


@rules.predicate
def asked_for_closure(user: Any, problem: Problem | None) -> bool:
    return problem is not None and problem.closure_requested_by_id == user.pk


@rules.predicate
def inspects_problem_district(user: Any, problem: Problem | None) -> bool:
    """The district's inspector: the next level of supervision (``District.inspector``)."""
    return problem is not None and user.is_authenticated and problem.district.inspector_id == user.pk


@rules.predicate
def may_publish_problem(user: Any, problem: Problem | None) -> bool:
    """The write policy's rule for a problem's public face (``jps.policy.may_set_public_fields``)."""
    return problem is not None and may_set_public_fields(
        user, district_id=problem.district_id, force_id=problem.force_id
    )


@rules.predicate
def same_force(user: Any, problem: Problem | None) -> bool:
    return problem is not None and user.force_id is not None and problem.force_id == user.force_id


@rules.predicate
def action_of_own_agency(user: Any, action: Action | None) -> bool:
    return action is not None and user.agency_id is not None and action.agency_id == user.agency_id


@rules.predicate
def can_view_action_problem(user: Any, action: Action | None) -> bool:
    return action is not None and can_view_problem(user, action.problem)


@rules.predicate
def can_work_action_problem(user: Any, action: Action | None) -> bool:
    return action is not None and can_work_problem(user, action.problem)


@rules.predicate
def update_problem_in_force(user: Any, update: ProgressUpdate | None) -> bool:
    return update is not None and same_force(user, update.problem)


# --- permissions -----------------------------------------------------------------------

#: Police staff who may log problems in their own districts.
can_log_problem = is_administrator | is_officer | is_supervisor | is_partner

#: Work a problem: edit it, its analysis and assessment, plan actions, move it forward.
can_work_problem = is_administrator | (
    problem_is_open & (owns_problem | ((is_officer | is_supervisor) & in_problem_district))
)

#: Sign-off and closure, reopening and reviews are for supervisors of the district.
can_supervise_problem = is_administrator | (is_supervisor & in_problem_district)

#: Closing a problem is signed off by someone independent of it: a supervisor of the district (or its
#: inspector) who neither owns it nor asked for its closure. Nobody signs off their own work.
can_sign_off_problem = (can_supervise_problem | inspects_problem_district) & ~owns_problem & ~asked_for_closure

#: What the force says in public about a problem: supervisors of its district, web editors of its force.
can_publish_problem = may_publish_problem

#: Personal data of complainants and victims: police staff working the problem only.
can_view_contacts = is_administrator | owns_problem | ((is_officer | is_supervisor) & in_problem_district)

#: Partners update only their own agency's actions on problems they can see.
can_change_action = (can_work_action_problem) | (is_partner & action_of_own_agency & can_view_action_problem)

#: Progress notes: anyone working the problem, and partners taking part.
can_add_update = can_work_problem | (is_partner & can_view_problem & problem_is_open)

can_approve_update = is_administrator | (is_web_editor & update_problem_in_force)
can_evaluate_problem = is_administrator | (is_analyst & same_force & problem_is_closed)
can_view_learning_needs = is_administrator | is_training_manager | is_analyst

#: The access log (who viewed what) is searchable by supervisors (their districts) and administrators.
can_view_access_log = is_administrator | is_supervisor

rules.add_perm("jps.see_problem", can_view_problem)
rules.add_perm("jps.view_access_log", can_view_access_log)
rules.add_perm("jps.log_problem", can_log_problem)
rules.add_perm("jps.work_problem", can_work_problem)
rules.add_perm("jps.supervise_problem", can_supervise_problem)
rules.add_perm("jps.sign_off_problem", can_sign_off_problem)
rules.add_perm("jps.publish_problem", can_publish_problem)
rules.add_perm("jps.view_contacts", can_view_contacts)
rules.add_perm("jps.update_action", can_change_action)
rules.add_perm("jps.add_update", can_add_update)
rules.add_perm("jps.approve_update", can_approve_update)
rules.add_perm("jps.evaluate_problem", can_evaluate_problem)
rules.add_perm("jps.view_learning_needs", can_view_learning_needs)


# --- PACT meetings ---------------------------------------------------------------------


def meeting_scope_q(user: Any) -> Q:
    """The meetings ``user`` may see, as a filter on ``Meeting``; scoped like problems.

    Officers and supervisors: meetings of a neighbourhood in their districts. Partners:
    those too (they sit at PACT meetings), and any meeting their agency attended.
    Analysts, call handlers and web editors: their force's meetings (the agenda is
    public; web editors publish it). Training managers: none. Administrators: all.
    """
    from .models import Meeting

    nothing = Q(pk__in=[])
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return nothing
    if user.is_administrator:
        return Q()
    role = user.role
    in_districts = Exists(
        Meeting.neighbourhoods.through.objects.filter(
            meeting_id=OuterRef("pk"), neighbourhood__district_id__in=sorted(user.scope_district_ids)
        )
    )
    if role in (Role.OFFICER, Role.SUPERVISOR):
        return Q(in_districts)
    if role == Role.PARTNER:
        if not user.agency_id:
            return Q(in_districts)
        attended = Meeting.agencies.through.objects.filter(meeting_id=OuterRef("pk"), agency_id=user.agency_id)
        return Q(in_districts) | Q(Exists(attended))
    if role in (Role.ANALYST, Role.CALL_HANDLER, Role.WEB_EDITOR) and user.force_id is not None:
        return Q(force_id=user.force_id)
    return nothing


@rules.predicate
def can_view_meeting(user: Any, meeting: Any) -> bool:
    from .models import Meeting

    if meeting is None:
        return False
    return Meeting.objects.filter(meeting_scope_q(user), pk=meeting.pk).exists()


@rules.predicate
def in_meeting_districts(user: Any, meeting: Any) -> bool:
    """A meeting is the district's when any of its neighbourhoods is in the user's districts."""
    if meeting is None or meeting.pk is None:
        return False
    districts = {n.district_id for n in meeting.neighbourhoods.all()}
    return bool(districts & user.scope_district_ids)


@rules.predicate
def neighbourhood_in_scope(user: Any, neighbourhood: Any) -> bool:
    """No object: the role alone decides (may this user record meetings at all?)."""
    return neighbourhood is None or neighbourhood.district_id in user.scope_district_ids


#: Record meetings (for a neighbourhood, when one is given): the district's officers and supervisors.
can_record_meeting = is_administrator | ((is_officer | is_supervisor) & neighbourhood_in_scope)

#: Change a meeting, and agree, carry over and sign off priorities at it.
can_change_meeting = is_administrator | ((is_officer | is_supervisor) & in_meeting_districts)

#: A meeting's internal notes (and the notes on what residents raised) are the district police's
#: record: partners sit at the meeting but read only what they take part in, and the force's
#: analysts, call handlers and web editors see the meeting for its agenda, not its notes.
#: Whoever may change a meeting may read them (the edit form shows them), and no one else.
can_view_meeting_internal_notes = is_administrator | ((is_officer | is_supervisor) & in_meeting_districts)


@rules.predicate
def item_problem_in_force(user: Any, item: Any) -> bool:
    return item is not None and item.problem_id is not None and same_force(user, item.problem)


#: The public words of a priority agreed at a PACT meeting (its public title and summary) are checked,
#: as a public update is, by the force's web editor before the public site shows the priority.
can_approve_priority = is_administrator | (is_web_editor & item_problem_in_force)

rules.add_perm("jps.see_meeting", can_view_meeting)
rules.add_perm("jps.approve_priority", can_approve_priority)
rules.add_perm("jps.view_meeting_internal_notes", can_view_meeting_internal_notes)
rules.add_perm("jps.record_meeting", can_record_meeting)
rules.add_perm("jps.change_meeting", can_change_meeting)


# --- evaluation, quality and the best-practice library (issue 7) ---------------------------

#: Roles on the police side who learn from the whole force's evaluated problems.
LIBRARY_FORCE_ROLES = (Role.OFFICER, Role.SUPERVISOR, Role.ANALYST, Role.TRAINING)


def library_scope_q(user: Any) -> Q:
    """The evaluated problems ``user`` may read in the best-practice library, as a filter on ``Problem``.

    The library exists so an officer facing a new problem can find what worked
    elsewhere in the force, so police officers, supervisors, analysts and training
    managers read every evaluated problem of their own force (title, statement and
    evaluation; contacts and the internal record stay behind ``problem_scope_q``).
    Everyone else, partners above all, reads only evaluations of problems they can
    already see, so the library never widens what a partner sees.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_administrator:
        return Q(evaluation__isnull=False)
    if user.role in LIBRARY_FORCE_ROLES and user.force_id is not None:
        return Q(force_id=user.force_id, evaluation__isnull=False)
    return problem_scope_q(user) & Q(evaluation__isnull=False)


@rules.predicate
def can_read_in_library(user: Any, problem: Problem | None) -> bool:
    return _problem_in(library_scope_q(user), problem)


@rules.predicate
def problem_is_evaluated(user: Any, problem: Problem | None) -> bool:
    return _problem_in(Q(evaluation__isnull=False), problem)


@rules.predicate
def is_authenticated_staff(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


#: Quality scoring at review and closure is a supervisor's judgement of their own district's records.
can_score_quality = is_administrator | (is_supervisor & in_problem_district)

#: A supervisor of the district or an analyst of the force may mark an evaluated problem as best practice.
can_mark_best_practice = is_administrator | (
    problem_is_evaluated & ((is_supervisor & in_problem_district) | (is_analyst & same_force))
)

#: Management information: every signed-in member of staff, each seeing figures only for their own scope.
can_view_management_info = is_authenticated_staff

rules.add_perm("jps.score_quality", can_score_quality)
rules.add_perm("jps.mark_best_practice", can_mark_best_practice)
rules.add_perm("jps.read_in_library", can_read_in_library)
rules.add_perm("jps.view_management_info", can_view_management_info)


# --- field reports and merging (issue 11) ------------------------------------------------

#: Attach another report to an open problem you can see, instead of logging a duplicate.
can_attach_report = can_log_problem & can_view_problem & problem_is_open

#: Merging two problems closes one of them: a supervisor's decision (checked on both).
can_merge_problems = can_supervise_problem

rules.add_perm("jps.attach_report", can_attach_report)
rules.add_perm("jps.merge_problems", can_merge_problems)


# --- people and places (issue 18) --------------------------------------------------------

#: Police staff who see every person and place of their force: those who work problems, and call
#: handlers, who look a caller or a street up (read-only). Others see them through problems only.
PEOPLE_FORCE_ROLES = (Role.OFFICER, Role.SUPERVISOR, Role.CALL_HANDLER)


def sees_people_of_force(user: Any) -> bool:
    """Does ``user`` see the people and places of their whole force (not only through problems)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_administrator or (user.role in PEOPLE_FORCE_ROLES and user.force_id is not None))


def _record_scope_q(user: Any, links: Any, column: str) -> Q:
    """The one visibility rule for people and places, as a filter on ``Person`` or ``Place``.

    Police staff of a force (``PEOPLE_FORCE_ROLES``): the records of their force. Everyone else,
    partners above all: only a record linked to a problem they may see (``problem_ids_visible_to``).
    The force is compared as a ``bigint``, the column's type: the trigram indexes lead with the force
    (migration 0031, ``btree_gin``), whose operator classes match a comparison of like types only.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_administrator:
        return Q()
    if sees_people_of_force(user):
        return Q(force_id=Cast(Value(user.force_id), BigIntegerField()))
    return Q(pk__in=links.filter(problem_id__in=problem_ids_visible_to(user)).order_by().values(column))


def person_scope_q(user: Any) -> Q:
    from .models import ProblemPerson

    return _record_scope_q(user, ProblemPerson.objects, "person_id")


def place_scope_q(user: Any) -> Q:
    from .models import ProblemPlace

    return _record_scope_q(user, ProblemPlace.objects, "place_id")


@rules.predicate
def record_in_own_force(user: Any, record: Any) -> bool:
    """A person or place of the user's force (administrators: any)."""
    return record is not None and (user.is_administrator or record.force_id == user.force_id)


#: Change a person's or a place's details: the force's officers and supervisors (call handlers only read).
can_change_person = is_administrator | ((is_officer | is_supervisor) & record_in_own_force)

#: Merging two records of one person is a supervisor's decision (checked on both records).
can_merge_people = is_administrator | (is_supervisor & record_in_own_force)

#: Merging two records of one place (the same flat entered twice): the same supervisors' decision.
can_merge_places = can_merge_people


@rules.predicate
def sees_force_people(user: Any) -> bool:
    return sees_people_of_force(user)


#: The lookup of a street or a caller (read-only): call handlers and police staff who see the force's people.
can_look_up = sees_force_people

rules.add_perm("jps.change_person", can_change_person)
rules.add_perm("jps.merge_people", can_merge_people)
rules.add_perm("jps.merge_places", can_merge_places)
rules.add_perm("jps.look_up", can_look_up)


# --- ASB case reviews (issue 19): their rules live beside them, registered when this module loads ---

from .case_reviews import rules as _case_review_rules  # noqa: E402, F401

# --- victims' risk assessments (issue 18): beside them in jps/people/rules.py, registered here ----
from .people.rules import reads_risk, risk_scope_q  # noqa: E402, F401

#: "Contacts made on time" by district (issue 18): officers and supervisors (their districts), administrators.
rules.add_perm("jps.view_contact_figures", is_administrator | is_officer | is_supervisor)  # never partners

from .attachments import rules as _attachment_rules  # noqa: E402, F401
from .panels import rules as _panel_rules  # noqa: E402, F401
from .residents import inbox_rules as _team_message_rules  # noqa: E402, F401
from .residents import rules as _resident_report_rules  # noqa: E402, F401
