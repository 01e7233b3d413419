"""The dashboard's "contacts made on time" by district, and its CSV, against hand-counted contacts."""

from __future__ import annotations

import csv
import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from jps import models as m
from jps.insight import figures as mi
from jps.insight.contact_figures import contacts_on_time_by_district
from tests import factories as f
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")
TODAY = datetime.datetime(2026, 6, 10, 9, tzinfo=LONDON)  # the period: 12 March to 9 June 2026


def read_csv(response):  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(response.content.decode())))


def when(day: str, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour, minute), tzinfo=LONDON)


@pytest.fixture
def contacts(pcso, other_officer, neighbourhood, other_neighbourhood, category):  # type: ignore[no-untyped-def]
    """Hand-counted. Canterbury: 5 fell due (2 on time, 1 late, 2 not made); Dover: 1 (on time)."""

    def agreement(area, owner, due: str | None, **problem) -> m.Contact:  # type: ignore[no-untyped-def]
        p = f.ProblemFactory(owner=owner, neighbourhood=area, category=category, **problem)
        next_due = datetime.date.fromisoformat(due) if due else None
        return f.ContactFactory(link=f.ProblemPersonFactory(problem=p), next_contact_due=next_due)

    def log(contact: m.Contact, due: str | None, at: datetime.datetime, reached: bool = True) -> None:
        f.ContactLogFactory(
            contact=contact, due_on=datetime.date.fromisoformat(due) if due else None, contacted_at=at, reached=reached
        )

    weekly = agreement(neighbourhood, pcso, "2026-06-15")
    log(weekly, "2026-06-01", when("2026-05-30"))  # early: on time
    log(weekly, "2026-05-25", when("2026-05-25", 23, 30))  # late evening of the day: on time
    log(weekly, "2026-06-08", when("2026-06-09", 0, 30))  # half past midnight the day after (UTC still the 8th): late
    log(weekly, None, when("2026-06-07"), reached=False)  # an attempt answers no date
    log(weekly, "2026-06-10", when("2026-06-10", 8))  # due today: not in the period yet
    log(weekly, "2026-03-01", when("2026-03-01"))  # before the period
    agreement(neighbourhood, pcso, "2026-06-05")  # not made, problem open
    agreement(neighbourhood, pcso, "2026-06-10")  # due today: not yet missed
    agreement(neighbourhood, pcso, "2026-06-05", stage=m.Stage.CLOSED, closed_at=when("2026-06-03"))  # closed first
    agreement(neighbourhood, pcso, "2026-06-05", stage=m.Stage.CLOSED, closed_at=when("2026-06-08"))  # fell due open
    agreement(neighbourhood, pcso, None)  # the final contact is made: nothing due
    dover = agreement(other_neighbourhood, other_officer, "2026-06-20")
    log(dover, "2026-05-20", when("2026-05-19"))


CANTERBURY = ("Canterbury", 5, 2, 1, 2, 40.0)
DOVER = ("Dover", 1, 1, 0, 0, 100.0)


def rows(user: m.User) -> list[tuple]:  # type: ignore[type-arg]
    with time_machine.travel(TODAY, tick=False):
        return list(contacts_on_time_by_district(user=user).rows)


def test_the_figure_counts_each_due_date_once_against_hand_counted_contacts(contacts, admin_user, supervisor, pcso):
    assert rows(admin_user) == [CANTERBURY, DOVER]
    assert rows(supervisor) == [CANTERBURY]  # scoped to the user's districts
    assert rows(pcso) == [CANTERBURY]


def test_the_figure_is_one_query(contacts, supervisor, django_assert_num_queries):
    supervisor.has_perm("jps.view_contact_figures")  # the permission cache, as on any page
    with time_machine.travel(TODAY, tick=False), django_assert_num_queries(1):
        figure = contacts_on_time_by_district(user=supervisor)
    assert figure.total == 5 and figure.extra == {"on_time": 2}


def test_partners_and_others_see_no_contact_figure(contacts, partner_user, analyst, call_handler):
    for user in (partner_user, analyst, call_handler):
        assert rows(user) == []


def test_the_dashboard_and_its_csv(client, contacts, supervisor, partner_user, analyst):
    verified_login(client, supervisor)
    with time_machine.travel(TODAY, tick=True):
        body = client.get(reverse("insight_dashboard")).content.decode()
        table = read_csv(client.get(reverse("insight_dashboard_csv", args=["contacts-on-time"])))
    assert 'id="contacts-on-time"' in body and "of 5 contacts due made on time" in body
    assert table == [
        ["District", "Contacts due", "Made on time", "Made late", "Not made", "On time (%)"],
        ["Canterbury", "5", "2", "1", "2", "40.0"],
    ]
    for outsider in (partner_user, analyst):
        verified_login(client, outsider)
        assert client.get(reverse("insight_dashboard_csv", args=["contacts-on-time"])).status_code == 403
        body = client.get(reverse("insight_dashboard")).content.decode()
        assert client.get(reverse("insight_dashboard")).status_code == 200 and "contacts-on-time" not in body
    assert "contacts-on-time" in mi.FIGURES
