"""The Policing Pledge in public (issue 20): the figures against hand-counted months, the "why not", its prompt.

The scenario, counted by hand, seen on 10 July 2026 (the twelve months July 2025 to June 2026):

- Northgate's PACT meetings: held 12 and 20 May and 3 June; one booked for 15 April but never held,
  one on 10 March cancelled. So May and June kept; the ten months before missed.
- Castle's only meeting starts at 00:30 on 1 July, London time (23:30 on 30 June in UTC): July, so
  every month of Castle's twelve is missed.
- Northgate's priorities: P1 adopted 4 March, still open, updated 10 April and 15 and 20 June (and
  an approved update with no public words on 5 May, which does not count); P2 adopted 10 January,
  updated in February, closed 15 May. February: 1 of 1; March: P2 only (P1 was adopted during it),
  0 of 1; April: 1 of 2; May: P1 only (P2 closed during it), 0 of 1; June: 1 of 1.
- Northgate's victims: a contact due 5 June made on the 4th, one due 12 June made on the 14th (late),
  one due 20 May made that day, and one due 8 April never made. April missed, May kept, June missed.
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jps import reminders, selectors, services
from jps.models import Meeting, PledgeExplanation, ProgressUpdate, Reminder, Stage
from jps.pledge.commitments import COMMITMENTS
from jps.pledge.selectors import pledge_table
from tests import factories as f

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")
TODAY = datetime.datetime(2026, 7, 10, 9, tzinfo=LONDON)


def at(day: str, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour), tzinfo=LONDON)


def month(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text + "-01")


def meeting(by, neighbourhood, starts_at, status=Meeting.Status.HELD):  # type: ignore[no-untyped-def]
    m = Meeting.objects.create(
        title="PACT", force=neighbourhood.district.force, starts_at=starts_at, status=status, created_by=by
    )
    m.neighbourhoods.add(neighbourhood)
    return m


def update(problem, by, day, text="We patrolled the parade.", status=ProgressUpdate.Status.APPROVED):  # type: ignore[no-untyped-def]
    return ProgressUpdate.objects.create(
        problem=problem, author=by, text="internal", public_text=text, status=status, decided_at=at(day)
    )


@pytest.fixture
def scenario(pcso, other_officer, neighbourhood, other_neighbourhood, category):  # type: ignore[no-untyped-def]
    for day in ("2026-05-12", "2026-05-20", "2026-06-03"):
        meeting(pcso, neighbourhood, at(day, 19))
    meeting(pcso, neighbourhood, at("2026-04-15", 19), Meeting.Status.SCHEDULED)
    meeting(pcso, neighbourhood, at("2026-03-10", 19), Meeting.Status.CANCELLED)
    meeting(other_officer, other_neighbourhood, datetime.datetime(2026, 7, 1, 0, 30, tzinfo=LONDON))
    p1 = f.ProblemFactory(
        neighbourhood=neighbourhood, owner=pcso, public_priority=True, adopted_on=datetime.date(2026, 3, 4)
    )
    for day in ("2026-04-10", "2026-06-15", "2026-06-20"):
        update(p1, pcso, day)
    update(p1, pcso, "2026-05-05", text="")
    update(p1, pcso, "2026-05-06", status=ProgressUpdate.Status.PENDING)
    p2 = f.ProblemFactory(
        neighbourhood=neighbourhood, owner=pcso, public_priority=True, adopted_on=datetime.date(2026, 1, 10),
        stage=Stage.CLOSED, closed_at=at("2026-05-15"),
    )  # fmt: skip
    update(p2, pcso, "2026-02-11")
    hidden = f.ProblemFactory(neighbourhood=neighbourhood, owner=pcso)  # not a public priority: never counted
    update(hidden, pcso, "2026-05-05")
    contact = f.ContactFactory(link__problem=p1, next_contact_due=datetime.date(2026, 7, 20))
    for due, made in (("2026-06-05", "2026-06-04"), ("2026-06-12", "2026-06-14"), ("2026-05-20", "2026-05-20")):
        f.ContactLogFactory(contact=contact, due_on=datetime.date.fromisoformat(due), contacted_at=at(made))
    f.ContactFactory(link__problem=p1, next_contact_due=datetime.date(2026, 4, 8))
    return {"p1": p1, "p2": p2}


def cells(neighbourhood, slug):  # type: ignore[no-untyped-def]
    [row] = [
        r for r in pledge_table(neighbourhood_ids=[neighbourhood.pk])[neighbourhood.pk] if r.commitment.slug == slug
    ]
    return {m.month.strftime("%Y-%m"): (m.cell.done, m.cell.due, m.cell.met) for m in row.months}


@time_machine.travel(TODAY, tick=False)
def test_the_twelve_months_against_the_hand_count(scenario, neighbourhood, other_neighbourhood):
    assert selectors.pledge_months()[0] == month("2025-07") and selectors.pledge_months()[-1] == month("2026-06")
    meetings = cells(neighbourhood, "meetings")
    assert [k for k, (_d, _n, met) in meetings.items() if met] == ["2026-05", "2026-06"]
    assert sum(1 for *_x, met in meetings.values() if met is False) == 10
    assert all(met is False for *_x, met in cells(other_neighbourhood, "meetings").values())

    priorities = cells(neighbourhood, "priority_updates")
    assert priorities["2026-01"] == (0, 0, None)  # P2 adopted during January: nothing due yet
    assert priorities["2026-02"] == (1, 1, True)
    assert priorities["2026-03"] == (0, 1, False)
    assert priorities["2026-04"] == (1, 2, False)
    assert priorities["2026-05"] == (0, 1, False)
    assert priorities["2026-06"] == (1, 1, True)
    assert priorities["2025-07"] == (0, 0, None)

    victims = cells(neighbourhood, "victims_updated")
    assert victims["2026-04"] == (0, 1, False)
    assert victims["2026-05"] == (1, 1, True)
    assert victims["2026-06"] == (1, 2, False)
    assert victims["2026-03"] == (0, 0, None)
    assert all(met is None for *_x, met in cells(other_neighbourhood, "victims_updated").values())


def message(neighbourhood, received, answered_after_hours=None, **extra):  # type: ignore[no-untyped-def]
    from jps.models import TeamMessage

    answered = received + datetime.timedelta(hours=answered_after_hours) if answered_after_hours else None
    state = TeamMessage.State.ANSWERED if answered else TeamMessage.State.NEW
    fields = {"state": state, "first_response_at": answered, **extra}
    return TeamMessage.objects.create(
        neighbourhood=neighbourhood, sender_name="A resident", sender_email="resident@example.org",
        subject="Bikes", body="On the field", received_at=received, **fields,
    )  # fmt: skip


@time_machine.travel(TODAY, tick=False)
def test_messages_answered_within_24_hours_against_the_hand_count(neighbourhood, other_neighbourhood):
    """April: one never answered (0 of 1). May: one in 3 hours, one in 30 (1 of 2). June: one in 2 hours, and
    one closed as spam, which is not counted (1 of 1). 9 July: unanswered but inside its 24 hours (not counted,
    and July is not among the months anyway). Castle: nothing due."""
    from jps.models import TeamMessage

    message(neighbourhood, at("2026-04-08"))
    message(neighbourhood, at("2026-05-02"), 3)
    message(neighbourhood, at("2026-05-30", 20), 30)  # answered on 1 June: late, and May's
    message(neighbourhood, at("2026-06-11"), 2)
    message(neighbourhood, at("2026-06-12"), state=TeamMessage.State.CLOSED, close_reason="spam")
    message(neighbourhood, at("2026-07-09", 20))
    got = cells(neighbourhood, "messages_answered")
    assert (got["2026-04"], got["2026-05"], got["2026-06"]) == ((0, 1, False), (1, 2, False), (1, 1, True))
    assert got["2026-03"] == (0, 0, None)
    assert all(met is None for *_x, met in cells(other_neighbourhood, "messages_answered").values())
    in_time, total = selectors.team_messages_answered_within(
        neighbourhoods=[neighbourhood], since=at("2026-04-01", 0), until=at("2026-07-01", 0)
    )
    assert (in_time, total) == (2, 4)  # the dashboard's measure and the Pledge's agree


@time_machine.travel(TODAY, tick=False)
def test_the_figures_take_a_fixed_number_of_queries_whatever_the_neighbourhoods(
    scenario, neighbourhood, other_neighbourhood, django_assert_max_num_queries
):
    more = [f.NeighbourhoodFactory(district=neighbourhood.district, name=f"Ward {i}") for i in range(5)]
    for n in more:
        meeting(scenario["p1"].owner, n, at("2026-06-09", 19))
        f.ProblemFactory(neighbourhood=n, public_priority=True, adopted_on=datetime.date(2026, 2, 2))
    ids = [neighbourhood.pk, other_neighbourhood.pk, *(n.pk for n in more)]
    with django_assert_max_num_queries(8):  # meetings 1, priorities 2, victims 2, messages 1, explanations 1
        table = pledge_table(neighbourhood_ids=ids)
    assert len(table) == 7


@time_machine.travel(TODAY, tick=False)
def test_a_supervisor_explains_a_miss_once_and_only_a_miss(scenario, neighbourhood, supervisor):
    explanation = services.pledge_explanation_record(
        neighbourhood=neighbourhood, commitment="victims_updated", month=month("2026-06"),
        text="A PCSO was off sick and the call was a day late.", text_cy="Roedd PCSO yn sâl.", by=supervisor,
    )  # fmt: skip
    assert explanation.history.count() == 1
    again = services.pledge_explanation_record(
        neighbourhood=neighbourhood, commitment="victims_updated", month=month("2026-06"),
        text="The PCSO was off sick; the call was made two days late.", by=supervisor,
    )  # fmt: skip
    assert again.pk == explanation.pk and PledgeExplanation.objects.count() == 1 and again.history.count() == 2
    with pytest.raises(ValidationError, match="nothing to explain"):  # May was kept
        services.pledge_explanation_record(
            neighbourhood=neighbourhood, commitment="victims_updated", month=month("2026-05"), text="x", by=supervisor
        )
    with pytest.raises(ValidationError):  # July is not over
        services.pledge_explanation_record(
            neighbourhood=neighbourhood, commitment="meetings", month=month("2026-07"), text="x", by=supervisor
        )
    with pytest.raises(ValidationError):
        services.pledge_explanation_record(
            neighbourhood=neighbourhood, commitment="no_such_thing", month=month("2026-04"), text="x", by=supervisor
        )


@time_machine.travel(TODAY, tick=False)
def test_only_the_districts_supervisors_explain(
    scenario, neighbourhood, other_supervisor, partner_user, pcso, web_editor
):
    for someone in (other_supervisor, partner_user, pcso, web_editor):
        with pytest.raises(PermissionDenied):
            services.pledge_explanation_record(
                neighbourhood=neighbourhood, commitment="meetings", month=month("2026-04"), text="x", by=someone
            )
    assert not PledgeExplanation.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_my_work_prompts_the_supervisor_until_each_miss_is_explained(scenario, neighbourhood, supervisor, client):
    misses = selectors.pledge_misses_for(user=supervisor)
    assert len(misses) == 10 + 3 + 2  # meetings, priorities, victims: Northgate only (Castle is not theirs)
    client.force_login(supervisor)
    page = client.get("/").content.decode()
    assert "The Pledge: months to explain" in page and "15 months" in page
    form_page = client.get("/pledge/")
    assert form_page.status_code == 200
    prefix = f"{neighbourhood.pk}-victims_updated-2026-06"
    response = client.post("/pledge/", {
        "prefix": prefix, f"{prefix}-neighbourhood": neighbourhood.pk, f"{prefix}-commitment": "victims_updated",
        f"{prefix}-month": "2026-06-01", f"{prefix}-text": "A call was a day late.", f"{prefix}-text_cy": "",
    })  # fmt: skip
    assert response.status_code == 302
    assert len(selectors.pledge_misses_for(user=supervisor)) == 14
    assert "14 months" in client.get("/").content.decode()


def test_last_months_misses_remind_the_supervisors_once_each(
    scenario, neighbourhood, other_neighbourhood, supervisor, other_supervisor
):
    with time_machine.travel(TODAY, tick=False):
        services.pledge_explanation_record(
            neighbourhood=neighbourhood,
            commitment="victims_updated",
            month=month("2026-06"),
            text="Late.",
            by=supervisor,
        )
    for _ in range(2):
        with time_machine.travel(TODAY, tick=False):
            reminders.run_job("pledge_explanation_due")
    rows = Reminder.objects.filter(kind=Reminder.Kind.PLEDGE_EXPLANATION_DUE)
    # June: Northgate kept its meeting and its priority and explained its victims; Castle missed its meeting.
    assert set(rows.values_list("recipient_id", "item_key", "period_key")) == {
        (other_supervisor.pk, f"neighbourhood:{other_neighbourhood.pk}", "2026-06-01:meetings"),
    }
    with time_machine.travel(datetime.datetime(2026, 8, 3, 9, tzinfo=LONDON), tick=False):
        reminders.run_job("pledge_explanation_due")
    # July: Castle met (00:30 on the 1st); Northgate met no one, updated nothing and missed the call due on the 20th.
    july = set(rows.filter(period_key__startswith="2026-07").values_list("recipient_id", "period_key"))
    assert july == {
        (supervisor.pk, "2026-07-01:meetings"),
        (supervisor.pk, "2026-07-01:priority_updates"),
        (supervisor.pk, "2026-07-01:victims_updated"),
    }


@time_machine.travel(TODAY, tick=False)
def test_my_work_keeps_the_months_counts_but_reads_explanations_afresh(
    scenario, neighbourhood, supervisor, settings, django_assert_num_queries
):
    settings.JPS_PLEDGE_CACHE_SECONDS = 3600
    first = selectors.pledge_misses_for(user=supervisor)
    with django_assert_num_queries(2):  # the supervisor's neighbourhoods and their explanations; no counts
        again = selectors.pledge_misses_for(user=supervisor)
    assert again == first and len(first) == 15
    services.pledge_explanation_record(
        neighbourhood=neighbourhood, commitment="meetings", month=month("2026-04"), text="No venue.", by=supervisor
    )
    assert len(selectors.pledge_misses_for(user=supervisor)) == 14  # the explanation counts at once

    settings.JPS_PLEDGE_CACHE_SECONDS = 0  # and without the cache every call counts afresh
    with CaptureQueriesContext(connection) as fresh:
        selectors.pledge_misses_for(user=supervisor)
    assert len(fresh) >= 2 + len(COMMITMENTS)  # at least one count per commitment
