"""What JPS puts on a panel's agenda, from the records of its CSP area as they stand on the panel's date.

Four sections, each one query (bounded by ``SECTION_LIMIT``): the area's high-risk victims, the case
reviews whose current deadline falls on or before the panel, the problems overdue for review on the
panel's date, and the actions overdue then (escalated to the table). Each proposed item carries a
``key`` (what it is about), so building the agenda twice adds only what is new.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from ..models import (
    DEADLINES,
    OPEN_STAGES,
    Action,
    CaseReviewApplication,
    District,
    PanelItem,
    PersonRole,
    Problem,
    ProblemPerson,
    Risk,
    review_overdue_q,
)
from ..people.selectors import person_link_risks

Reason = PanelItem.Reason

#: At most this many items per section: a panel that would discuss more needs its area split, not a longer list.
SECTION_LIMIT = 100


@dataclass(frozen=True)
class Proposed:
    """One item JPS proposes, before it is saved on the agenda."""

    reason: str
    key: str
    problem_id: int | None = None
    case_review_id: int | None = None
    victim_id: int | None = None
    action_id: int | None = None


def high_risk_victim_links(*, district: District) -> list[ProblemPerson]:
    """The area's victims at high risk on open problems: the one place a panel asks who they are.

    Today a victim's risk is their problem's (``Problem.risk``), read through
    ``people.selectors.person_link_risks``, the hook the victim risk assessment (issue 18) replaces
    with each link's latest assessed level. When it does, only the SQL pre-filter below changes (to
    the assessments' latest level) and the panel follows.
    """
    links = list(
        ProblemPerson.objects.filter(
            role=PersonRole.VICTIM, problem__district=district, problem__stage__in=OPEN_STAGES, problem__risk=Risk.HIGH
        )
        .select_related("problem", "person")
        .order_by("person__name", "problem_id")[:SECTION_LIMIT]
    )
    risks = person_link_risks(links)
    return [link for link in links if risks[link.pk] == Risk.HIGH]


def case_reviews_due(*, district: District, on: datetime.date) -> list[CaseReviewApplication]:
    """Open applications of the area whose current deadline (``DEADLINES``) falls on or before ``on``, and
    every one whose threshold is met and whose review meeting is still to hold: the panel can be that meeting."""
    due = reduce(or_, (Q(state=state, **{f"{field}__lte": on}) for state, field, _name in DEADLINES))
    due |= Q(state=CaseReviewApplication.State.THRESHOLD_MET)
    return list(
        CaseReviewApplication.objects.filter(due, district=district).order_by("received_on", "id")[:SECTION_LIMIT]
    )


def problems_overdue_for_review(*, district: District, on: datetime.date) -> list[Problem]:
    """Open problems of the area whose next review was due before ``on`` (``review_overdue_q``)."""
    return list(
        Problem.objects.filter(review_overdue_q(on), district=district).order_by("next_review_due", "id")[
            :SECTION_LIMIT
        ]
    )


def actions_overdue(*, district: District, on: datetime.date) -> list[Action]:
    """Open actions on the area's open problems that were due before ``on``."""
    return list(
        Action.objects.filter(
            problem__district=district,
            problem__stage__in=OPEN_STAGES,
            status__in=Action.OPEN_STATUSES,
            due_on__lt=on,
        ).order_by("due_on", "id")[:SECTION_LIMIT]
    )


def agenda_proposed(*, district: District, on: datetime.date) -> list[Proposed]:
    """The agenda for a panel of ``district`` on ``on``, in the order it is discussed."""
    items = [
        Proposed(Reason.HIGH_RISK_VICTIM, f"victim:{link.pk}", problem_id=link.problem_id, victim_id=link.pk)
        for link in high_risk_victim_links(district=district)
    ]
    items += [
        Proposed(Reason.CASE_REVIEW_DUE, f"case_review:{a.pk}", case_review_id=a.pk)
        for a in case_reviews_due(district=district, on=on)
    ]
    items += [
        Proposed(Reason.REVIEW_OVERDUE, f"review:{p.pk}", problem_id=p.pk)
        for p in problems_overdue_for_review(district=district, on=on)
    ]
    items += [
        Proposed(Reason.ACTION_OVERDUE, f"action:{a.pk}", problem_id=a.problem_id, action_id=a.pk)
        for a in actions_overdue(district=district, on=on)
    ]
    return items
