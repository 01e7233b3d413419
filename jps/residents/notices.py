"""Hearing back: the emails to a resident about their report, each sent once, by the worker.

Two steps, like the reminders. **Collect** records a ``ResidentNotice`` row for each email now due,
unique per (report, kind, key), ignoring conflicts: a public update approved on the report's problem
(key: the update), the problem closed (key: the day it closed) and, ``JPS_RESIDENT_QUESTIONNAIRE_DAYS``
after closure, the questionnaire (key: the same day; a problem reopened and closed again asks again).
The services record the acknowledgement, "taken on" and "declined" rows themselves. **Deliver** claims
each unsent row with a conditional UPDATE (a claim older than ``CLAIM_TIMEOUT`` is taken to be a dead
worker's), sends it, and marks it sent; two workers never send one row twice.

Only what residents could read on the public site (an update's public text, the public outcome) and
the reference they were given go into an email; never an officer's name or internal text.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.utils import timezone

from .. import links
from ..models import CLOSED_STAGES, Assessment, ProgressUpdate, ResidentNotice, ResidentReport

logger = logging.getLogger("jps.residents")

Kind = ResidentNotice.Kind
CLAIM_TIMEOUT = datetime.timedelta(minutes=15)
MAX_ATTEMPTS = 5
UNSUBSCRIBE_SALT = "jps.residents.unsubscribe"
FEEDBACK_SALT = "jps.residents.feedback"
#: The questionnaire's link works for half a year.
FEEDBACK_MAX_AGE = 183 * 24 * 3600
TRIAGED = (ResidentReport.Status.ACCEPTED, ResidentReport.Status.ATTACHED)


def link_token(report: ResidentReport, *, salt: str) -> str:
    return signing.dumps(report.token, salt=salt)


def report_from_token(token: str, *, salt: str, max_age: int | None = None) -> ResidentReport | None:
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    return ResidentReport.objects.filter(token=value).select_related("problem").first()


def _following() -> Q:
    """Reports whose residents hear of their problem: taken on, with an email they agreed to."""
    return Q(status__in=TRIAGED, problem__isnull=False, consent_at__isnull=False, unsubscribed_at__isnull=True) & ~Q(
        reporter_email=""
    )


def _record(rows: list[ResidentNotice]) -> int:
    ResidentNotice.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def notices_collect(*, now: datetime.datetime) -> int:
    """Record the update, closure and questionnaire emails now due (those recorded already stay as they are)."""
    updates = ProgressUpdate.objects.filter(
        problem__resident_reports__in=ResidentReport.objects.filter(_following()),
        status=ProgressUpdate.Status.APPROVED,
        decided_at__gt=F("problem__resident_reports__triaged_at"),
        decided_at__lte=now,
    ).values_list("problem__resident_reports__id", "id")
    rows = [ResidentNotice(report_id=r, kind=Kind.UPDATE, key=str(u)) for r, u in updates]
    closed = ResidentReport.objects.filter(
        _following(), problem__stage__in=CLOSED_STAGES, problem__closed_at__gt=F("triaged_at")
    ).values_list("id", "problem__closed_at")
    ask_before = now - datetime.timedelta(days=settings.JPS_RESIDENT_QUESTIONNAIRE_DAYS)
    for report_id, closed_at in closed:
        day = timezone.localdate(closed_at).isoformat()
        rows.append(ResidentNotice(report_id=report_id, kind=Kind.CLOSED, key=day))
        if closed_at is not None and closed_at <= ask_before:
            rows.append(ResidentNotice(report_id=report_id, kind=Kind.QUESTIONNAIRE, key=day))
    return _record(rows)


def _claim(notice: ResidentNotice, now: datetime.datetime) -> bool:
    stale = now - CLAIM_TIMEOUT
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale)
    taken = ResidentNotice.objects.filter(free, pk=notice.pk, sent_at__isnull=True).update(
        claimed_at=now, attempts=F("attempts") + 1
    )
    return taken == 1


def notices_deliver(*, now: datetime.datetime) -> int:
    """Send every unsent notice this worker can claim; returns how many were sent."""
    sent = 0
    pending = (
        ResidentNotice.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .select_related("report", "report__problem", "report__neighbourhood")
        .order_by("id")
    )
    for notice in pending.iterator(chunk_size=200):
        if not _claim(notice, now):
            continue
        message = notice_message(notice)
        if message is not None:
            message.send()
            sent += 1
        ResidentNotice.objects.filter(pk=notice.pk).update(sent_at=timezone.now())
    return sent


def resident_notices_send(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Collect what is due, then deliver it: the worker's one entry point (``tasks.residents``)."""
    now = now or timezone.now()
    recorded = notices_collect(now=now)
    sent = notices_deliver(now=now)
    logger.info("Resident notices: %d recorded, %d sent", recorded, sent)
    return {"recorded": recorded, "sent": sent}


# --- the messages -------------------------------------------------------------------------------


def _footer(report: ResidentReport) -> tuple[str, str]:
    link = links.url_for("resident_unsubscribe", token=link_token(report, salt=UNSUBSCRIBE_SALT))
    return f"\n\nTo stop emails about this report, open: {link}\n", link


def _body(notice: ResidentNotice) -> tuple[str, str] | None:
    report = notice.report
    team = report.neighbourhood.display_name
    ref = report.reference
    if notice.kind == Kind.ACKNOWLEDGEMENT:
        return (
            f"We have your report {ref}",
            f"Thank you for reporting a problem in {team}. Your reference is {ref}.\n\n"
            f"The neighbourhood team will look at it within {settings.JPS_RESIDENT_TRIAGE_DAYS} working days and "
            "email you what they decide. If it is an emergency, call 999; otherwise, for anything "
            "urgent, call 101.",
        )
    if notice.kind == Kind.DECLINED:
        return (
            f"Your report {ref}",
            f"The {team} neighbourhood team has looked at your report {ref} and will not take it on as a "
            f"neighbourhood problem. They said:\n\n{report.decline_reason}",
        )
    if notice.kind == Kind.ACCEPTED:
        return (
            f"Your report {ref} has been taken on",
            f"The {team} neighbourhood team is working on the problem you reported ({ref}). We will email "
            "you when there is news, and when the work on it ends.",
        )
    if notice.kind == Kind.UPDATE:
        update = ProgressUpdate.objects.filter(pk=int(notice.key), status=ProgressUpdate.Status.APPROVED).first()
        if update is None:
            return None
        text = update.public_text or ""
        return (
            f"News about your report {ref}",
            f"The {team} neighbourhood team says ({update.decided_at:%d %B %Y}):\n\n{text}",
        )
    problem = report.problem
    if problem is None:
        return None
    if notice.kind == Kind.CLOSED:
        outcome = Assessment.objects.filter(problem=problem).values_list("public_outcome", flat=True).first() or ""
        said = f" They said:\n\n{outcome}" if outcome else ""
        return (
            f"Your report {ref}: the work has ended",
            f"The {team} neighbourhood team has finished working on the problem you reported ({ref}).{said}",
        )
    link = links.url_for("resident_feedback", token=link_token(report, salt=FEEDBACK_SALT))
    return (
        f"Has it been fixed? Your report {ref}",
        f"A few weeks ago the {team} neighbourhood team finished working on the problem you reported "
        f"({ref}). Has it been fixed? Tell us with one click, and add a comment if you like:\n\n{link}\n\n"
        "Your answer goes to the team.",
    )


def notice_message(notice: ResidentNotice) -> EmailMessage | None:
    """The email for one notice; None when there is no one to send it to (unsubscribed, no email)."""
    report = notice.report
    if not report.reporter_email:
        return None
    if notice.kind not in (Kind.ACKNOWLEDGEMENT, Kind.DECLINED) and report.unsubscribed_at:
        return None
    content = _body(notice)
    if content is None:
        return None
    subject, body = content
    footer, unsubscribe = _footer(report)
    return EmailMessage(
        subject=subject,
        body=body + footer,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[report.reporter_email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
