"""A priority agreed at a PACT meeting: the duplicate check before it is logged, and the web editor's
check before the public site shows it (issue 22, point 6).
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from jps import meetings, publishing, services
from jps.models import MeetingItem, Problem, Source
from publicsite.export import publish

from .. import factories as f
from ..publicsite.site import nbhd_dir, priority_page, site_files

pytestmark = pytest.mark.django_db

Publication = MeetingItem.Publication


def agree(meeting, by, neighbourhood, category, **extra):  # type: ignore[no-untyped-def]
    fields = {
        "title": "Speeding on St Stephen's Road",
        "description": "Cars speeding past the primary school at pick-up time.",
        "public_title": "Speeding by the primary school",
        "summary": "Speeding by the primary school at pick-up time",
    } | extra
    return meetings.meeting_agree_new_priority(
        meeting=meeting, by=by, neighbourhood=neighbourhood, category=category, **fields
    )


def public_ids() -> set[int]:
    return {p.id for p in publishing.public_priorities()}


# --- the web editor's check ----------------------------------------------------------------------


def test_an_agreed_priority_is_a_priority_to_staff_but_not_public_until_the_web_editor_approves(
    pcso, web_editor, held_meeting, neighbourhood, category
):
    item = agree(held_meeting, pcso, neighbourhood, category)
    problem = item.problem
    assert item.publication == Publication.PENDING and item.decided_at is None
    assert problem.public_priority and problem.adopted_on == held_meeting.date  # to staff, from the meeting
    assert not publishing.public_problems().filter(pk=problem.pk).exists()
    assert problem.pk not in public_ids()
    assert list(meetings.priorities_awaiting_approval(user=web_editor)) == [item]
    # The meeting's "You said, we did" does not show it either.
    [past] = meetings.you_said_we_did(neighbourhood=neighbourhood)
    assert past["items"] == []


def test_approving_publishes_the_edited_words_dated_from_the_meeting(
    pcso, web_editor, held_meeting, neighbourhood, category, django_capture_on_commit_callbacks
):
    item = agree(held_meeting, pcso, neighbourhood, category)
    transaction.get_connection().run_on_commit.clear()  # the test's transaction never commits: forget earlier exports
    later = time_machine.travel(timezone.now() + datetime.timedelta(days=2))
    with later, django_capture_on_commit_callbacks(execute=False) as callbacks:
        meetings.meeting_priority_decide(
            item=item,
            by=web_editor,
            approve=True,
            public_title="Speeding near the school",
            summary="Speeding near the school at the start and end of the day",
        )
    assert any(getattr(c, "jps_publish", False) for c in callbacks)  # the site is exported on commit
    item.refresh_from_db()
    problem = Problem.objects.get(pk=item.problem_id)
    assert item.publication == Publication.APPROVED and item.decided_by == web_editor and item.reason == ""
    assert item.summary == "Speeding near the school at the start and end of the day"
    assert problem.public_title == "Speeding near the school"
    [public] = publishing.public_priorities()
    assert public.title == "Speeding near the school" and public.adopted_on == held_meeting.date
    [past] = meetings.you_said_we_did(neighbourhood=neighbourhood)
    assert [i["you_said"] for i in past["items"]] == ["Speeding near the school at the start and end of the day"]
    assert meetings.priorities_awaiting_approval(user=web_editor).count() == 0
    assert item.history.first().history_user == web_editor
    with pytest.raises(ValidationError, match="not awaiting approval"):
        meetings.meeting_priority_decide(item=item, by=web_editor, approve=False, reason="Changed my mind")


def test_rejecting_withdraws_the_priority_and_keeps_the_reason_for_the_officer(
    pcso, supervisor, web_editor, held_meeting, neighbourhood, category
):
    item = agree(held_meeting, pcso, neighbourhood, category)
    with pytest.raises(ValidationError) as error:
        meetings.meeting_priority_decide(item=item, by=web_editor, approve=False)
    assert "reason" in error.value.message_dict
    meetings.meeting_priority_decide(
        item=item, by=web_editor, approve=False, reason="It names the school's head teacher; agree a new title."
    )
    item.refresh_from_db()
    problem = Problem.objects.get(pk=item.problem_id)
    assert item.publication == Publication.REJECTED
    assert not problem.public_priority and problem.adopted_on is None  # never shown, now withdrawn
    assert problem.source == Source.PACT_MEETING and problem.is_open  # the problem itself stays on the tracker
    assert problem.pk not in public_ids()
    [seen] = meetings.meeting_items_for(pcso, held_meeting)
    assert seen.publication_label == "Not published" and seen.reason.startswith("It names the school's")
    # Adopted again later by a supervisor, the rejected words still never reach "You said, we did".
    services.problem_public_set(problem=problem, by=supervisor, public_priority=True, public_title="Road safety")
    assert problem.pk in public_ids()
    [past] = meetings.you_said_we_did(neighbourhood=neighbourhood)
    assert past["items"] == []


def test_approving_needs_the_words_to_publish(pcso, web_editor, held_meeting, neighbourhood, category):
    item = agree(held_meeting, pcso, neighbourhood, category)
    with pytest.raises(ValidationError) as error:
        meetings.meeting_priority_decide(item=item, by=web_editor, approve=True, public_title=" ", summary="")
    assert set(error.value.message_dict) == {"public_title", "summary"}
    item.refresh_from_db()
    assert item.publication == Publication.PENDING


def test_only_the_forces_web_editor_decides(pcso, supervisor, web_editor, held_meeting, neighbourhood, category):
    item = agree(held_meeting, pcso, neighbourhood, category)
    other_force_editor = f.UserFactory(role="web_editor", agency=f.PoliceAgencyFactory(force=f.ForceFactory()))
    assert meetings.priorities_awaiting_approval(user=other_force_editor).count() == 0
    for user in (pcso, supervisor, other_force_editor):
        with pytest.raises(PermissionDenied):
            meetings.meeting_priority_decide(item=item, by=user, approve=False, reason="No")
    item.refresh_from_db()
    assert item.publication == Publication.PENDING


def test_adopting_an_existing_problem_waits_for_the_web_editor_too(pcso, web_editor, held_meeting, problem):
    item = meetings.meeting_adopt_existing(
        meeting=held_meeting, by=pcso, problem=problem, summary="Youths at the parade"
    )
    assert item.publication == Publication.PENDING
    assert problem.pk not in public_ids()
    meetings.meeting_priority_decide(
        item=item, by=web_editor, approve=True, public_title="Groups at the parade", summary="Youths at the parade"
    )
    assert problem.pk in public_ids()


def test_a_priority_withdrawn_while_it_waits_leaves_the_queue(
    pcso, supervisor, web_editor, held_meeting, neighbourhood, category
):
    item = agree(held_meeting, pcso, neighbourhood, category)
    services.problem_public_set(problem=item.problem, by=supervisor, public_priority=False)
    assert meetings.priorities_awaiting_approval(user=web_editor).count() == 0


def test_priorities_public_before_the_check_stay_public(pcso, neighbourhood, category):
    """Agreed items recorded before the web editor's check (``publication`` blank) do not hide their priority."""
    today = datetime.date.today()
    problem = f.ProblemFactory(
        owner=pcso, neighbourhood=neighbourhood, category=category, public_priority=True, adopted_on=today
    )
    meeting = meetings.meeting_create(
        by=pcso, neighbourhoods=[neighbourhood], starts_at=timezone.now() - datetime.timedelta(days=1), online=True
    )
    MeetingItem.objects.create(meeting=meeting, problem=problem, kind="agreed", summary="x", recorded_by=pcso)
    assert problem.pk in public_ids()


# --- the duplicate check -------------------------------------------------------------------------


def test_a_new_priority_like_an_open_problem_is_not_logged_until_confirmed_new(
    pcso, held_meeting, neighbourhood, category
):
    existing = f.ProblemFactory(
        owner=pcso,
        neighbourhood=neighbourhood,
        category=category,
        title="Speeding cars on St Stephen's Road",
        description="Cars speed past the school.",
    )
    before = Problem.objects.count()
    with pytest.raises(meetings.PossibleDuplicates) as error:
        agree(held_meeting, pcso, neighbourhood, category)
    assert error.value.problems == [existing]
    assert existing.reference in error.value.message_dict["confirm_new"][0]
    assert Problem.objects.count() == before and not MeetingItem.objects.exists()  # nothing written
    item = agree(held_meeting, pcso, neighbourhood, category, confirm_new=True)
    assert item.problem.pk != existing.pk and item.publication == Publication.PENDING


def test_how_a_priority_came_to_notice_does_not_make_it_a_duplicate(pcso, held_meeting, neighbourhood, category):
    agree(held_meeting, pcso, neighbourhood, category, description="Raised at the PACT meeting.")
    agree(
        held_meeting,
        pcso,
        neighbourhood,
        category,
        title="Drug dealing in the park",
        public_title="Drug dealing in the park",
        summary="Drug dealing in the park",
        description="Raised at the PACT meeting.",
    )
    assert MeetingItem.objects.count() == 2


# --- the public site -----------------------------------------------------------------------------


def test_the_public_site_shows_a_pact_priority_only_after_approval(
    pcso, web_editor, held_meeting, neighbourhood, category, settings
):
    item = agree(held_meeting, pcso, neighbourhood, category)
    publish(full=True)
    files = site_files(settings.PUBLIC_SITE_DIR)
    page = priority_page(item.problem)
    assert page not in files
    assert not any(b"Speeding by the primary school" in body for body in files.values())

    meetings.meeting_priority_decide(
        item=item, by=web_editor, approve=True, public_title="Speeding by the school", summary="Speeding by the school"
    )
    publish()  # the incremental export finds the decision
    files = site_files(settings.PUBLIC_SITE_DIR)
    html = files[page].decode()
    assert "Speeding by the school" in html
    assert held_meeting.date.strftime("%-d %B %Y") in html  # adopted on the meeting's date
    assert "Speeding by the school" in files[f"{nbhd_dir(neighbourhood)}index.html"].decode()
