"""Residents' reports (issue 20): triage waiting past its target, and a resident who says "not fixed".

A new report not triaged within ``JPS_RESIDENT_TRIAGE_DAYS`` reaches the neighbourhood's officers and
the district's supervisors, once per report (the period is the day it came in). A resident's "no" to
"has it been fixed?" reaches the problem's owner (else the district's supervisors), once per answer
(the period is the day they answered). Emails name the report or the problem, never the resident.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..models import Reminder, ResidentReport, User
from ..models.reminders import reminder_item_key
from .common import Kind, Recipient, _active, _People, _reminded, _unique


def _team(neighbourhood_id: int) -> list[Recipient]:
    officers = User.objects.filter(role=User.Role.OFFICER, neighbourhoods=neighbourhood_id, is_active=True)
    return [Recipient.for_user(u) for u in officers.only("id", "email").order_by("id")]


def _row(kind: str, report: ResidentReport, recipient: Recipient, *, period: datetime.date, note: str) -> Reminder:
    return Reminder(
        kind=kind,
        problem_id=report.problem_id if kind == Kind.RESIDENT_NOT_FIXED else None,
        neighbourhood_id=report.neighbourhood_id,
        recipient_id=recipient.user_id,
        email=recipient.email,
        item_key=reminder_item_key("resident_report", report.pk),
        recipient_key=recipient.key,
        period_key=period.isoformat(),
        due_on=period,
        note=note[:200],
    )


def _local_day() -> TruncDate:
    return TruncDate("created_at", tzinfo=timezone.get_current_timezone())


def resident_report_triage_due(
    now: datetime.datetime, people: _People
) -> tuple[QuerySet[Any], Callable[[Any], list[Reminder]]]:
    """New reports past the triage target: the neighbourhood's officers and the district's supervisors."""
    before = now - datetime.timedelta(days=settings.JPS_RESIDENT_TRIAGE_DAYS)
    queryset = (
        ResidentReport.objects.filter(status=ResidentReport.Status.NEW, created_at__lte=before)
        .alias(came_in=_local_day())
        .exclude(_reminded(Kind.RESIDENT_REPORT_TRIAGE, "resident_report", "came_in"))
        .select_related("neighbourhood")
        .only("id", "reference", "created_at", "neighbourhood_id", "neighbourhood__district_id", "problem_id")
        .order_by()
    )

    def rows(report: ResidentReport) -> list[Reminder]:
        came_in = timezone.localdate(report.created_at)
        days = (timezone.localdate(now) - came_in).days
        note = f"Resident report {report.reference} waiting {days} days (target {settings.JPS_RESIDENT_TRIAGE_DAYS})"
        recipients = _unique([*_team(report.neighbourhood_id), *people.supervisors(report.neighbourhood.district_id)])
        return [_row(Kind.RESIDENT_REPORT_TRIAGE, report, r, period=came_in, note=note) for r in recipients]

    return queryset, rows


def resident_not_fixed(
    now: datetime.datetime, people: _People
) -> tuple[QuerySet[Any], Callable[[Any], list[Reminder]]]:
    """A resident answered "not fixed": the problem's owner (else the district's supervisors)."""
    queryset = (
        ResidentReport.objects.filter(fixed=False, problem__isnull=False, feedback_at__isnull=False)
        .alias(answered_on=TruncDate("feedback_at", tzinfo=timezone.get_current_timezone()))
        .exclude(_reminded(Kind.RESIDENT_NOT_FIXED, "resident_report", "answered_on"))
        .select_related("problem", "problem__owner")
        .order_by()
    )

    def rows(report: ResidentReport) -> list[Reminder]:
        assert report.problem is not None and report.feedback_at is not None
        answered = timezone.localdate(report.feedback_at)
        recipients = _active(report.problem.owner) or people.supervisors(report.problem.district_id)
        note = f"The resident who reported {report.reference} says it is not fixed"
        return [_row(Kind.RESIDENT_NOT_FIXED, report, r, period=answered, note=note) for r in _unique(recipients)]

    return queryset, rows


COLLECTORS = {"resident_report_triage": resident_report_triage_due, "resident_not_fixed": resident_not_fixed}
