"""Contact reminders: the owner on the due date, the district's supervisors past the grace period, once per period.

In-process first (who hears what, and when), then on the real Celery worker like the other jobs.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail

from jps import models as m
from jps import reminders, services
from tasks import jobs
from tests import factories as f
from tests.tasks.conftest import at

Kind = m.Reminder.Kind
TIMEOUT = 60


def run(job: str, day: str) -> reminders.JobResult:
    with time_machine.travel(at(day), tick=False):
        return reminders.run_job(job)


def rows(**lookup) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return set(m.Reminder.objects.filter(**lookup).values_list("kind", "recipient_key", "period_key"))


@pytest.fixture
def due(pcso, supervisor, other_supervisor, neighbourhood, category) -> m.Contact:  # type: ignore[no-untyped-def]
    """Sharon's weekly contact falls due on 10 June; other agreements that must stay quiet beside it."""
    problem = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category, title="Noise at Flat 3")
    contact = f.ContactFactory(
        link=f.ProblemPersonFactory(problem=problem, person__name="Sharon Doyle"),
        next_contact_due=datetime.date(2026, 6, 10),
    )
    later = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category)
    f.ContactFactory(link=f.ProblemPersonFactory(problem=later), next_contact_due=datetime.date(2026, 6, 30))
    closed = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category, stage=m.Stage.CLOSED)
    f.ContactFactory(link=f.ProblemPersonFactory(problem=closed), next_contact_due=datetime.date(2026, 6, 1))
    f.ContactFactory(link=f.ProblemPersonFactory(problem=later, role="complainant"), next_contact_due=None)
    return contact


# --- in-process --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_owner_hears_on_the_due_date_once(due, pcso, supervisor):
    assert run("contact_due", "2026-06-09").reminders == 0
    first = run("contact_due", "2026-06-10")
    key = f"contact:{due.pk}"
    assert first.by_kind == {Kind.CONTACT_DUE: 1}
    assert rows(item_key=key) == {(Kind.CONTACT_DUE, f"user:{pcso.pk}", "2026-06-10")}
    (email,) = mail.outbox
    assert email.to == [pcso.email]
    assert email.subject == f"JPS reminder: contact with a victim or complainant due — {due.problem.reference}"
    assert "Victim contact due today (agreed: phone every 7 days)" in email.body
    assert "Sharon" not in email.body  # the digest names the problem, never the person
    again = [run("contact_due", "2026-06-10"), run("contact_due", "2026-06-11"), run("contact_due", "2026-06-13")]
    assert [r.items for r in again] == [0, 0, 0] and len(mail.outbox) == 1


@pytest.mark.django_db
def test_past_the_grace_period_the_districts_supervisors_hear_once(due, pcso, supervisor, other_supervisor, settings):
    run("contact_due", "2026-06-12")  # 2 days overdue: the owner only
    run("contact_due", "2026-06-13")  # 3 days: still within the grace period
    assert not m.Reminder.objects.filter(kind=Kind.CONTACT_OVERDUE).exists()
    escalated = run("contact_due", "2026-06-14")  # walked again to escalate; the owner's row is not sent twice
    assert escalated.items == 1 and escalated.digests == 1
    assert rows(kind=Kind.CONTACT_OVERDUE) == {(Kind.CONTACT_OVERDUE, f"user:{supervisor.pk}", "2026-06-10")}
    (email,) = [e for e in mail.outbox if e.to == [supervisor.email]]
    assert "Victim contact 4 days overdue" in email.body
    assert run("contact_due", "2026-06-20").items == 0
    assert not m.Reminder.objects.filter(recipient=other_supervisor).exists()
    assert m.Reminder.objects.filter(item_key=f"contact:{due.pk}").count() == 2

    settings.REMINDER_CONTACT_GRACE_DAYS = 0  # a force's own grace period: the other agreement escalates at once
    m.Contact.objects.filter(next_contact_due=datetime.date(2026, 6, 30)).update(next_contact_due="2026-06-19")
    assert run("contact_due", "2026-06-20").by_kind == {Kind.CONTACT_DUE: 1, Kind.CONTACT_OVERDUE: 1}


@pytest.mark.django_db
def test_a_contact_logged_starts_a_new_period_reminded_again(due, pcso):
    run("contact_due", "2026-06-10")
    with time_machine.travel(at("2026-06-11"), tick=False):
        services.contact_log(contact=due, by=pcso, method="phone", summary="Spoke to her", reached=True)
    due.refresh_from_db()
    assert due.next_contact_due == datetime.date(2026, 6, 18)
    assert run("contact_due", "2026-06-17").items == 0
    run("contact_due", "2026-06-18")
    periods = m.Reminder.objects.filter(item_key=f"contact:{due.pk}").values_list("period_key", flat=True)
    assert sorted(periods) == ["2026-06-10", "2026-06-18"]


@pytest.mark.django_db
def test_an_owner_who_cannot_be_reached_is_replaced_by_the_supervisors(due, pcso, supervisor):
    pcso.is_active = False
    pcso.save()
    run("contact_due", "2026-06-10")
    assert rows(item_key=f"contact:{due.pk}") == {(Kind.CONTACT_DUE, f"user:{supervisor.pk}", "2026-06-10")}


@pytest.mark.django_db
def test_my_work_lists_the_contact_reminder_with_a_link_to_the_problem(client, due, pcso):
    run("contact_due", "2026-06-10")
    client.force_login(pcso)
    body = client.get("/").content.decode()
    assert "Contact with a victim or complainant due" in body and f'href="/problems/{due.problem_id}/"' in body


# --- on the real worker ------------------------------------------------------------------------


@pytest.mark.celery
def test_contact_reminders_on_the_worker_once_per_period_then_escalated(celery_worker, due, pcso, supervisor):
    with time_machine.travel(at("2026-06-10"), tick=True):
        first = jobs.contact_due.delay().get(timeout=TIMEOUT)
        rerun = jobs.contact_due.delay().get(timeout=TIMEOUT)
    assert first["by_kind"] == {"contact_due": 1} and first["digests"] == 1
    assert rerun["items"] == 0 and rerun["digests"] == 0
    assert [e.to for e in mail.outbox] == [[pcso.email]]

    with time_machine.travel(at("2026-06-14"), tick=True):  # 4 days overdue: past the 3-day grace
        escalated = jobs.contact_due.delay().get(timeout=TIMEOUT)
        again = jobs.contact_due.delay().get(timeout=TIMEOUT)
    assert escalated["by_kind"]["contact_overdue"] == 1 and escalated["digests"] == 1  # the supervisor only
    assert again["items"] == again["reminders"] == again["digests"] == 0
    assert [e.to for e in mail.outbox] == [[pcso.email], [supervisor.email]]
    assert mail.outbox[1].subject.startswith("JPS reminder: contact with a victim or complainant overdue")


@pytest.mark.celery
def test_a_due_contact_joins_the_owners_daily_digest_on_the_worker(celery_worker, world):
    contact = f.ContactFactory(
        link=f.ProblemPersonFactory(problem=world.late, person__name="Sharon Doyle"),
        next_contact_due=datetime.date(2026, 6, 2),  # 8 days overdue on the 10th: the supervisor hears too
    )
    with time_machine.travel(at("2026-06-10"), tick=True):
        result = jobs.daily_digest.delay().get(timeout=TIMEOUT)
    assert result["digests"] == 6 and result["sent_items"] == 9 + 2
    assert result["by_kind"]["contact_due"] == result["by_kind"]["contact_overdue"] == 1
    (digest,) = [e for e in mail.outbox if e.to == [world.pcso.email]]
    assert digest.subject == "JPS reminders: 4 items need your attention"
    assert "CONTACT WITH A VICTIM OR COMPLAINANT DUE" in digest.body and "8 days overdue" in digest.body
    (supervisors,) = [e for e in mail.outbox if e.to == [world.supervisor.email]]
    assert "CONTACT WITH A VICTIM OR COMPLAINANT OVERDUE" in supervisors.body
    assert m.Reminder.objects.filter(item_key=f"contact:{contact.pk}").count() == 2
