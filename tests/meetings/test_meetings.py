"""PACT meetings: agreeing, carrying over and signing off priorities, the standard, permissions."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jps import meetings, selectors, services
from jps.models import Meeting, MeetingItem, ProgressUpdate, Source, Stage, StageChange

from .. import factories as f

pytestmark = pytest.mark.django_db


def agree(meeting, by, neighbourhood, category, **extra):  # type: ignore[no-untyped-def]
    return meetings.meeting_agree_new_priority(
        meeting=meeting,
        by=by,
        neighbourhood=neighbourhood,
        category=category,
        title="Speeding on St Stephen's Road",
        description="Residents report cars speeding past the primary school at pick-up time.",
        problem_statement="Cars speeding on St Stephen's Road outside the school, 3-4pm weekdays.",
        **extra,
    )


def to_response(problem, pcso, council):  # type: ignore[no-untyped-def]
    """Walk a problem to response with one completed action, through the services."""
    services.problem_transition(problem=problem, to=Stage.ANALYSIS, by=pcso)
    services.analysis_save(
        problem=problem,
        by=pcso,
        victim="Parents and children",
        offender="Commuters using the road as a cut-through",
        location="St Stephen's Road by the school gates",
        objective="Halve speeding complaints in three months",
    )
    services.problem_transition(problem=problem, to=Stage.RESPONSE, by=pcso)
    action = services.action_add(
        problem=problem, by=pcso, action_type="enforcement", description="Speed checks at pick-up", agency=council
    )
    services.action_update(action=action, by=pcso, status="done", result="Twelve drivers warned.")
    problem.refresh_from_db()
    return problem


# --- recording meetings ----------------------------------------------------------------------


def test_status_follows_the_start_time(pcso, neighbourhood):
    past = meetings.meeting_create(
        by=pcso, neighbourhoods=[neighbourhood], starts_at=timezone.now() - datetime.timedelta(days=1), online=True
    )
    future = meetings.meeting_create(
        by=pcso, neighbourhoods=[neighbourhood], starts_at=timezone.now() + datetime.timedelta(days=20), venue="Hall"
    )
    assert past.status == Meeting.Status.HELD and future.status == Meeting.Status.SCHEDULED
    assert past.title == "Northgate PACT meeting" and past.force == neighbourhood.district.force
    assert list(future.neighbourhoods.all()) == [neighbourhood]
    assert past.history.first().history_user == pcso


def test_meeting_input_is_checked(pcso, neighbourhood):
    soon = timezone.now() + datetime.timedelta(days=3)
    cases = [
        ({"starts_at": soon}, "venue"),
        ({"starts_at": soon, "venue": "Hall", "ends_at": soon - datetime.timedelta(hours=1)}, "ends_at"),
        ({"starts_at": soon, "venue": "Hall", "status": "held"}, "status"),
        ({"starts_at": soon, "venue": "Hall", "secret": "x"}, "secret"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as error:
            meetings.meeting_create(by=pcso, neighbourhoods=[neighbourhood], **kwargs)
        assert field in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        meetings.meeting_create(by=pcso, neighbourhoods=[], starts_at=soon, venue="Hall")
    assert "neighbourhoods" in error.value.message_dict
    assert not Meeting.objects.exists()


def test_meeting_update_records_attendance_and_refuses_cancelling_a_meeting_with_decisions(
    pcso, held_meeting, neighbourhood, category
):
    meetings.meeting_update(meeting=held_meeting, by=pcso, residents_attending=31)
    held_meeting.refresh_from_db()
    assert held_meeting.residents_attending == 31
    agree(held_meeting, pcso, neighbourhood, category)
    with pytest.raises(ValidationError) as error:
        meetings.meeting_update(meeting=held_meeting, by=pcso, status=Meeting.Status.CANCELLED)
    assert "status" in error.value.message_dict


# --- agreeing priorities ------------------------------------------------------------------------


def test_priority_agreed_at_a_meeting_carries_the_meeting_as_source_and_its_date_as_adopted(
    pcso, neighbourhood, category
):
    evening = datetime.datetime(2026, 3, 3, 19, 0, tzinfo=datetime.UTC)
    with time_machine.travel(evening - datetime.timedelta(days=10)):
        meeting = meetings.meeting_create(by=pcso, neighbourhoods=[neighbourhood], starts_at=evening, venue="Hall")
    with time_machine.travel(datetime.datetime(2026, 3, 6, 10, tzinfo=datetime.UTC)):  # typed up three days later
        item = agree(meeting, pcso, neighbourhood, category, public_title="Speeding by the school")
    problem = item.problem
    assert item.kind == MeetingItem.Kind.AGREED and item.meeting == meeting
    assert problem.source == Source.PACT_MEETING
    assert problem.originator == "Residents at the Northgate PACT meeting, 3 March 2026"
    assert problem.public_priority and problem.adopted_on == datetime.date(2026, 3, 3)
    assert problem.public_title == "Speeding by the school" and item.summary == "Speeding by the school"
    assert problem.history.first().history_user == pcso
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD


def test_originator_can_be_named(pcso, held_meeting, neighbourhood, category):
    item = agree(held_meeting, pcso, neighbourhood, category, originator="St Stephen's Residents' Association")
    assert item.problem.originator == "St Stephen's Residents' Association"
    assert item.problem.source == Source.PACT_MEETING


def test_priorities_are_not_agreed_at_a_meeting_that_has_not_happened(
    pcso, neighbourhood, other_neighbourhood, category
):
    future = meetings.meeting_create(
        by=pcso, neighbourhoods=[neighbourhood], starts_at=timezone.now() + datetime.timedelta(days=5), venue="Hall"
    )
    with pytest.raises(ValidationError, match="not taken place"):
        agree(future, pcso, neighbourhood, category)
    past = meetings.meeting_create(
        by=pcso, neighbourhoods=[neighbourhood], starts_at=timezone.now() - datetime.timedelta(days=5), venue="Hall"
    )
    with pytest.raises(ValidationError) as error:
        agree(past, pcso, other_neighbourhood, category)
    assert "neighbourhood" in error.value.message_dict
    meetings.meeting_update(meeting=past, by=pcso, status=Meeting.Status.CANCELLED)
    with pytest.raises(ValidationError, match="cancelled"):
        agree(past, pcso, neighbourhood, category)


def test_adopting_an_existing_problem_dates_it_from_the_meeting_and_keeps_its_origin(
    pcso, held_meeting, problem, other_neighbourhood
):
    problem.source = Source.CALL_INCIDENT
    problem.save()
    item = meetings.meeting_adopt_existing(meeting=held_meeting, by=pcso, problem=problem)
    problem.refresh_from_db()
    assert problem.public_priority and problem.adopted_on == held_meeting.date
    assert problem.source == Source.CALL_INCIDENT  # how it first came to notice is not rewritten
    assert problem.public_title == problem.title and item.summary == problem.title
    assert problem.meeting_items.get(kind="agreed").meeting == held_meeting
    with pytest.raises(ValidationError, match="already recorded"):
        meetings.meeting_adopt_existing(meeting=held_meeting, by=pcso, problem=problem)
    elsewhere = f.ProblemFactory(neighbourhood=other_neighbourhood)
    with pytest.raises(ValidationError, match="not in one of this meeting's neighbourhoods"):
        meetings.meeting_adopt_existing(meeting=held_meeting, by=pcso, problem=elsewhere)


# --- carry-over and sign-off ----------------------------------------------------------------------


def test_carry_over_records_progress_on_the_problem(pcso, held_meeting, neighbourhood, category, web_editor):
    problem = agree(held_meeting, pcso, neighbourhood, category).problem
    with time_machine.travel(timezone.now() + datetime.timedelta(days=30)):
        next_meeting = meetings.meeting_create(
            by=pcso, neighbourhoods=[neighbourhood], starts_at=timezone.now() - datetime.timedelta(hours=2), online=True
        )
        item = meetings.meeting_carry_over(
            meeting=next_meeting,
            by=pcso,
            problem=problem,
            progress_note="Two speed checks done; council surveying for a crossing.",
            public_response="Speed checks have started; the council is surveying for a crossing.",
            propose_public=True,
        )
        with pytest.raises(ValidationError, match="already recorded"):
            meetings.meeting_carry_over(meeting=next_meeting, by=pcso, problem=problem, progress_note="Again")
    assert item.kind == MeetingItem.Kind.CARRIED_OVER and item.note.startswith("Two speed checks")
    update = problem.updates.get()
    assert "Two speed checks done" in update.text and str(next_meeting) in update.text
    assert update.status == ProgressUpdate.Status.PENDING  # the web editor still approves public text
    with pytest.raises(ValidationError) as error:
        meetings.meeting_carry_over(meeting=held_meeting, by=pcso, problem=problem, progress_note=" ")
    assert "progress_note" in error.value.message_dict


def test_only_public_priorities_are_carried_over_or_signed_off(pcso, held_meeting, problem):
    with pytest.raises(ValidationError, match="not an open public priority"):
        meetings.meeting_carry_over(meeting=held_meeting, by=pcso, problem=problem, progress_note="Going well")
    with pytest.raises(ValidationError, match="not a public priority"):
        meetings.meeting_sign_off(meeting=held_meeting, by=pcso, problem=problem, public_outcome="Fixed")


def test_sign_off_feeds_the_assessment_and_requests_closure_but_a_supervisor_closes(
    pcso, supervisor, held_meeting, neighbourhood, category, council
):
    problem = to_response(agree(held_meeting, pcso, neighbourhood, category).problem, pcso, council)
    item = meetings.meeting_sign_off(
        meeting=held_meeting,
        by=pcso,
        problem=problem,
        public_outcome="Speeding complaints have stopped since the checks and the new crossing.",
        outcome="eliminated",
        objective_met="No speeding complaints in six weeks.",
        evidence="Speed survey before and after; complaint log.",
        displacement_checked=True,
    )
    problem.refresh_from_db()
    assert item.kind == MeetingItem.Kind.SIGNED_OFF and item.closure_requested
    assert problem.stage == Stage.ASSESSMENT  # not closed by the meeting
    assert problem.closure_requested_at is not None
    assert problem.assessment.public_outcome.startswith("Speeding complaints have stopped")
    assert problem in selectors.closures_awaiting_signoff(user=supervisor)
    with pytest.raises(PermissionDenied):
        services.problem_transition(problem=problem, to=Stage.CLOSED, by=pcso, reason="Signed off at PACT")
    services.problem_transition(problem=problem, to=Stage.CLOSED, by=supervisor, reason="Signed off at PACT")
    assert problem.stage == Stage.CLOSED


def test_sign_off_of_a_problem_in_response_leaves_one_stage_change(
    pcso, held_meeting, neighbourhood, category, council
):
    problem = to_response(agree(held_meeting, pcso, neighbourhood, category).problem, pcso, council)
    count = StageChange.objects.count()
    meetings.meeting_sign_off(
        meeting=held_meeting, by=pcso, problem=problem, public_outcome="The speeding has stopped."
    )
    (change,) = StageChange.objects.order_by("id")[count:]
    assert (change.problem, change.from_stage, change.to_stage, change.by) == (
        problem,
        Stage.RESPONSE,
        Stage.ASSESSMENT,
        pcso,
    )
    assert change.reason == f"Signed off at {held_meeting}"


def test_sign_off_without_a_complete_assessment_records_it_but_does_not_request_closure(
    pcso, held_meeting, neighbourhood, category, council
):
    problem = to_response(agree(held_meeting, pcso, neighbourhood, category).problem, pcso, council)
    item = meetings.meeting_sign_off(
        meeting=held_meeting, by=pcso, problem=problem, public_outcome="Residents report the speeding has stopped."
    )
    problem.refresh_from_db()
    assert not item.closure_requested and problem.closure_requested_at is None
    assert problem.stage == Stage.ASSESSMENT
    assert problem.assessment.public_outcome == "Residents report the speeding has stopped."


def test_sign_off_refuses_a_problem_with_no_response_yet(pcso, held_meeting, neighbourhood, category):
    problem = agree(held_meeting, pcso, neighbourhood, category).problem
    with pytest.raises(ValidationError, match="no response"):
        meetings.meeting_sign_off(meeting=held_meeting, by=pcso, problem=problem, public_outcome="Done")
    assert not MeetingItem.objects.filter(kind="signed_off").exists()


# --- the monthly standard ---------------------------------------------------------------------------


def test_monthly_meeting_standard(
    supervisor, pcso, district, neighbourhood, other_neighbourhood, django_assert_num_queries
):
    now = datetime.datetime(2026, 3, 31, 12, tzinfo=datetime.UTC)
    ok, stale = neighbourhood, f.NeighbourhoodFactory(district=district, name="Westgate")
    no_next = f.NeighbourhoodFactory(district=district, name="Wincheap")
    f.NeighbourhoodFactory(district=district, name="Chartham")  # never met
    cancelled_only = f.NeighbourhoodFactory(district=district, name="Sturry")

    def meeting(ward, when, status):  # type: ignore[no-untyped-def]
        made = Meeting.objects.create(
            title="PACT", force=ward.district.force, starts_at=when, status=status, venue="Hall", created_by=pcso
        )
        made.neighbourhoods.set([ward])

    meeting(ok, datetime.datetime(2026, 3, 1, 19, tzinfo=datetime.UTC), "held")  # 28 Feb would be too old
    meeting(ok, datetime.datetime(2026, 4, 20, 19, tzinfo=datetime.UTC), "scheduled")
    meeting(stale, datetime.datetime(2026, 2, 27, 19, tzinfo=datetime.UTC), "held")
    meeting(stale, datetime.datetime(2026, 4, 2, 19, tzinfo=datetime.UTC), "scheduled")
    meeting(no_next, datetime.datetime(2026, 3, 20, 19, tzinfo=datetime.UTC), "held")
    meeting(cancelled_only, datetime.datetime(2026, 3, 20, 19, tzinfo=datetime.UTC), "cancelled")
    meeting(cancelled_only, datetime.datetime(2026, 4, 20, 19, tzinfo=datetime.UTC), "cancelled")
    # Another district's failing neighbourhood is not this supervisor's business.
    assert other_neighbourhood.district != district

    assert supervisor.scope_district_ids  # the user's scope is read once per request, before the aggregate
    with django_assert_num_queries(1):
        failing = {n.name: n for n in meetings.neighbourhoods_failing_meeting_standard(user=supervisor, now=now)}
    assert set(failing) == {"Westgate", "Wincheap", "Chartham", "Sturry"}
    assert failing["Westgate"].last_meeting_at == datetime.datetime(2026, 2, 27, 19, tzinfo=datetime.UTC)
    assert failing["Wincheap"].next_meeting_at is None and failing["Chartham"].last_meeting_at is None
    everywhere = meetings.neighbourhoods_failing_meeting_standard(
        district_ids=[district.pk, other_neighbourhood.district_id], now=now
    )
    assert "Castle" in {n.name for n in everywhere}
    assert not meetings.neighbourhoods_failing_meeting_standard(user=None, now=now).exists()


def test_month_before_clamps_to_the_end_of_a_short_month():
    moment = datetime.datetime(2026, 3, 31, 12, tzinfo=datetime.UTC)
    assert meetings.month_before(moment) == datetime.datetime(2026, 2, 28, 12, tzinfo=datetime.UTC)
    assert meetings.month_before(datetime.datetime(2026, 1, 15, tzinfo=datetime.UTC)).year == 2025


# --- permissions ------------------------------------------------------------------------------------------


def test_who_may_record_and_change_meetings(
    pcso,
    supervisor,
    admin_user,
    partner_user,
    other_officer,
    other_supervisor,
    analyst,
    held_meeting,
    neighbourhood,
    category,
):
    soon = timezone.now() + datetime.timedelta(days=10)
    for user in (partner_user, analyst):
        with pytest.raises(PermissionDenied):
            meetings.meeting_create(by=user, neighbourhoods=[neighbourhood], starts_at=soon, venue="Hall")
    with pytest.raises(ValidationError) as error:
        meetings.meeting_create(by=other_officer, neighbourhoods=[neighbourhood], starts_at=soon, venue="Hall")
    assert "neighbourhoods" in error.value.message_dict
    for user in (other_officer, other_supervisor, partner_user):
        with pytest.raises(PermissionDenied):
            meetings.meeting_update(meeting=held_meeting, by=user, residents_attending=1)
        with pytest.raises(PermissionDenied):
            agree(held_meeting, user, neighbourhood, category)
    assert supervisor.has_perm("jps.change_meeting", held_meeting)
    assert admin_user.has_perm("jps.change_meeting", held_meeting)
    agree(held_meeting, supervisor, neighbourhood, category)
    assert Meeting.objects.get().items.count() == 1


def test_who_may_see_meetings(
    pcso,
    supervisor,
    partner_user,
    other_officer,
    analyst,
    call_handler,
    web_editor,
    training_manager,
    admin_user,
    held_meeting,
    housing,
    other_neighbourhood,
):
    def sees(user):  # type: ignore[no-untyped-def]
        return meetings.meetings_visible_to(user).filter(pk=held_meeting.pk).exists()

    for user in (pcso, supervisor, partner_user, analyst, call_handler, web_editor, admin_user):
        assert sees(user), user.username
        assert user.has_perm("jps.see_meeting", held_meeting)
    for user in (other_officer, training_manager):
        assert not sees(user), user.username
        assert not user.has_perm("jps.see_meeting", held_meeting)
    outsider = f.UserFactory(role="partner", agency=housing, neighbourhoods=[other_neighbourhood])
    assert not sees(outsider)
    held_meeting.agencies.add(housing)
    assert sees(outsider)  # their agency sat at the meeting
    with pytest.raises(Meeting.DoesNotExist):
        meetings.meeting_detail(other_officer, held_meeting.pk)


def test_a_meeting_record_shows_only_the_problems_the_user_may_open(
    pcso, partner_user, held_meeting, neighbourhood, category
):
    item = agree(held_meeting, pcso, neighbourhood, category)
    detail = meetings.meeting_detail(partner_user, held_meeting.pk)
    [own] = meetings.meeting_items_for(pcso, detail)
    assert own.problem_id == item.problem_id and not own.restricted
    [seen] = meetings.meeting_items_for(partner_user, detail)  # led by the police, council not involved
    assert seen.restricted and seen.problem_id is None and seen.summary == meetings.RESTRICTED_ITEM


def test_the_api_takes_exactly_the_meeting_fields_of_the_write_policy():
    """One list of a meeting's editable fields (``jps.policy.MEETING_FIELDS``): the service refuses
    others, and the API's input has each of them beside the neighbourhoods and agencies."""
    from api.meetings import MeetingWriteSerializer
    from jps import policy

    assert set(policy.MEETING_FIELDS) == meetings.MEETING_EDITABLE
    assert set(MeetingWriteSerializer().fields) == {*policy.MEETING_FIELDS, "neighbourhoods", "agencies"}
