"""The case review collectors: deadlines due and missed, and the threshold crossed before anyone asks.

- ``case_review_deadlines``: an open application whose current deadline (``DEADLINES``: acknowledgement,
  threshold decision, review meeting, outcome letter, handling review) falls within two working days,
  or has passed: its lead officer (else whoever recorded it), once per deadline. Past the area's grace
  (``CaseReviewSettings.escalation_grace_days`` working days), the area's community-safety lead
  (``District.community_safety_lead``, else the district's supervisors), once per deadline.
- ``case_review_suggested``: a problem whose complaints meet its area's threshold, or a person whose do
  (``jps.case_reviews.threshold``), with no application yet: the problem's owner (for a person, the owner
  of their latest problem) and the community-safety lead, once ever (period ``crossed``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import reduce
from typing import Any

from django.db.models import Case, CharField, DateField, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from ..case_reviews.calendar import add_working_days
from ..case_reviews.threshold import local_rules, people_crossing_threshold, problems_crossing_threshold
from ..models import DEADLINES, CaseReviewApplication, CaseReviewSettings, District, Problem, Reminder, User
from ..models.reminders import reminder_item_key
from .common import Kind, Recipient, _active, _People, _reminded, _unique

#: A deadline is reminded when it falls within this many working days.
DUE_SOON_WORKING_DAYS = 2
#: The period of a suggestion: once per problem or person and recipient, ever.
ONCE = "crossed"


def _safety_lead(district: District, people: _People) -> list[Recipient]:
    return _active(district.community_safety_lead) or people.supervisors(district.pk)


def _row(
    kind: str, recipient: Recipient, *, item: str, period: str, due: datetime.date | None, note: str, **fks: Any
) -> Reminder:
    return Reminder(
        kind=kind, recipient_id=recipient.user_id, email=recipient.email, item_key=item,
        recipient_key=recipient.key, period_key=period, due_on=due, note=note[:200], **fks,
    )  # fmt: skip


def _past_grace(today: datetime.date) -> Q:
    """Deadlines past their area's grace on ``today``, as a filter on the ``deadline`` annotation:
    one condition per grace in use (districts grouped by it), so reruns skip what was already escalated."""
    rows = {(r.force_id, r.district_id): r.escalation_grace_days for r in CaseReviewSettings.objects.all()}
    groups: dict[int, list[int]] = {}
    default = CaseReviewSettings().escalation_grace_days
    for pk, force_id in District.objects.order_by("id").values_list("pk", "force_id"):
        grace = rows.get((force_id, pk), rows.get((force_id, None), default))
        groups.setdefault(grace, []).append(pk)
    condition = Q(pk__in=[])
    for grace, district_ids in groups.items():
        last = today - datetime.timedelta(days=1)
        while add_working_days(last, grace) >= today:
            last -= datetime.timedelta(days=1)
        condition |= Q(district_id__in=district_ids, deadline__lte=last)
    return condition


def _deadlines(now: datetime.datetime, people: _People) -> tuple[QuerySet[Any], Callable[[Any], list[Reminder]]]:
    today = timezone.localdate(now)
    deadline = Case(*[When(state=state, then=F(field)) for state, field, _ in DEADLINES], output_field=DateField())
    period = Concat(F("state"), Value(":"), Cast(deadline, output_field=CharField()))
    queryset = (
        CaseReviewApplication.objects.annotate(deadline=deadline, period=period)
        .filter(deadline__lte=add_working_days(today, DUE_SOON_WORKING_DAYS))
        .annotate(
            due_sent=_reminded(Kind.CASE_REVIEW_DUE, "case_review", period=OuterRef("period")),
            escalated=_reminded(Kind.CASE_REVIEW_ESCALATION, "case_review", period=OuterRef("period")),
        )
        .exclude(Q(due_sent=True) & (~_past_grace(today) | Q(escalated=True)))
        .select_related("district", "district__community_safety_lead", "lead_officer", "received_by")
        .order_by()
    )
    rules: dict[int, CaseReviewSettings] = {}

    def rows(application: Any) -> list[Reminder]:
        name, due = application.next_deadline()
        late = (today - due).days
        note = f"{name}: {late} day{'s' if late != 1 else ''} late" if late > 0 else f"{name} due {due:%d %B %Y}"
        key, fks = reminder_item_key("case_review", application.pk), {"case_review_id": application.pk}
        lead = [] if application.due_sent else _active(application.lead_officer) or _active(application.received_by)
        out = [
            _row(Kind.CASE_REVIEW_DUE, r, item=key, period=application.period, due=due, note=note, **fks) for r in lead
        ]
        area = rules.setdefault(application.district_id, local_rules(application.district))
        if not application.escalated and today > add_working_days(due, area.escalation_grace_days):
            out += [
                _row(Kind.CASE_REVIEW_ESCALATION, r, item=key, period=application.period, due=due, note=note, **fks)
                for r in _safety_lead(application.district, people)
            ]
        return out

    return queryset, rows


def _union(querysets: list[QuerySet[Any]]) -> QuerySet[Any]:
    """The parts without their models' default ordering: SQLite refuses ORDER BY inside a compound SELECT."""
    parts = [queryset.order_by() for queryset in querysets]
    return reduce(lambda a, b: a.union(b, all=True), parts[1:], parts[0])


def _suggested(now: datetime.datetime, people: _People) -> tuple[QuerySet[Any], Callable[[Any], list[Reminder]]]:
    """Problems and people together: each row is ``(item, id, complaints, problem id)``."""
    today = timezone.localdate(now)
    problems = [
        qs.exclude(_reminded(Kind.CASE_REVIEW_SUGGESTED, "problem", period=ONCE))
        .annotate(item=Value("problem", output_field=CharField()), problem_pk=F("pk"))
        .values_list("item", "pk", "complaints_n", "problem_pk")
        for qs in problems_crossing_threshold(today=today)
    ]
    persons = [
        qs.exclude(_reminded(Kind.CASE_REVIEW_SUGGESTED, "person", period=ONCE))
        .annotate(item=Value("person", output_field=CharField()))
        .values_list("item", "pk", "complaints_n", "latest_problem")
        for qs in people_crossing_threshold(today=today)
    ]
    queryset = _union([*problems, *persons])
    owners: dict[int, tuple[User | None, District]] = {}

    def rows(row: tuple[str, int, int, int]) -> list[Reminder]:
        item, pk, complaints, problem_id = row
        if problem_id not in owners:
            problem = Problem.objects.select_related("owner", "district__community_safety_lead").get(pk=problem_id)
            owners[problem_id] = (problem.owner, problem.district)
        owner, district = owners[problem_id]
        whose = "this problem" if item == "problem" else "a person on this problem"
        note = f"{complaints} complaints about {whose}: offer an ASB case review"
        return [
            _row(Kind.CASE_REVIEW_SUGGESTED, r, item=reminder_item_key(item, pk), period=ONCE,  # type: ignore[arg-type]
                 due=today, note=note, problem_id=problem_id)
            for r in _unique([*_active(owner), *_safety_lead(district, people)])
        ]  # fmt: skip

    return queryset, rows


COLLECTORS = {"case_review_deadlines": _deadlines, "case_review_suggested": _suggested}
