"""The reminder jobs run in-process: who hears about what, once per due period, in one digest."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import PeriodicTask

from jps import reminders, selectors, services
from jps.models import Evaluation, ProgressUpdate, Reminder
from tests import factories as f
from tests.tasks.conftest import at

pytestmark = pytest.mark.django_db
Kind = Reminder.Kind


def run(job: str, day: str) -> reminders.JobResult:
    with time_machine.travel(at(day), tick=False):
        return reminders.run_job(job)


def sent_to(address: str) -> list:  # type: ignore[type-arg]
    return [message for message in mail.outbox if message.to == [address]]


def kinds_for(key: str) -> set[tuple[str, str]]:
    return set(Reminder.objects.filter(recipient_key=key).values_list("kind", "item_key"))


def test_each_person_gets_one_digest_of_all_their_items(world, settings):
    settings.SITE_URL = "https://jps.example.org"
    result = run("daily_digest", "2026-06-10")

    w = world
    assert kinds_for(f"user:{w.pcso.pk}") == {
        (Kind.REVIEW_OVERDUE, f"problem:{w.late.pk}"),
        (Kind.REVIEW_OVERDUE, f"problem:{w.recent.pk}"),
        (Kind.PUBLIC_UPDATE_DUE, f"problem:{w.public.pk}"),
    }
    assert kinds_for(f"user:{w.supervisor.pk}") == {
        (Kind.REVIEW_OVERDUE, f"problem:{w.late.pk}"),
        (Kind.REVIEW_OVERDUE, f"problem:{w.recent.pk}"),
    }
    assert kinds_for(f"user:{w.inspector.pk}") == {(Kind.REVIEW_ESCALATION, f"problem:{w.late.pk}")}
    assert kinds_for(f"user:{w.partner_user.pk}") == {(Kind.ACTION_DUE_SOON, f"action:{w.action_soon.pk}")}
    assert kinds_for(f"email:{w.housing_contact}") == {(Kind.ACTION_OVERDUE, f"action:{w.action_late.pk}")}
    assert kinds_for(f"user:{w.analyst.pk}") == {(Kind.EVALUATION_WAITING, f"problem:{w.closed.pk}")}
    assert not Reminder.objects.filter(recipient=w.other_supervisor).exists()
    assert not Reminder.objects.filter(problem=w.not_due).exists()

    recipients = sorted(message.to[0] for message in mail.outbox)
    expected = [w.pcso, w.supervisor, w.inspector, w.partner_user, w.analyst]
    assert recipients == sorted([u.email for u in expected] + [w.housing_contact])
    assert result.digests == 6 and result.sent_items == Reminder.objects.count() == 9

    (digest,) = sent_to(w.pcso.email)
    assert digest.subject == "JPS reminders: 3 items need your attention"
    assert digest.from_email == "jps@localhost"
    assert "Supervisory review overdue".upper() in digest.body
    assert f"{w.late.reference} {w.late.title}" in digest.body
    assert "9 days overdue" in digest.body and "5 days overdue" in digest.body
    assert f"https://jps.example.org/problems/{w.public.pk}/" in digest.body
    html, mimetype = digest.alternatives[0]
    assert mimetype == "text/html"
    assert f'<a href="https://jps.example.org/problems/{w.late.pk}/">' in html
    assert "Public update due" in html

    (contact,) = sent_to(w.housing_contact)
    assert contact.subject == f"JPS reminder: action overdue — {w.late.reference}"
    assert "Serve a tenancy warning" in contact.body
    assert f"/problems/{w.late.pk}/#action-{w.action_late.pk}" in contact.body
    assert w.late.description not in contact.body  # internal text never leaves in a reminder


def test_rerun_sends_nothing_twice_and_a_new_period_reminds_again(world, supervisor):
    run("review_overdue", "2026-06-06")
    first = len(mail.outbox)
    assert first == 2  # the owner and the supervisor; the inspector not yet
    again = run("review_overdue", "2026-06-06")
    again_next_day = run("review_overdue", "2026-06-07")
    assert len(mail.outbox) == first
    assert again.digests == again_next_day.digests == 0
    assert Reminder.objects.count() == 4

    with time_machine.travel(at("2026-06-07"), tick=False):
        services.review_record(problem=world.recent, by=supervisor, comment="Keep going", decision="continue")
    world.recent.refresh_from_db()
    lapse = world.recent.next_review_due + datetime.timedelta(days=1)
    run("review_overdue", lapse.isoformat())
    periods = Reminder.objects.filter(problem=world.recent, recipient=world.pcso).values_list("period_key", flat=True)
    assert sorted(periods) == ["2026-06-05", world.recent.next_review_due.isoformat()]


def test_escalation_waits_for_the_grace_period_then_goes_to_the_inspector(world, settings):
    run("review_overdue", "2026-06-08")  # 7 days overdue: within the grace period
    assert not Reminder.objects.filter(kind=Kind.REVIEW_ESCALATION).exists()
    run("review_overdue", "2026-06-09")  # 8 days
    (escalation,) = Reminder.objects.filter(kind=Kind.REVIEW_ESCALATION)
    assert escalation.recipient == world.inspector and escalation.problem == world.late
    assert sent_to(world.inspector.email)[0].subject.startswith("JPS reminder: overdue review escalated")

    settings.REMINDER_ESCALATION_GRACE_DAYS = 2
    run("review_overdue", "2026-06-09")
    assert set(Reminder.objects.filter(kind=Kind.REVIEW_ESCALATION).values_list("problem", flat=True)) == {
        world.late.pk,
        world.recent.pk,
    }


def test_without_an_inspector_escalation_goes_to_the_district_address(world):
    world.district.inspector = None
    world.district.escalation_email = "Canterbury.Inspectors@kent.example"
    world.district.save()
    run("review_overdue", "2026-06-10")
    (escalation,) = Reminder.objects.filter(kind=Kind.REVIEW_ESCALATION)
    assert escalation.recipient is None and escalation.recipient_key == "email:canterbury.inspectors@kent.example"
    assert len(sent_to("canterbury.inspectors@kent.example")) == 1


def test_action_reminders_reach_the_person_then_the_agency_then_its_partners_then_the_owner(world, housing):
    run("action_due", "2026-06-10")
    assert {r.recipient_key for r in world.action_late.reminders.all()} == {f"email:{world.housing_contact}"}
    run("action_due", "2026-06-11")
    assert world.action_late.reminders.count() == 1  # once per due date

    housing.contact_email = ""
    housing.save()
    housing_partner = f.UserFactory(username="orbit", role="partner", agency=housing)
    f.UserFactory(username="orbit_gone", role="partner", agency=housing, is_active=False)
    world.action_late.due_on = datetime.date(2026, 6, 14)
    world.action_late.save()
    run("action_due", "2026-06-13")  # a new due date is a new period: due soon, to the agency's partner users
    (reminder,) = Reminder.objects.filter(action=world.action_late, period_key="2026-06-14")
    assert reminder.recipient == housing_partner and reminder.kind == Kind.ACTION_DUE_SOON

    housing_partner.delete()
    world.action_late.due_on = datetime.date(2026, 6, 20)
    world.action_late.save()
    run("action_due", "2026-06-21")  # nobody at the agency: the problem's owner
    (reminder,) = Reminder.objects.filter(action=world.action_late, period_key="2026-06-20")
    assert reminder.recipient == world.pcso and reminder.kind == Kind.ACTION_OVERDUE


def test_an_approved_public_update_in_the_last_month_stops_the_prompt(world, web_editor):
    update = ProgressUpdate.objects.create(
        problem=world.public, author=world.pcso, text="Patrols increased", status=ProgressUpdate.Status.APPROVED
    )
    update.decided_at = at("2026-05-20")
    update.save()
    run("public_update_due", "2026-06-10")
    assert not Reminder.objects.filter(kind=Kind.PUBLIC_UPDATE_DUE).exists()
    run("public_update_due", "2026-06-20")  # 31 days since the last update
    run("public_update_due", "2026-06-25")
    run("public_update_due", "2026-07-20")  # and a month later, again
    periods = Reminder.objects.filter(kind=Kind.PUBLIC_UPDATE_DUE).values_list("period_key", flat=True)
    assert sorted(periods) == ["2026-06-19", "2026-07-19"]
    assert len(sent_to(world.pcso.email)) == 2


def test_evaluated_problems_and_other_forces_analysts_are_left_alone(world, analyst):
    other_force = f.ForceFactory(code="SXP", name="Sussex Police", slug="sussex")
    f.UserFactory(role="analyst", agency=f.AgencyFactory(name="Sussex Police", kind="police", force=other_force))
    run("evaluation_waiting", "2026-05-10")  # closed 9 days ago: not yet
    assert not Reminder.objects.exists()
    run("evaluation_waiting", "2026-05-20")
    assert list(Reminder.objects.values_list("recipient", flat=True)) == [analyst.pk]
    Reminder.objects.all().delete()
    Evaluation.objects.create(problem=world.closed, analyst=analyst, rating="green", learning="Lighting works")
    run("evaluation_waiting", "2026-05-21")
    assert not Reminder.objects.exists()


def test_collecting_does_not_grow_queries_with_the_number_of_items(world, pcso, neighbourhood, category):
    def collect_queries() -> int:
        Reminder.objects.all().delete()
        with time_machine.travel(at("2026-06-10"), tick=False), CaptureQueriesContext(connection) as queries:
            reminders.collect(
                "review_overdue",
                now=at("2026-06-10"),
                result=reminders.JobResult("x"),
                progress=reminders.NoProgress(),
            )
        return len(queries)

    few = collect_queries()
    for _ in range(40):
        f.ProblemFactory(
            owner=pcso, neighbourhood=neighbourhood, category=category, next_review_due=datetime.date(2026, 6, 2)
        )
    many = collect_queries()
    # SQLite caps the parameters of one INSERT, so its batches are smaller; the reads never grow.
    assert many <= few + (2 if connection.vendor == "sqlite" else 0)
    assert Reminder.objects.filter(kind=Kind.REVIEW_OVERDUE).count() == 2 * 42


def test_a_claim_held_by_a_live_worker_is_left_alone_and_a_dead_ones_is_taken_over(world):
    with time_machine.travel(at("2026-06-10"), tick=False):
        for name in reminders.COLLECTORS:
            reminders.collect(
                name, now=at("2026-06-10"), result=reminders.JobResult(name), progress=reminders.NoProgress()
            )
        # Another worker claimed the PCSO's reminders a minute ago, and is sending them.
        a_minute_ago = at("2026-06-10") - datetime.timedelta(minutes=1)
        Reminder.objects.filter(recipient=world.pcso).update(claim_token="other", claimed_at=a_minute_ago)
        reminders.run_job("deliver_pending")
    assert not sent_to(world.pcso.email)
    assert len(mail.outbox) == 5

    # That worker died: an hour later its claim is stale and the next run sends them.
    with time_machine.travel(at("2026-06-10", 8), tick=False):
        result = reminders.run_job("deliver_pending")
    assert result.digests == 1 and len(sent_to(world.pcso.email)) == 1
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()


def test_a_failed_send_is_released_and_retried_on_the_next_run(world, settings):
    settings.EMAIL_BACKEND = "tests.tasks.conftest.FailingEmailBackend"
    result = run("daily_digest", "2026-06-10")
    assert result.digests == 0 and result.failed == 9
    assert set(Reminder.objects.values_list("attempts", "claim_token", "sent_at")) == {(1, "", None)}
    assert "451" in Reminder.objects.first().last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    result = run("deliver_pending", "2026-06-10")
    assert result.digests == 6 and len(mail.outbox) == 6


def test_reminders_for_shows_a_user_their_own_reminders_on_problems_they_can_see(world, other_neighbourhood):
    run("daily_digest", "2026-06-10")
    mine = selectors.reminders_for(world.pcso)
    assert {r.problem for r in mine} == {world.late, world.recent, world.public}
    assert mine[0].item_path == f"/problems/{mine[0].problem_id}/"
    # Castle held no PACT meeting: the standard, and (May missed) the Pledge's "why not"
    assert {r.kind for r in selectors.reminders_for(world.other_supervisor)} == {
        Kind.MEETING_STANDARD,
        Kind.PLEDGE_EXPLANATION_DUE,
    }
    # The problem moves to another district: the old district's supervisor no longer sees its reminders.
    world.recent.district = other_neighbourhood.district
    world.recent.neighbourhood = other_neighbourhood
    world.recent.save()
    assert {r.problem for r in selectors.reminders_for(world.supervisor)} == {world.late}

    from django.template.loader import render_to_string

    html = render_to_string("jps/reminders/_list.html", {"reminders": selectors.reminders_for(world.pcso)})
    assert world.public.reference in html and "Public update due" in html


def test_run_job_command(world, capsys):
    call_command("run_job", "daily_digest", "--now", "2026-06-10T07:00", "--progress")
    out, err = capsys.readouterr()
    assert "daily_digest: 6 item(s) due" in out and "6 digest(s) sent with 9 item(s)" in out
    assert "review overdue" in err  # the progress bar
    call_command("run_job", "daily_digest", "--now", "2026-06-10")
    assert "0 digest(s) sent" in capsys.readouterr()[0]
    with pytest.raises(CommandError, match="not an ISO date"):
        call_command("run_job", "daily_digest", "--now", "next tuesday")
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("run_job", "everything")


def test_schedule_is_installed_once_and_admin_changes_survive():
    call_command("setup_schedule")
    daily = PeriodicTask.objects.get(task="reminders.daily_digest")
    assert (daily.crontab.hour, daily.crontab.minute, str(daily.crontab.timezone)) == ("7", "0", "Europe/London")
    daily.enabled = False
    daily.save()
    call_command("migrate", verbosity=0)  # post_migrate installs it: nothing duplicated, the edit kept
    call_command("setup_schedule")
    assert PeriodicTask.objects.filter(task__startswith="reminders.").count() == 2
    assert not PeriodicTask.objects.get(pk=daily.pk).enabled
    call_command("setup_schedule", "--reset")
    assert PeriodicTask.objects.get(pk=daily.pk).enabled


def test_my_work_page_lists_the_users_reminders(world, client):
    run("daily_digest", "2026-06-10")
    client.force_login(world.pcso)
    page = client.get("/").content.decode()
    assert "Your reminders" in page
    for problem in (world.late, world.recent, world.public):
        assert f'href="/problems/{problem.pk}/"' in page
    assert world.closed.reference not in page  # the analyst's reminder, not the officer's


def test_a_neighbourhood_missing_the_meeting_standard_reminds_its_supervisors_monthly(
    world, other_neighbourhood, other_supervisor
):
    """Monthly PACT meetings: no meeting held in the last month, or none booked, is in the digest."""
    run("daily_digest", "2026-06-10")
    key = f"neighbourhood:{other_neighbourhood.pk}"
    assert kinds_for(f"user:{other_supervisor.pk}") == {
        (Kind.MEETING_STANDARD, key),
        (Kind.PLEDGE_EXPLANATION_DUE, key),  # May's meeting missed: the Pledge page waits for the "why not"
    }
    assert not Reminder.objects.filter(recipient=world.supervisor, kind=Kind.MEETING_STANDARD).exists()  # ward meets it
    [message] = sent_to(other_supervisor.email)
    assert "PACT MEETING STANDARD NOT MET" in message.body and other_neighbourhood.display_name in message.body
    assert "no meeting held yet; none booked" in message.body
    assert sorted(r.item_path for r in selectors.reminders_for(other_supervisor)) == ["/meetings/", "/pledge/"]

    standard = Reminder.objects.filter(item_key=key, kind=Kind.MEETING_STANDARD)
    run("daily_digest", "2026-06-20")  # same month: not again
    assert standard.count() == 1
    run("daily_digest", "2026-07-02")  # a new month: reminded again
    assert standard.count() == 2
