"""A district with something due of every kind, and the real-worker fixtures."""

from __future__ import annotations

import datetime
import threading
import time
import zoneinfo
from dataclasses import dataclass
from smtplib import SMTPException

import pytest
from django.core.mail.backends import locmem

from jps import models as m
from tests import factories as f
from tests.celery_fixtures import celery_worker, celery_worker_concurrent, closed_broker  # noqa: F401

LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(day: str, hour: int = 7) -> datetime.datetime:
    """A London time on a day of the scenario, e.g. ``at("2026-06-10")``."""
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour), tzinfo=LONDON)


@dataclass
class World:
    pcso: m.User
    supervisor: m.User
    other_supervisor: m.User
    inspector: m.User
    partner_user: m.User
    analyst: m.User
    district: m.District
    late: m.Problem  # review due 1 June: escalates from 9 June
    recent: m.Problem  # review due 5 June
    not_due: m.Problem  # review due 1 July
    public: m.Problem  # public priority adopted 1 April, no public update
    closed: m.Problem  # closed 1 May, not evaluated
    action_soon: m.Action  # council, assigned to partner_user, due 12 June
    action_late: m.Action  # housing, nobody named, due 1 June

    housing_contact = "asb-team@orbit.example"


@pytest.fixture
def world(
    pcso, supervisor, other_supervisor, partner_user, analyst, district, neighbourhood, council, housing, category
) -> World:  # type: ignore[no-untyped-def]
    inspector = f.UserFactory(username="inspector", role=m.User.Role.SUPERVISOR, agency=pcso.agency)
    district.inspector = inspector
    district.save()
    housing.contact_email = World.housing_contact
    housing.save()

    def problem(title: str, due: str | None, **extra) -> m.Problem:  # type: ignore[no-untyped-def]
        return f.ProblemFactory(
            title=title,
            owner=pcso,
            neighbourhood=neighbourhood,
            category=category,
            next_review_due=datetime.date.fromisoformat(due) if due else None,
            **extra,
        )

    late = problem("Drug dealing in the Dane John Gardens", "2026-06-01", stage=m.Stage.RESPONSE)
    recent = problem("Speeding on Military Road", "2026-06-05")
    not_due = problem("Graffiti on the underpass", "2026-07-01")
    public = problem(
        "Youths gathering at Northgate parade", "2026-08-01", public_priority=True, adopted_on=datetime.date(2026, 4, 1)
    )
    closed = problem("Off-road bikes on the river path", None, stage=m.Stage.CLOSED, closed_at=at("2026-05-01", 12))
    action_soon = m.Action.objects.create(
        problem=late,
        action_type=m.Action.Type.PREVENTION,
        description="Cut back the shrubs by the bandstand",
        agency=council,
        assignee=partner_user,
        due_on=datetime.date(2026, 6, 12),
        created_by=pcso,
    )
    action_late = m.Action.objects.create(
        problem=late,
        action_type=m.Action.Type.ENFORCEMENT,
        description="Serve a tenancy warning on the flat used for dealing",
        agency=housing,
        due_on=datetime.date(2026, 6, 1),
        created_by=pcso,
    )
    # Done and future actions are not reminded.
    m.Action.objects.create(
        problem=late,
        action_type=m.Action.Type.INTELLIGENCE,
        description="Done already",
        agency=council,
        assignee=partner_user,
        due_on=datetime.date(2026, 5, 1),
        status=m.Action.Status.DONE,
        result="Done",
        created_by=pcso,
    )
    # The ward meets the PACT meeting standard throughout the scenario (so only the items above are due):
    # held every four weeks from March, and booked through the summer.
    for day in ["2026-03-18", "2026-04-15", "2026-05-13", "2026-06-03", "2026-07-01", "2026-07-29"]:
        meeting = m.Meeting.objects.create(
            title="Ward PACT meeting",
            force=district.force,
            starts_at=at(day, 19),
            status=m.Meeting.Status.HELD if day < "2026-06-10" else m.Meeting.Status.SCHEDULED,
            created_by=pcso,
        )
        meeting.neighbourhoods.add(neighbourhood)
    # The public priority had no update in May, a miss of the Pledge: explained already, so it is not reminded.
    m.PledgeExplanation.objects.create(
        neighbourhood=neighbourhood, commitment="priority_updates", month=datetime.date(2026, 5, 1),
        text="Explained.", recorded_by=supervisor,
    )  # fmt: skip
    return World(
        pcso=pcso,
        supervisor=supervisor,
        other_supervisor=other_supervisor,
        inspector=inspector,
        partner_user=partner_user,
        analyst=analyst,
        district=district,
        late=late,
        recent=recent,
        not_due=not_due,
        public=public,
        closed=closed,
        action_soon=action_soon,
        action_late=action_late,
    )


#: (thread name, recipient) for each email the slow backend sent.
SENT_BY: list[tuple[str, str]] = []


class SlowEmailBackend(locmem.EmailBackend):
    """locmem, but each send takes a while: two workers delivering at once really overlap."""

    delay = 0.25

    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        time.sleep(self.delay)
        SENT_BY.extend((threading.current_thread().name, message.to[0]) for message in messages)
        return super().send_messages(messages)


class FailingEmailBackend(locmem.EmailBackend):
    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        raise SMTPException("451 mail server unavailable")
