"""Welsh for a force that publishes in Welsh: the web editor approves public words in both languages.

The services refuse English public text without its Welsh twin where ``Force.welsh_enabled``
(``jps.welsh``), and accept English alone elsewhere; the web editor's forms show the two side by
side, the Welsh input ``lang="cy"``; the API takes the ``_cy`` fields with the same rule.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from jps import meetings, services
from jps.models import Assessment, Force, MeetingItem, ProgressUpdate
from tests.conftest import verified_login

from .. import factories as f

pytestmark = pytest.mark.django_db

TITLE = ("Illegal parking near the school", "Parcio anghyfreithlon ger yr ysgol")
UPDATE = ("Wardens patrol at drop-off time.", "Mae wardeiniaid yn patrolio pan fydd plant yn cyrraedd.")
OUTCOME = ("Complaints have halved.", "Mae cwynion wedi haneru.")


def welsh(force: Force) -> None:
    force.welsh_enabled = True
    force.name_cy = "Heddlu Caint"
    force.save()


@pytest.fixture
def held_meeting(pcso, neighbourhood, police):  # type: ignore[no-untyped-def]
    starts = timezone.now() - datetime.timedelta(days=7)
    return meetings.meeting_create(
        by=pcso,
        neighbourhoods=[neighbourhood],
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        venue="Northgate Community Centre",
        agencies=[police],
        residents_attending=12,
        public_agenda="Agree the ward's priorities.",
    )


@pytest.fixture
def public_problem(pcso, supervisor, neighbourhood, category):  # type: ignore[no-untyped-def]
    problem = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category, title="Parking")
    services.problem_public_set(
        problem=problem,
        by=supervisor,
        public_priority=True,
        adopted_on=datetime.date(2026, 3, 1),
        public_title=TITLE[0],
    )
    return problem


@pytest.fixture
def pending_update(public_problem, pcso):  # type: ignore[no-untyped-def]
    return services.update_add(problem=public_problem, by=pcso, text="Raw words", propose_public=True)


# --- the services -------------------------------------------------------------------------------


def test_an_update_of_a_welsh_force_is_refused_without_its_welsh_text(pending_update, web_editor, force):
    welsh(force)
    with pytest.raises(ValidationError) as refused:
        services.update_decide(update=pending_update, by=web_editor, approve=True, public_text=UPDATE[0])
    assert "public_text_cy" in refused.value.message_dict
    assert "in Welsh too: Kent Police publishes in Welsh" in refused.value.message_dict["public_text_cy"][0]
    pending_update.refresh_from_db()
    assert pending_update.status == ProgressUpdate.Status.PENDING  # nothing claimed
    services.update_decide(
        update=pending_update, by=web_editor, approve=True, public_text=UPDATE[0], public_text_cy=UPDATE[1]
    )
    pending_update.refresh_from_db()
    assert (pending_update.public_text, pending_update.public_text_cy) == UPDATE
    assert pending_update.history.first().public_text_cy == UPDATE[1]  # with history


def test_an_update_of_an_english_force_needs_no_welsh(pending_update, web_editor):
    services.update_decide(update=pending_update, by=web_editor, approve=True, public_text=UPDATE[0])
    pending_update.refresh_from_db()
    assert pending_update.status == ProgressUpdate.Status.APPROVED and pending_update.public_text_cy == ""


def test_a_rejection_needs_no_welsh(pending_update, web_editor, force):
    welsh(force)
    services.update_decide(update=pending_update, by=web_editor, approve=False, reason="Names a witness")
    assert ProgressUpdate.objects.get(pk=pending_update.pk).status == ProgressUpdate.Status.REJECTED


def test_adopting_and_the_outcome_of_a_welsh_force_need_their_welsh(pcso, supervisor, neighbourhood, category, force):
    welsh(force)
    problem = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category, title="Parking")
    adopt = {"public_priority": True, "adopted_on": datetime.date(2026, 3, 1), "public_title": TITLE[0]}
    with pytest.raises(ValidationError) as refused:
        services.problem_public_set(problem=problem, by=supervisor, **adopt)
    assert set(refused.value.message_dict) == {"public_title_cy"}
    services.problem_public_set(problem=problem, by=supervisor, **adopt, public_title_cy=TITLE[1])
    problem.refresh_from_db()
    assert problem.public_priority and problem.public_title_cy == TITLE[1]
    with pytest.raises(ValidationError) as refused:
        services.problem_public_set(problem=problem, by=supervisor, public_outcome=OUTCOME[0])
    assert set(refused.value.message_dict) == {"public_outcome_cy"}
    services.problem_public_set(problem=problem, by=supervisor, public_outcome=OUTCOME[0], public_outcome_cy=OUTCOME[1])
    assert Assessment.objects.get(problem=problem).public_outcome_cy == OUTCOME[1]
    # withdrawing publishes nothing, so it needs no Welsh
    services.problem_public_set(problem=problem, by=supervisor, public_priority=False, adopted_on=None)


def test_an_english_force_adopts_in_english_alone(public_problem, supervisor):
    services.problem_public_set(problem=public_problem, by=supervisor, public_outcome=OUTCOME[0])
    assert public_problem.public_priority and public_problem.public_title_cy == ""


def test_a_pact_priority_of_a_welsh_force_is_published_with_its_welsh_words(
    held_meeting, pcso, web_editor, neighbourhood, category, force
):  # type: ignore[no-untyped-def]
    item = meetings.meeting_agree_new_priority(
        meeting=held_meeting, by=pcso, neighbourhood=neighbourhood, category=category, title="Parking by the school",
        description="Cars on the zigzags.", public_title=TITLE[0], summary="Parking by the school",
    )  # fmt: skip
    welsh(force)
    words = {"public_title": TITLE[0], "summary": "Parking by the school"}
    with pytest.raises(ValidationError) as refused:
        meetings.meeting_priority_decide(item=item, by=web_editor, approve=True, **words)
    assert set(refused.value.message_dict) == {"public_title_cy", "summary_cy"}
    assert MeetingItem.objects.get(pk=item.pk).publication == MeetingItem.Publication.PENDING
    meetings.meeting_priority_decide(
        item=item, by=web_editor, approve=True, **words, public_title_cy=TITLE[1], summary_cy="Parcio ger yr ysgol"
    )
    item.refresh_from_db()
    assert item.publication == MeetingItem.Publication.APPROVED and item.summary_cy == "Parcio ger yr ysgol"
    assert item.problem.public_title_cy == TITLE[1]


# --- the web editor's forms -----------------------------------------------------------------------


def test_the_approval_card_of_a_welsh_force_shows_both_languages_side_by_side(
    client, web_editor, pending_update, force
):
    welsh(force)
    verified_login(client, web_editor)
    card = client.get("/").content.decode().split(f'id="pending-{pending_update.pk}"')[1].split("</form>")[0]
    assert 'class="govuk-grid-column-one-half"' in card
    assert f'name="update-{pending_update.pk}-public_text_cy"' in card and 'lang="cy"' in card
    assert "Text to publish in Welsh (Cymraeg)" in card


def test_the_approval_card_of_an_english_force_asks_for_english_only(client, web_editor, pending_update):
    verified_login(client, web_editor)
    page = client.get("/").content.decode()
    assert f'name="update-{pending_update.pk}-public_text"' in page
    assert "public_text_cy" not in page and 'lang="cy"' not in page


def test_approving_on_the_page_without_welsh_shows_the_error_on_the_welsh_field(
    client, web_editor, pending_update, force
):  # type: ignore[no-untyped-def]
    welsh(force)
    verified_login(client, web_editor)
    prefix = f"update-{pending_update.pk}"
    url = f"/updates/{pending_update.pk}/decide/"
    body = {f"{prefix}-public_text": UPDATE[0], f"{prefix}-decision": "approve"}
    page = client.post(url, body).content.decode()
    assert "Enter the text to publish in Welsh too" in page and 'lang="cy"' in page
    assert ProgressUpdate.objects.get(pk=pending_update.pk).status == ProgressUpdate.Status.PENDING
    response = client.post(url, body | {f"{prefix}-public_text_cy": UPDATE[1]})
    assert response.status_code == 302
    assert ProgressUpdate.objects.get(pk=pending_update.pk).public_text_cy == UPDATE[1]


def test_the_public_form_of_a_welsh_force_has_the_welsh_title_and_outcome(client, supervisor, public_problem, force):
    welsh(force)
    verified_login(client, supervisor)
    page = client.get(f"/problems/{public_problem.pk}/").content.decode()
    form = page.split('id="public"')[1].split("</form>")[0]
    assert 'name="public-public_title_cy"' in form and 'name="public-public_outcome_cy"' in form
    assert form.count('lang="cy"') == 2


# --- the API ------------------------------------------------------------------------------------


def api(user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_takes_the_welsh_update_and_refuses_an_approval_without_it(web_editor, pending_update, force):
    welsh(force)
    url = f"/api/updates/{pending_update.pk}/decision/"
    refused = api(web_editor).post(url, {"approve": True, "public_text": UPDATE[0]}, format="json")
    assert refused.status_code == 400 and "public_text_cy" in refused.json()
    approved = api(web_editor).post(
        url, {"approve": True, "public_text": UPDATE[0], "public_text_cy": UPDATE[1]}, format="json"
    )
    assert approved.status_code == 200 and approved.json()["public_text_cy"] == UPDATE[1]


def test_the_api_sets_the_welsh_title_and_outcome(supervisor, public_problem, force):
    welsh(force)
    url = f"/api/problems/{public_problem.pk}/public/"
    refused = api(supervisor).post(url, {"public_title": "Parking at the gates"}, format="json")
    assert refused.status_code == 400 and "public_title_cy" in refused.json()
    body = {"public_title": "Parking at the gates", "public_title_cy": "Parcio wrth y gatiau",
            "public_outcome": OUTCOME[0], "public_outcome_cy": OUTCOME[1]}  # fmt: skip
    done = api(supervisor).post(url, body, format="json")
    assert done.status_code == 200 and done.json()["public_title_cy"] == "Parcio wrth y gatiau"
    assert Assessment.objects.get(problem=public_problem).public_outcome_cy == OUTCOME[1]
    too_long = api(supervisor).post(url, {"public_title_cy": "x" * 201}, format="json")
    assert too_long.status_code == 400 and "public_title_cy" in too_long.json()


def test_the_api_publishes_a_pact_priority_with_its_welsh_words(
    held_meeting, pcso, web_editor, neighbourhood, category, force
):  # type: ignore[no-untyped-def]
    item = meetings.meeting_agree_new_priority(
        meeting=held_meeting, by=pcso, neighbourhood=neighbourhood, category=category, title="Parking by the school",
        description="Cars on the zigzags.", public_title=TITLE[0], summary="Parking by the school",
    )  # fmt: skip
    welsh(force)
    url = f"/api/meetings/{held_meeting.pk}/items/{item.pk}/publication/"
    body = {"approve": True, "public_title": TITLE[0], "summary": "Parking"}
    refused = api(web_editor).post(url, body, format="json")
    assert refused.status_code == 400 and {"public_title_cy", "summary_cy"} <= set(refused.json())
    approved = api(web_editor).post(url, body | {"public_title_cy": TITLE[1], "summary_cy": "Parcio"}, format="json")
    assert approved.status_code == 200 and approved.json()["publication"] == "approved"


def test_the_pact_card_of_a_welsh_force_asks_for_the_welsh_title_and_summary(
    client, held_meeting, pcso, web_editor, neighbourhood, category, force
):  # type: ignore[no-untyped-def]
    item = meetings.meeting_agree_new_priority(
        meeting=held_meeting, by=pcso, neighbourhood=neighbourhood, category=category, title="Parking by the school",
        description="Cars on the zigzags.", public_title=TITLE[0], summary="Parking by the school",
    )  # fmt: skip
    welsh(force)
    verified_login(client, web_editor)
    card = client.get("/").content.decode().split(f'id="priority-{item.pk}"')[1].split("</form>")[0]
    assert f'name="priority-{item.pk}-public_title_cy"' in card and f'name="priority-{item.pk}-summary_cy"' in card
    assert card.count('lang="cy"') == 2
