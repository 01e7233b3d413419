"""Escalation that reaches someone: review tiers by risk, partner actions past the grace period, and a
supervisor's "escalate" decision — each to the right person, once per period."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from html import escape

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jps import models as m
from jps import reminders, selectors, services
from jps.models.tiers import DEFAULT_REVIEW_TIERS, review_tiers_for
from tests import factories as f
from tests.tasks.conftest import World, at

pytestmark = pytest.mark.django_db
Kind = m.Reminder.Kind


def run(job: str, day: str) -> reminders.JobResult:
    with time_machine.travel(at(day), tick=False):
        return reminders.run_job(job)


def sent_to(address: str) -> list:  # type: ignore[type-arg]
    return [message for message in mail.outbox if message.to == [address]]


def tier_reminders(kind: str, problem: m.Problem) -> list[tuple[str, str]]:
    rows = m.Reminder.objects.filter(kind=kind, problem=problem).order_by("period_key")
    return list(rows.values_list("recipient_key", "period_key"))


def review(problem: m.Problem, by: m.User, day: str, decision: str = "continue", **extra) -> m.SupervisoryReview:  # type: ignore[no-untyped-def]
    with time_machine.travel(at(day, 10), tick=False):
        return services.review_record(problem=problem, by=by, comment="Reviewed", decision=decision, **extra)


@dataclass
class Tiers:
    world: World
    inspector: m.User
    chief: m.User
    high: m.Problem  # logged 1 March: the inspector's review due 29 March, the chief inspector's 26 April
    medium: m.Problem  # logged 1 March: the inspector's review due 26 April; no chief inspector's tier


@pytest.fixture
def tiers(world, police) -> Tiers:  # type: ignore[no-untyped-def]
    """The reminder world, with the district's inspector and chief inspector covering it (so they may review)."""
    world.inspector.districts.add(world.district)
    chief = f.UserFactory(username="chief", role=m.User.Role.SUPERVISOR, agency=police, districts=[world.district])
    world.district.chief_inspector = chief
    world.district.save()

    def logged(title: str, risk: str) -> m.Problem:
        return f.ProblemFactory(
            title=title,
            risk=risk,
            owner=world.pcso,
            neighbourhood=world.late.neighbourhood,
            category=world.late.category,
            created_at=at("2026-03-01", 9),
            next_review_due=datetime.date(2026, 12, 31),  # the sergeant's clock is another test's
        )

    high = logged("Harassment of a disabled resident on Kingsmead", m.Risk.HIGH)
    medium = logged("Noise from a flat on Station Road", m.Risk.MEDIUM)
    return Tiers(world=world, inspector=world.inspector, chief=chief, high=high, medium=medium)


# --- cadences: a force's settings, else the national default --------------------------------------


def test_a_force_without_settings_follows_the_national_default(force, pcso, neighbourhood, category):
    assert review_tiers_for(force.pk) == DEFAULT_REVIEW_TIERS
    assert DEFAULT_REVIEW_TIERS[(m.Risk.HIGH, m.Tier.INSPECTOR)] == 28
    assert DEFAULT_REVIEW_TIERS[(m.Risk.HIGH, m.Tier.CHIEF_INSPECTOR)] == 56
    assert DEFAULT_REVIEW_TIERS[(m.Risk.MEDIUM, m.Tier.INSPECTOR)] == 56
    problem = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category, risk=m.Risk.HIGH)
    assert problem.review_interval_for_risk == 14


def test_the_sergeants_cadence_drives_the_review_clock_from_the_forces_settings(force, pcso, neighbourhood, category):
    f.ReviewTierFactory(force=force, risk=m.Risk.HIGH, tier=m.Tier.SERGEANT, every_days=7)
    f.ReviewTierFactory(force=force, risk=m.Risk.HIGH, tier=m.Tier.INSPECTOR, every_days=21)
    assert review_tiers_for(force.pk) == {("high", "sergeant"): 7, ("high", "inspector"): 21}
    problem = services.problem_create(
        by=pcso,
        neighbourhood=neighbourhood,
        category=category,
        source=m.Source.COMMUNITY_CONTACT,
        originator="A resident",
        title="Threats to a neighbour",
        description="Repeated threats.",
        risk=m.Risk.HIGH,
    )
    assert problem.review_interval_days == 7
    assert problem.next_review_due == timezone.localdate() + datetime.timedelta(days=7)
    services.problem_update(problem=problem, by=pcso, risk=m.Risk.MEDIUM)
    assert problem.review_interval_days == 28  # no sergeant row for medium: the national default


# --- the inspector's and chief inspector's tiers ----------------------------------------------------


def test_the_inspector_hears_once_per_period_when_the_tier_falls_due_and_not_before(tiers):
    inspector_key = f"user:{tiers.inspector.pk}"
    run("review_tier_inspector", "2026-03-28")
    assert tier_reminders(Kind.REVIEW_TIER_INSPECTOR, tiers.high) == []
    run("review_tier_inspector", "2026-03-29")  # 28 days since it was logged, no inspector's review
    run("review_tier_inspector", "2026-03-29")
    run("review_tier_inspector", "2026-04-10")
    assert tier_reminders(Kind.REVIEW_TIER_INSPECTOR, tiers.high) == [(inspector_key, "2026-03-29")]
    (message,) = sent_to(tiers.inspector.email)
    assert message.subject == f"JPS reminder: inspector's review due — {tiers.high.reference}"
    assert "High risk: every 28 days; none since 01 March 2026" in message.body

    run("review_tier_inspector", "2026-04-26")  # still none: the next period
    assert tier_reminders(Kind.REVIEW_TIER_INSPECTOR, tiers.high) == [
        (inspector_key, "2026-03-29"),
        (inspector_key, "2026-04-26"),
    ]
    # The medium-risk problem's inspector is due every 56 days: 26 April, the same day.
    assert tier_reminders(Kind.REVIEW_TIER_INSPECTOR, tiers.medium) == [(inspector_key, "2026-04-26")]
    assert not m.Reminder.objects.filter(recipient=tiers.chief).exists()  # another tier, another job


def test_the_chief_inspector_hears_of_high_risk_only_after_56_days(tiers):
    run("review_tier_chief", "2026-04-25")
    assert not m.Reminder.objects.filter(kind=Kind.REVIEW_TIER_CHIEF).exists()
    run("daily_digest", "2026-04-26")
    assert tier_reminders(Kind.REVIEW_TIER_CHIEF, tiers.high) == [(f"user:{tiers.chief.pk}", "2026-04-26")]
    assert tier_reminders(Kind.REVIEW_TIER_CHIEF, tiers.medium) == []  # medium risk has no chief inspector's tier
    (digest,) = sent_to(tiers.chief.email)
    assert "CHIEF INSPECTOR'S REVIEW DUE" in digest.body and tiers.high.reference in digest.body


def test_a_review_by_the_inspector_satisfies_the_inspector_tier_and_a_sergeants_does_not(tiers, supervisor):
    sergeants = review(tiers.high, supervisor, "2026-03-20")
    inspectors = review(tiers.medium, tiers.inspector, "2026-03-20")
    assert (sergeants.tier, inspectors.tier) == (m.Tier.SERGEANT, m.Tier.INSPECTOR)
    review(tiers.high, tiers.inspector, "2026-03-25")
    run("review_tier_inspector", "2026-04-21")
    assert tier_reminders(Kind.REVIEW_TIER_INSPECTOR, tiers.high) == []  # 27 days since the inspector's review
    run("review_tier_inspector", "2026-04-22")
    assert tier_reminders(Kind.REVIEW_TIER_INSPECTOR, tiers.high) == [(f"user:{tiers.inspector.pk}", "2026-04-22")]
    run("review_tier_inspector", "2026-05-15")  # medium: 56 days from the inspector's review on 20 March
    assert tier_reminders(Kind.REVIEW_TIER_INSPECTOR, tiers.medium) == [(f"user:{tiers.inspector.pk}", "2026-05-15")]


def test_a_chief_inspectors_review_counts_for_the_inspector_tier_too(tiers):
    assert review(tiers.high, tiers.chief, "2026-03-27").tier == m.Tier.CHIEF_INSPECTOR
    run("daily_digest", "2026-04-20")
    assert not m.Reminder.objects.filter(kind__in=[Kind.REVIEW_TIER_INSPECTOR, Kind.REVIEW_TIER_CHIEF]).exists()


def test_raising_the_risk_starts_the_higher_tiers_afresh(tiers):
    with time_machine.travel(at("2026-04-01", 10), tick=False):
        services.problem_update(problem=tiers.world.not_due, by=tiers.world.pcso, risk=m.Risk.HIGH)
    raised = m.Problem.objects.get(pk=tiers.world.not_due.pk)
    assert raised.risk_raised_at == at("2026-04-01", 10)
    m.Problem.objects.filter(pk=raised.pk).update(created_at=at("2025-01-01"))  # logged long ago
    run("review_tier_inspector", "2026-04-28")
    assert tier_reminders(Kind.REVIEW_TIER_INSPECTOR, raised) == []
    run("review_tier_inspector", "2026-04-29")
    assert tier_reminders(Kind.REVIEW_TIER_INSPECTOR, raised) == [(f"user:{tiers.inspector.pk}", "2026-04-29")]
    with time_machine.travel(at("2026-05-01", 10), tick=False):  # lowering the risk leaves the clock alone
        services.problem_update(problem=raised, by=tiers.world.pcso, risk=m.Risk.MEDIUM)
    assert m.Problem.objects.get(pk=raised.pk).risk_raised_at == at("2026-04-01", 10)


def test_each_force_follows_its_own_cadences_in_the_same_run(tiers, category):
    force = tiers.world.district.force
    f.ReviewTierFactory(force=force, risk=m.Risk.HIGH, tier=m.Tier.SERGEANT, every_days=7)
    f.ReviewTierFactory(force=force, risk=m.Risk.HIGH, tier=m.Tier.INSPECTOR, every_days=10)
    sussex = f.ForceFactory(code="SXP", name="Sussex Police", slug="sussex")
    brighton = f.DistrictFactory(force=sussex, name="Brighton", escalation_email="brighton.insp@sussex.example")
    theirs = f.ProblemFactory(
        risk=m.Risk.HIGH,
        neighbourhood=f.NeighbourhoodFactory(district=brighton),
        category=category,
        created_at=at("2026-03-01", 9),
    )
    run("daily_digest", "2026-03-11")  # Kent's high-risk inspector's tier: every 10 days
    assert tier_reminders(Kind.REVIEW_TIER_INSPECTOR, tiers.high) == [(f"user:{tiers.inspector.pk}", "2026-03-11")]
    assert tier_reminders(Kind.REVIEW_TIER_INSPECTOR, theirs) == []
    run("daily_digest", "2026-03-29")  # Sussex has no settings: the default 28 days, to its address
    assert tier_reminders(Kind.REVIEW_TIER_INSPECTOR, theirs) == [("email:brighton.insp@sussex.example", "2026-03-29")]
    run("daily_digest", "2026-06-01")  # Kent's rows name no chief inspector's tier: it has none
    assert tier_reminders(Kind.REVIEW_TIER_CHIEF, tiers.high) == []
    assert tier_reminders(Kind.REVIEW_TIER_CHIEF, theirs) == [("email:brighton.insp@sussex.example", "2026-04-26")]


def test_with_nobody_named_the_tiers_go_to_the_districts_escalation_address(tiers):
    district = tiers.world.district
    district.inspector, district.chief_inspector = None, None
    district.escalation_email = "Canterbury.Inspectors@kent.example"
    district.save()
    run("daily_digest", "2026-04-26")
    address = "email:canterbury.inspectors@kent.example"
    assert tier_reminders(Kind.REVIEW_TIER_INSPECTOR, tiers.high) == [(address, "2026-04-26")]
    assert tier_reminders(Kind.REVIEW_TIER_CHIEF, tiers.high) == [(address, "2026-04-26")]
    (digest,) = sent_to("canterbury.inspectors@kent.example")
    assert "INSPECTOR'S REVIEW DUE" in digest.body and "CHIEF INSPECTOR'S REVIEW DUE" in digest.body


def test_closed_problems_are_not_reminded(tiers):
    m.Problem.objects.filter(pk=tiers.high.pk).update(stage=m.Stage.CLOSED)
    run("daily_digest", "2026-04-26")
    assert not m.Reminder.objects.filter(problem=tiers.high).exists()


def test_a_tier_collects_in_the_same_few_queries_however_many_problems_are_due(tiers):
    def collect_queries() -> int:
        m.Reminder.objects.all().delete()
        with time_machine.travel(at("2026-04-26"), tick=False), CaptureQueriesContext(connection) as queries:
            reminders.collect(
                "review_tier_inspector",
                now=at("2026-04-26"),
                result=reminders.JobResult("x"),
                progress=reminders.NoProgress(),
            )
        return len(queries)

    few = collect_queries()
    for _ in range(30):
        where = tiers.high.neighbourhood
        f.ProblemFactory(risk=m.Risk.HIGH, owner=tiers.world.pcso, neighbourhood=where, created_at=at("2026-03-01"))
    many = collect_queries()
    assert many <= few + (2 if connection.vendor == "sqlite" else 0)
    assert m.Reminder.objects.filter(kind=Kind.REVIEW_TIER_INSPECTOR).count() == 32


# --- partner actions past the grace period ------------------------------------------------------


def test_an_overdue_partner_action_escalates_to_its_agencys_manager_after_the_grace_period_once(world, housing):
    manager = f.UserFactory(username="orbit_manager", role=m.User.Role.PARTNER, agency=housing)
    housing.manager = manager
    housing.save()
    run("action_escalation", "2026-06-15")  # due 1 June: 14 days overdue is within the grace
    assert not m.Reminder.objects.filter(kind=Kind.ACTION_ESCALATION).exists()
    run("daily_digest", "2026-06-16")
    run("daily_digest", "2026-06-17")
    (escalation,) = m.Reminder.objects.filter(kind=Kind.ACTION_ESCALATION)
    assert (escalation.recipient, escalation.action) == (manager, world.action_late)
    assert escalation.period_key == "2026-06-01"  # the action's due date: once per due date
    assert escalation.note == "15 days overdue (Orbit Housing)"
    (digest,) = sent_to(manager.email)
    assert digest.subject == f"JPS reminder: overdue action escalated — {world.late.reference}"
    assert "Serve a tenancy warning" in digest.body and world.late.description not in digest.body


def test_action_escalation_falls_back_to_the_contact_address_then_the_districts_supervisors(world, housing, police):
    police_action = m.Action.objects.create(
        problem=world.late,
        action_type=m.Action.Type.ENFORCEMENT,
        description="Warrant",
        agency=police,
        due_on=datetime.date(2026, 5, 1),
        created_by=world.pcso,
    )
    run("action_escalation", "2026-06-16")
    assert set(m.Reminder.objects.filter(kind=Kind.ACTION_ESCALATION).values_list("action", "recipient_key")) == {
        (world.action_late.pk, f"email:{world.housing_contact}"),
    }  # the police action is the review's to chase, not an agency manager's
    assert not police_action.reminders.exists()

    housing.contact_email = ""
    housing.save()
    world.action_late.due_on = datetime.date(2026, 6, 2)  # a new due date: a new period
    world.action_late.save()
    run("action_escalation", "2026-06-17")
    latest = m.Reminder.objects.filter(kind=Kind.ACTION_ESCALATION, period_key="2026-06-02")
    assert {r.recipient for r in latest} == {world.supervisor}


# --- a supervisor's "escalate" -------------------------------------------------------------------


def test_escalate_tells_the_district_inspector_the_reason_once(tiers, supervisor, client):
    reason = "Victim now fears for her safety; needs an inspector's decision on a closure order."
    decision = review(tiers.high, supervisor, "2026-04-02", decision="escalate", reason=reason)
    (told,) = m.Reminder.objects.filter(kind=Kind.REVIEW_ESCALATED_BY_SUPERVISOR)
    assert told.recipient == tiers.inspector and told.item_key == f"review:{decision.pk}"
    assert told.note == f"{supervisor}: {reason}"
    assert m.Problem.objects.get(pk=tiers.high.pk).escalated_at is not None

    run("deliver_pending", "2026-04-02")
    run("deliver_pending", "2026-04-03")
    (message,) = sent_to(tiers.inspector.email)
    assert message.subject == f"JPS reminder: escalated to you by a supervisor — {tiers.high.reference}"
    assert reason in message.body
    assert [e.pk for e in selectors.escalations_awaiting(tiers.inspector)] == [told.pk]

    client.force_login(tiers.inspector)
    page = client.get("/").content.decode()
    assert "Escalated to you, waiting for your review" in page and escape(reason) in page
    review(tiers.high, tiers.inspector, "2026-04-03")
    assert list(selectors.escalations_awaiting(tiers.inspector)) == []
    assert "waiting for your review" not in client.get("/").content.decode()  # still in "Your reminders"


def test_an_inspectors_escalation_goes_to_the_chief_inspector_and_without_one_to_the_address(tiers):
    review(tiers.high, tiers.inspector, "2026-04-02", decision="escalate")
    assert m.Reminder.objects.get(kind=Kind.REVIEW_ESCALATED_BY_SUPERVISOR).recipient == tiers.chief

    district = tiers.world.district
    district.inspector = None
    district.escalation_email = "canterbury.inspectors@kent.example"
    district.save()
    review(tiers.medium, tiers.world.supervisor, "2026-04-02", decision="escalate")
    latest = m.Reminder.objects.filter(kind=Kind.REVIEW_ESCALATED_BY_SUPERVISOR, problem=tiers.medium).get()
    assert latest.recipient is None and latest.recipient_key == "email:canterbury.inspectors@kent.example"


def test_a_continue_decision_tells_nobody(tiers, supervisor):
    review(tiers.high, supervisor, "2026-04-02")
    assert not m.Reminder.objects.filter(kind=Kind.REVIEW_ESCALATED_BY_SUPERVISOR).exists()


def test_an_administrator_keeps_a_forces_tiers_in_the_admin_with_their_history(admin_client, force):
    page = admin_client.get("/admin/jps/reviewtier/").content.decode()
    assert "National default, for forces with no rows" in page and "High: chief inspector every 56" in page
    added = admin_client.post(
        "/admin/jps/reviewtier/add/", {"force": force.pk, "risk": "high", "tier": "inspector", "every_days": 21}
    )
    assert added.status_code == 302
    tier = m.ReviewTier.objects.get()
    assert review_tiers_for(force.pk) == {("high", "inspector"): 21} and tier.history.count() == 1
    assert admin_client.get(f"/admin/jps/reviewtier/{tier.pk}/history/").status_code == 200
    refused = admin_client.post(
        "/admin/jps/reviewtier/add/", {"force": force.pk, "risk": "high", "tier": "inspector", "every_days": 0}
    )
    assert refused.status_code == 200 and m.ReviewTier.objects.count() == 1
    assert "Review tiers" in admin_client.get(f"/admin/jps/force/{force.pk}/change/").content.decode()


def test_the_client_cannot_say_which_tier_it_reviewed_at(tiers, supervisor):
    from tests.api.conftest import client_for

    sent = {"problem": tiers.high.pk, "comment": "Checked", "decision": "continue"}
    refused = client_for(supervisor).post("/api/reviews/", {**sent, "tier": "chief_inspector"}, format="json")
    assert refused.status_code == 400 and "tier" in refused.json()
    recorded = client_for(supervisor).post("/api/reviews/", sent, format="json")
    assert recorded.status_code == 201 and recorded.json()["tier"] == "sergeant"
    by_inspector = client_for(tiers.inspector).post("/api/reviews/", sent, format="json")
    assert by_inspector.json()["tier"] == "inspector"
