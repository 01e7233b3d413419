"""Hearing back on the real Celery worker: acknowledgement, taken on, updates, closure, the questionnaire; each once.

A "no" to "has it been fixed?" reaches the problem's owner as a reminder, once; unsubscribing stops the emails.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from jps import models as m
from jps import reminders, services
from tasks import residents as resident_tasks

TIMEOUT = 60


def run(now: datetime.datetime | None = None) -> dict[str, int]:
    kwargs = {"now": now.isoformat()} if now else {}
    return resident_tasks.send_resident_notices.delay(**kwargs).get(timeout=TIMEOUT)  # type: ignore[no-any-return]


def _approved_update(problem: m.Problem, by: m.User, text: str) -> m.ProgressUpdate:
    return m.ProgressUpdate.objects.create(
        problem=problem, author=by, text="ZZINTERNAL raw text", public_text=text,
        status=m.ProgressUpdate.Status.APPROVED, decided_by=by, decided_at=timezone.now(),
    )  # fmt: skip


def test_every_email_to_the_resident_goes_once(celery_worker, named_report, pcso, web_editor, client):
    problem = services.resident_report_accept(report=named_report, by=pcso, title="Drinking in Orchard Street")
    run()  # after the tasks the services queued on commit (the same queue, one worker): all sent by now
    assert [e.subject for e in mail.outbox] == [
        f"We have your report {named_report.reference}",
        f"Your report {named_report.reference} has been taken on",
    ]
    assert run()["sent"] == 0

    _approved_update(problem, web_editor, "We have increased patrols on Orchard Street.")
    assert run()["sent"] == 1 and run()["sent"] == 0
    update = mail.outbox[-1]
    assert update.to == ["gwen@example.com"] and "We have increased patrols on Orchard Street." in update.body
    assert "ZZINTERNAL" not in update.body and pcso.last_name not in update.body

    m.ResidentReport.objects.filter(pk=named_report.pk).update(triaged_at=timezone.now() - datetime.timedelta(days=9))
    closed_at = timezone.now() - datetime.timedelta(days=1)
    m.Problem.objects.filter(pk=problem.pk).update(stage=m.Stage.CLOSED, closed_at=closed_at)
    assert run()["sent"] == 1 and run()["sent"] == 0
    assert mail.outbox[-1].subject == f"Your report {named_report.reference}: the work has ended"

    four_weeks_on = closed_at + datetime.timedelta(days=28, hours=1)
    assert run(four_weeks_on)["sent"] == 1 and run(four_weeks_on)["sent"] == 0
    questionnaire = mail.outbox[-1]
    assert questionnaire.subject.startswith("Has it been fixed?")
    assert len(mail.outbox) == 5
    assert m.ResidentNotice.objects.filter(report=named_report, sent_at__isnull=False).count() == 5

    # The resident answers "no" through the signed link; the owner hears of it once.
    link = re.search(r"https?://\S+/report/feedback/\S+/", questionnaire.body)
    assert link
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    answered = client.post("/" + path, {"fixed": "no", "comment": "Still there every Friday"})
    assert answered.status_code == 200 and "Thank you" in answered.content.decode()
    named_report.refresh_from_db()
    assert named_report.fixed is False and named_report.feedback == "Still there every Friday"
    first = reminders.run_job("resident_not_fixed")
    again = reminders.run_job("resident_not_fixed")
    assert first.by_kind == {m.Reminder.Kind.RESIDENT_NOT_FIXED: 1} and again.reminders == 0
    reminder = m.Reminder.objects.get(kind=m.Reminder.Kind.RESIDENT_NOT_FIXED)
    assert reminder.recipient == pcso and reminder.problem == problem
    assert "Gwendolyn" not in reminder.note


def test_unsubscribing_stops_the_emails_and_forgets_the_address(celery_worker, named_report, pcso, web_editor, client):
    problem = services.resident_report_accept(report=named_report, by=pcso, title="Drinking in Orchard Street")
    run()
    link = re.search(r"https?://\S+/report/unsubscribe/\S+/", mail.outbox[0].body)
    assert link and mail.outbox[0].extra_headers["List-Unsubscribe"] == f"<{link.group(0)}>"
    path = "/" + link.group(0).split("://", 1)[1].split("/", 1)[1]
    assert client.get(path).status_code == 200  # a link scanner's GET changes nothing
    named_report.refresh_from_db()
    assert named_report.reporter_email
    assert client.post(path).status_code == 200  # one click, no CSRF token (RFC 8058)
    named_report.refresh_from_db()
    assert named_report.unsubscribed_at and named_report.reporter_email == ""
    sent = len(mail.outbox)
    _approved_update(problem, web_editor, "Patrols continue.")
    assert run()["sent"] == 0 and len(mail.outbox) == sent
    assert client.post("/report/unsubscribe/not-a-token/").status_code == 400


@pytest.mark.django_db
def test_a_report_waiting_past_the_triage_target_reminds_the_team_once(
    anonymous_report, pcso, supervisor, other_officer
):
    assert reminders.run_job("resident_report_triage").reminders == 0
    later = timezone.now() + datetime.timedelta(days=3)
    first = reminders.run_job("resident_report_triage", now=later)
    assert first.by_kind == {m.Reminder.Kind.RESIDENT_REPORT_TRIAGE: 2}
    recipients = set(m.Reminder.objects.values_list("recipient__username", flat=True))
    assert recipients == {pcso.username, supervisor.username}
    assert reminders.run_job("resident_report_triage", now=later).reminders == 0
    assert any(anonymous_report.reference in e.body for e in mail.outbox)
    assert "ZZRESIDENT" not in "".join(e.body for e in mail.outbox)
