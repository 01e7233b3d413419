"""Personal data: the retention rule and subject-access export.

Closed problems keep their learning (statement, analysis of causes, responses,
outcome) but lose what identifies people once the retention period has passed:
contacts, originator, exact location and free text that may name people — in the
live rows and in their history rows alike, since an audit trail that kept the data
would defeat the rule.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import (
    Analysis,
    Attachment,
    Contact,
    ContactLog,
    Meeting,
    MeetingItem,
    Person,
    Problem,
    ProblemPerson,
    ProblemView,
    ProgressUpdate,
    ResidentReport,
    ResidentReportPhoto,
    RiskAssessment,
    User,
)
from .residents.privacy import REDACTED, team_messages_export, team_messages_of, team_messages_redact

PROBLEM_FIELDS = {"description": REDACTED, "originator": REDACTED, "location": "", "latitude": None, "longitude": None}
CONTACT_FIELDS = {
    "name": REDACTED,
    "phone": "",
    "email": "",
    "address": "",
    "notes": "",
    "times_to_avoid": "",
    "no_final_contact_reason": "",
}
#: What was said to a victim or complainant, and what came of it, can name them and others.
CONTACT_LOG_FIELDS = {"summary": REDACTED, "outcome": ""}
ANALYSIS_FIELDS = {"victim": REDACTED, "offender": REDACTED}
PERSON_FIELDS = {
    "name": REDACTED,
    "date_of_birth": None,
    "phone": "",
    "email": "",
    "address": "",
    "vulnerability_note": "",
    "needs": "",
}


def problems_due_for_redaction(*, now: datetime.datetime | None = None) -> Any:
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.JPS_RETENTION_DAYS)
    return Problem.objects.closed().filter(closed_at__lt=cutoff, personal_data_redacted_at__isnull=True)


def personal_data_redact(*, now: datetime.datetime | None = None, batch_size: int = 500) -> int:
    """Redact one batch of problems past retention; returns how many. Run until it returns 0.

    Works in batches on an indexed query so the cost grows with what is due, not the table.
    """
    now = now or timezone.now()
    ids = list(problems_due_for_redaction(now=now).order_by("closed_at").values_list("pk", flat=True)[:batch_size])
    if not ids:
        return 0
    with transaction.atomic():
        Problem.objects.filter(pk__in=ids).update(personal_data_redacted_at=now, **PROBLEM_FIELDS)
        Problem.history.filter(id__in=ids).update(**PROBLEM_FIELDS)
        Contact.objects.filter(problem_id__in=ids).update(**CONTACT_FIELDS)
        Contact.history.filter(problem_id__in=ids).update(**CONTACT_FIELDS)
        agreements = Contact.objects.filter(problem_id__in=ids).values("pk")
        ContactLog.objects.filter(contact_id__in=agreements).update(**CONTACT_LOG_FIELDS)
        ContactLog.history.filter(contact_id__in=agreements).update(**CONTACT_LOG_FIELDS)
        Analysis.objects.filter(problem_id__in=ids).update(**ANALYSIS_FIELDS)
        Analysis.history.filter(problem_id__in=ids).update(**ANALYSIS_FIELDS)
        ProgressUpdate.objects.filter(problem_id__in=ids).update(text=REDACTED)  # public_text was vetted
        ProgressUpdate.history.filter(problem_id__in=ids).update(text=REDACTED)
        MeetingItem.objects.filter(problem_id__in=ids).update(note=REDACTED)  # internal meeting notes
        MeetingItem.history.filter(problem_id__in=ids).update(note=REDACTED)
        RiskAssessment.objects.filter(problem_id__in=ids).exclude(notes="").update(notes=REDACTED)  # the scores stay
        RiskAssessment.history.filter(problem_id__in=ids).exclude(notes="").update(notes=REDACTED)
        people_redact(problem_ids=ids)
        attachments_purge(problem_ids=ids, now=now)
    return len(ids)


def _delete_files(storage: Any, names: list[str]) -> None:
    for name in names:
        storage.delete(name)


def attachments_purge(*, problem_ids: Iterable[int], now: datetime.datetime) -> int:
    """Remove the files of these problems (past retention), bytes and original names, once the redaction
    commits. A photo a web editor published with an update stays: it was vetted as public and the public
    page still shows it. Returns how many files go."""
    ids = list(problem_ids)
    due = Attachment.objects.filter(problem_id__in=ids, removed_at=None, public_update=None)
    names = [name for name in due.values_list("file", flat=True) if name]
    fields = {"removed_at": now, "removed_reason": "Retention period passed", "file": "", "original_name": REDACTED,
              "description": ""}  # fmt: skip
    gone = due.update(**fields)
    Attachment.history.filter(problem_id__in=ids, public_update=None).update(original_name=REDACTED, description="")
    storage = Attachment._meta.get_field("file").storage  # type: ignore[attr-defined]
    transaction.on_commit(lambda: _delete_files(storage, names))
    return gone


def people_redact(*, problem_ids: Iterable[int]) -> int:
    """Redact the people on these problems whose every problem is now redacted (past retention).

    A person also on a problem still within retention keeps their details: the live case needs them.
    """
    on_these = ProblemPerson.objects.filter(problem_id__in=list(problem_ids)).values("person_id")
    live = ProblemPerson.objects.filter(problem__personal_data_redacted_at__isnull=True).values("person_id")
    ids = list(Person.objects.filter(pk__in=on_these).exclude(pk__in=live).values_list("pk", flat=True))
    Person.objects.filter(pk__in=ids).update(**PERSON_FIELDS)
    Person.history.filter(id__in=ids).update(**PERSON_FIELDS)
    return len(ids)


def meetings_redact(*, now: datetime.datetime | None = None) -> int:
    """Redact the internal notes and community chair's name of meetings held before the retention period.

    Their public record (date, venue, agenda, attendance count, decisions) stays.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.JPS_RETENTION_DAYS)
    due = Meeting.objects.filter(starts_at__lt=cutoff).exclude(notes=REDACTED).exclude(notes="", chair_name="")
    ids = list(due.values_list("pk", flat=True))
    with transaction.atomic():
        Meeting.objects.filter(pk__in=ids).update(notes=REDACTED, chair_name="")
        Meeting.history.filter(id__in=ids).update(notes=REDACTED, chair_name="")
    return len(ids)


REPORT_FIELDS = {"reporter_name": "", "reporter_email": "", "description": REDACTED, "location": "", "latitude": None,
                 "longitude": None}  # fmt: skip


def resident_reports_redact(*, now: datetime.datetime | None = None) -> int:
    """Redact residents' reports past retention: those on a problem whose personal data is redacted, and
    those on none (declined, never triaged) made before the retention period; and messages to the team
    received before it (``jps.residents.privacy``). Returns how many reports and messages.

    The reporter's name and email, what they wrote, where, and their comments go, in the history too;
    photos are deleted from storage. The reference, category, neighbourhood, dates and decisions stay
    (the figures count them).
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.JPS_RETENTION_DAYS)
    due = ResidentReport.objects.filter(
        Q(problem__personal_data_redacted_at__isnull=False) | Q(problem__isnull=True, created_at__lt=cutoff)
    ).exclude(description=REDACTED)
    ids = list(due.values_list("pk", flat=True))
    with transaction.atomic():
        ResidentReport.objects.filter(pk__in=ids).update(**REPORT_FIELDS)
        ResidentReport.objects.filter(pk__in=ids).exclude(feedback="").update(feedback=REDACTED)
        ResidentReport.history.filter(id__in=ids).update(**REPORT_FIELDS)
        ResidentReport.history.filter(id__in=ids).exclude(feedback="").update(feedback=REDACTED)
        for photo in ResidentReportPhoto.objects.filter(report_id__in=ids):
            photo.file.delete(save=False)
            photo.delete()
    return len(ids) + team_messages_redact(cutoff=cutoff)


def subject_access_export(*, by: User, name: str = "", email: str = "", phone: str = "") -> dict[str, Any]:
    """Everything the system holds about a named person: as a contact, an originator, a resident who
    reported, or as staff.

    ``by`` is who answers the request: each problem exported (as contact or originator) goes into
    the access log under their name, channel ``sar``, since the export reads its personal data.
    """
    if not (name.strip() or email.strip() or phone.strip()):
        raise ValueError("Give a name, an email address or a phone number.")
    contact_q = Q(pk__in=[])
    if name.strip():
        contact_q |= Q(name__iexact=name.strip())
    if email.strip():
        contact_q |= Q(email__iexact=email.strip())
    if phone.strip():
        contact_q |= Q(phone=phone.strip())
    contacts = list(Contact.objects.filter(contact_q).select_related("problem").prefetch_related("log"))
    as_originator = (
        Problem.objects.filter(originator__icontains=name.strip()) if name.strip() else Problem.objects.none()
    )
    originated = list(as_originator.only("reference", "originator", "created_at"))
    people = list(Person.objects.filter(contact_q).prefetch_related("links__problem", "links__contact_agreements__log"))
    staff_q = Q(email__iexact=email.strip()) if email.strip() else Q(pk__in=[])
    staff = User.objects.filter(staff_q).select_related("agency")
    report_q = Q(pk__in=[])
    if name.strip():
        report_q |= Q(reporter_name__iexact=name.strip())
    if email.strip():
        report_q |= Q(reporter_email__iexact=email.strip())
    reports = list(ResidentReport.objects.filter(report_q).select_related("problem", "category"))
    resident_report_views_record(user=by, reports=reports, channel=ProblemView.Channel.SAR)
    messages = team_messages_of(name=name, email=email)
    problem_views_record(
        user=by,
        problem_ids=[c.problem_id for c in contacts] + [p.pk for p in originated],
        channel=ProblemView.Channel.SAR,
    )
    person_views_record(
        user=by,
        reads=[(p.pk, link.problem_id) for p in people for link in p.links.all()] + [(p.pk, None) for p in people],
        channel=ProblemView.Channel.SAR,
    )
    return {
        "generated_at": timezone.now().isoformat(),
        "search": {"name": name, "email": email, "phone": phone},
        "as_contact": [
            {
                "problem": c.problem.reference,
                "kind": c.kind,
                "name": c.name,
                "phone": c.phone,
                "email": c.email,
                "address": c.address,
                "preferred_method": c.preferred_method,
                "contact_every_days": c.contact_every_days,
                "times_to_avoid": c.times_to_avoid,
                "notes": c.notes,
                **agreement_export(c),
            }
            for c in contacts
        ],
        "as_person": [person_export(p) for p in people],
        "as_originator": [
            {"problem": p.reference, "originator": p.originator, "raised": p.created_at.isoformat()} for p in originated
        ],
        "as_resident_reporter": [resident_report_export(r) for r in reports],
        "as_sender_of_messages": team_messages_export(by=by, messages=messages),
        "as_staff": [
            {
                "username": u.username,
                "name": u.get_full_name(),
                "email": u.email,
                "role": u.role,
                "agency": str(u.agency) if u.agency else "",
                "problems_owned": list(u.owned_problems.values_list("reference", flat=True)),
                "actions_assigned": u.actions.count(),
            }
            for u in staff
        ],
    }


def resident_report_export(report: ResidentReport) -> dict[str, Any]:
    """A resident's report as they sent it, what became of it, and their answers."""
    return {
        "reference": report.reference,
        "sent": report.created_at.isoformat(),
        "name": report.reporter_name,
        "email": report.reporter_email,
        "category": report.category.name,
        "description": report.description,
        "location": report.location,
        "status": report.status,
        "problem": report.problem.reference if report.problem else None,
        "decline_reason": report.decline_reason,
        "fixed": report.fixed,
        "feedback": report.feedback,
    }


def person_export(person: Person) -> dict[str, Any]:
    """A person's record and the problems they are on, for the subject-access export."""
    return {
        "id": person.pk,
        "name": person.name,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
        "phone": person.phone,
        "email": person.email,
        "address": person.address,
        "vulnerabilities": person.vulnerabilities,
        "vulnerability_note": person.vulnerability_note,
        "preferred_language": person.preferred_language,
        "needs": person.needs,
        "merged_into": person.merged_into_id,
        "problems": [
            {
                "problem": link.problem.reference,
                "role": link.role,
                "contact_agreements": [
                    {
                        "preferred_method": c.preferred_method,
                        "contact_every_days": c.contact_every_days,
                        "times_to_avoid": c.times_to_avoid,
                        "notes": c.notes,
                        **agreement_export(c),
                    }
                    for c in link.contact_agreements.all()
                ],
            }
            for link in person.links.all()
        ],
    }


def agreement_export(contact: Contact) -> dict[str, Any]:
    """What a contact agreement holds beyond its details: the next date, the reason for no final contact,
    and every contact logged with what was said (summaries and outcomes can name people)."""
    return {
        "next_contact_due": contact.next_contact_due.isoformat() if contact.next_contact_due else None,
        "no_final_contact_reason": contact.no_final_contact_reason,
        "contacts_logged": [
            {
                "when": entry.contacted_at.isoformat(),
                "method": entry.method,
                "summary": entry.summary,
                "outcome": entry.outcome,
                "reached": entry.reached,
                "final": entry.final,
            }
            for entry in contact.log.all()
        ],
    }


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


def person_views_record(
    *, user: User, reads: Iterable[tuple[int, int | None]], channel: str, request_id: str = ""
) -> int:
    """Log that ``user`` read these people: ``(person, problem read through)``, the problem ``None``
    for a direct read. One ``bulk_create``, like ``problem_views_record``; returns how many rows."""
    at = timezone.now()
    rows = [
        ProblemView(person_id=person, problem_id=problem, user=user, at=at, channel=channel, request_id=request_id[:64])
        for person, problem in dict.fromkeys(reads)
    ]
    if rows:
        ProblemView.objects.bulk_create(rows)
    return len(rows)


def resident_report_views_record(
    *, user: User, reports: Iterable[ResidentReport], channel: str, request_id: str = ""
) -> int:
    """Log that ``user`` was shown the reporter's name or email on these residents' reports (the triage
    page, the API). One ``bulk_create``, like ``problem_views_record``; an anonymous report holds
    nothing personal and is not logged. Returns how many rows."""
    at = timezone.now()
    named = dict.fromkeys(r.pk for r in reports if r.reporter_name or r.reporter_email)
    rows = [
        ProblemView(resident_report_id=pk, user=user, at=at, channel=channel, request_id=request_id[:64])
        for pk in named
    ]
    if rows:
        ProblemView.objects.bulk_create(rows)
    return len(rows)
