"""Writes on residents' reports: a resident reports; the team accepts, attaches or declines; the resident answers.

Every triage is one conditional ``UPDATE ... WHERE status = 'new'`` first, so two of the team acting at
once cannot both win (the second is told the report was triaged already). Emails to the resident are
``ResidentNotice`` rows, sent by the worker once the transaction commits (``jps.residents.notices``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from ..base import require, save
from ..casework.field import problem_report_attach
from ..models import (
    Category,
    Neighbourhood,
    PersonRole,
    Problem,
    ResidentNotice,
    ResidentReport,
    ResidentReportPhoto,
    Source,
    User,
)
from ..people.services import problem_person_create
from ..problems.services import problem_create
from ..security import attribute_change
from .photos import photo_reencode

Status = ResidentReport.Status
Kind = ResidentNotice.Kind


def _notices_soon() -> None:
    """Ask the worker to send what is due once this transaction commits (the schedule catches up otherwise)."""
    from tasks import residents as resident_tasks  # jps never imports tasks at module level
    from tasks.queue import enqueue_on_commit

    enqueue_on_commit(resident_tasks.send_resident_notices)


def notice_record(*, report: ResidentReport, kind: str, key: str = "") -> None:
    """Record an email to send to the resident, once: the same (report, kind, key) twice is one row."""
    if report.reporter_email:
        ResidentNotice.objects.bulk_create([ResidentNotice(report=report, kind=kind, key=key)], ignore_conflicts=True)


@transaction.atomic
def resident_report_create(
    *,
    neighbourhood: Neighbourhood,
    category: Category,
    description: str,
    channel: str = ResidentReport.Channel.WEB,
    location: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    reporter_name: str = "",
    reporter_email: str = "",
    consent: bool = False,
    photos: Sequence[IO[bytes]] = (),
    acknowledge: bool = True,
) -> ResidentReport:
    """Store what a resident reported (from the web form, or an Open311 client), with its photos.

    Nobody is signed in: the channel is the origin. An email given without consent to be written
    to is not kept (we could not use it). Photos are re-encoded without their metadata before
    anything is stored. The acknowledgement (with the reference) is queued unless ``acknowledge``
    is False (a per-recipient limit was reached).
    """
    email = reporter_email.strip().lower() if consent else ""
    report = ResidentReport(
        neighbourhood=neighbourhood,
        category=category,
        description=description.strip(),
        channel=channel,
        location=location.strip()[:200],
        latitude=latitude,
        longitude=longitude,
        reporter_name=reporter_name.strip()[:160],
        reporter_email=email,
        consent_at=timezone.now() if email else None,
    )
    report.full_clean()
    report._change_reason = f"Reported by a resident ({report.get_channel_display()})"  # type: ignore[attr-defined]
    report.save()
    for upload in photos:
        clean = photo_reencode(upload)
        photo = ResidentReportPhoto(report=report, width=clean.width, height=clean.height, size=len(clean.content))
        photo.file.save("photo.jpg", ContentFile(clean.content), save=True)
    if acknowledge:
        notice_record(report=report, kind=Kind.ACKNOWLEDGEMENT)
        _notices_soon()
    return report


def _claim(report: ResidentReport, *, by: User, to: str, reason: str) -> ResidentReport:
    """The one conditional UPDATE every triage starts with; then the row as it now is, locked."""
    require(by, "jps.triage_resident_report", report)
    now = timezone.now()
    claimed = ResidentReport.objects.filter(pk=report.pk, status=Status.NEW).update(
        status=to, triaged_by=by, triaged_at=now
    )
    if claimed != 1:
        raise ValidationError({"status": "Someone in your team has already dealt with this report."})
    report = ResidentReport.objects.select_for_update().get(pk=report.pk)
    attribute_change(report, by=by, reason=reason)
    return report


def _originator(report: ResidentReport) -> str:
    who = report.reporter_name or "Anonymous resident"
    return f"{who} (resident report {report.reference})"[:160]


@transaction.atomic
def resident_report_accept(
    *, report: ResidentReport, by: User, title: str, owner: User | None = None, **fields: Any
) -> Problem:
    """Take the report on as a new problem in scanning, logged by ``by`` (or owned by ``owner``).

    The source is "Resident report" and the reporter the originator; a named reporter is recorded
    as a person and linked to the problem as its complainant (with their email, when they gave
    one). The resident hears that it was taken on.
    """
    report = _claim(report, by=by, to=Status.ACCEPTED, reason="Accepted as a new problem")
    problem = problem_create(
        by=by,
        neighbourhood=report.neighbourhood,
        category=report.category,
        source=Source.RESIDENT_REPORT,
        originator=_originator(report),
        title=title.strip() or report.description[:80],
        description=report.description,
        owner=owner,
        location=report.location,
        latitude=report.latitude,
        longitude=report.longitude,
        **fields,
    )
    if report.reporter_name:
        contact = {"email": report.reporter_email} if report.reporter_email else {}
        problem_person_create(problem=problem, role=PersonRole.COMPLAINANT, by=by, name=report.reporter_name, **contact)
    report.problem = problem
    save(report, by=by, reason=f"Accepted as {problem.reference}", update_fields=["problem"])
    notice_record(report=report, kind=Kind.ACCEPTED)
    _notices_soon()
    return problem


@transaction.atomic
def resident_report_attach(*, report: ResidentReport, by: User, problem: Problem) -> ResidentReport:
    """Attach the report to an open problem the team already works, as a further report of it."""
    report = _claim(report, by=by, to=Status.ATTACHED, reason=f"Attached to {problem.reference}")
    if problem.neighbourhood.district_id != report.neighbourhood.district_id:
        raise ValidationError({"problem": "Choose a problem in this report's district."})
    attached = problem_report_attach(
        problem=problem,
        by=by,
        source=Source.RESIDENT_REPORT,
        originator=_originator(report),
        text=report.description,
        location=report.location,
        latitude=report.latitude,
        longitude=report.longitude,
    )
    report.problem, report.problem_report = problem, attached
    save(report, by=by, reason=f"Attached to {problem.reference}", update_fields=["problem", "problem_report"])
    notice_record(report=report, kind=Kind.ACCEPTED)
    _notices_soon()
    return report


@transaction.atomic
def resident_report_decline(*, report: ResidentReport, by: User, reason: str) -> ResidentReport:
    """Decline the report; the resident receives ``reason`` (so it must be fit for them to read)."""
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason the resident will receive"})
    report = _claim(report, by=by, to=Status.DECLINED, reason="Declined")
    report.decline_reason = reason.strip()
    save(report, by=by, reason="Declined", update_fields=["decline_reason"])
    notice_record(report=report, kind=Kind.DECLINED)
    _notices_soon()
    return report


@transaction.atomic
def resident_report_feedback(*, report: ResidentReport, fixed: bool, comment: str = "") -> ResidentReport:
    """The resident's answer to "has it been fixed?" (from the signed link in the questionnaire).

    The latest answer stands; the history keeps each. A "no" reaches the problem's owner through
    the reminders (``resident_not_fixed``), once per answer.
    """
    report = ResidentReport.objects.select_for_update().get(pk=report.pk)
    report.fixed, report.feedback, report.feedback_at = fixed, comment.strip(), timezone.now()
    report._change_reason = "The resident answered the questionnaire"  # type: ignore[attr-defined]
    report.full_clean()
    report.save(update_fields=["fixed", "feedback", "feedback_at"])
    return report


def resident_report_unsubscribe(*, report: ResidentReport) -> None:
    """One click: no more emails about this report, and its email address is forgotten."""
    ResidentReport.objects.filter(pk=report.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now(), reporter_email=""
    )
