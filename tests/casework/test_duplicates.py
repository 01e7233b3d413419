"""Duplicate suggestions, attaching a report, merging, and a draft sent twice."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jps import selectors, services
from jps.casework import field
from jps.models import Action, Category, Contact, Problem, ProblemReport, Stage, SubmissionKey, SupervisoryReview
from tests import factories as f

pytestmark = pytest.mark.django_db

PARK = (Decimal("51.270000"), Decimal("1.080000"))
#: About 150 m north-east of PARK.
NEAR_PARK = (51.271, 1.0815)
#: About 3 km away.
FAR = (51.297, 1.080)


@pytest.fixture
def next_door(district):
    """A neighbourhood of the same district whose edge runs past the park."""
    return f.NeighbourhoodFactory(district=district, name="Harbour ward")


@pytest.fixture
def vandalism(problem):
    problem.title = "Benches smashed and graffiti sprayed in Dane John Gardens"
    problem.description = "Park benches broken again, graffiti tags on the bandstand."
    problem.latitude, problem.longitude = PARK
    problem.save()
    return problem


def suggest(user, *, category, neighbourhood, text, point=(None, None)):
    return selectors.problems_possibly_duplicate(
        user, category=category, neighbourhood=neighbourhood, text=text, latitude=point[0], longitude=point[1]
    )


def test_same_problem_in_other_words_in_the_same_neighbourhood_is_found(pcso, vandalism, neighbourhood, category):
    found = suggest(pcso, category=category, neighbourhood=neighbourhood, text="Someone broke the park bench")
    assert found == [vandalism]
    assert "bench" in found[0].shared_words


def test_nearby_across_a_neighbourhood_edge_is_found_but_not_far_away(pcso, vandalism, next_door, category):
    text = "Graffiti on the bandstand by the gardens"
    assert suggest(pcso, category=category, neighbourhood=next_door, text=text, point=NEAR_PARK) == [vandalism]
    assert suggest(pcso, category=category, neighbourhood=next_door, text=text, point=FAR) == []
    assert suggest(pcso, category=category, neighbourhood=next_door, text=text) == []


def test_closed_unrelated_or_other_category_problems_are_not_suggested(
    pcso, supervisor, vandalism, neighbourhood, category
):
    text = "Benches smashed in the gardens"
    other_category = Category.objects.create(name="Drugs", slug="drugs")
    assert suggest(pcso, category=other_category, neighbourhood=neighbourhood, text=text) == []
    assert suggest(pcso, category=category, neighbourhood=neighbourhood, text="Speeding cars on the bypass") == []
    services.problem_transition(problem=vandalism, to=Stage.CLOSED_NO_ACTION, by=supervisor, reason="Resolved")
    assert suggest(pcso, category=category, neighbourhood=neighbourhood, text=text) == []


def test_suggestions_never_show_what_the_user_cannot_see(other_officer, vandalism, neighbourhood, category):
    found = suggest(other_officer, category=category, neighbourhood=neighbourhood, text="Benches smashed")
    assert found == []


def test_attach_a_report_to_an_existing_problem(pcso, partner_user, vandalism, other_officer):
    report = field.problem_report_attach(
        problem=vandalism,
        by=pcso,
        source="community",
        originator="Resident of Dane John Mews",
        text="Two benches kicked over last night",
        latitude=NEAR_PARK[0],
        longitude=NEAR_PARK[1],
    )
    assert list(vandalism.reports.all()) == [report]
    assert report.history.first().history_user == pcso
    with pytest.raises(PermissionDenied):
        field.problem_report_attach(
            problem=vandalism, by=other_officer, source="community", originator="x", text="Seen it too"
        )
    with pytest.raises(ValidationError):
        field.problem_report_attach(problem=vandalism, by=pcso, source="nonsense", originator="", text="")


def test_merge_moves_the_work_and_closes_the_duplicate_keeping_both_histories(
    pcso, supervisor, council, housing, vandalism, neighbourhood, category
):
    duplicate = f.ProblemFactory(
        owner=pcso,
        neighbourhood=neighbourhood,
        category=category,
        title="Park benches broken",
        source="observation",
        originator="PCSO on patrol",
    )
    services.participation_add(problem=vandalism, agency=council, by=pcso)
    services.participation_add(problem=duplicate, agency=council, by=pcso)
    services.participation_add(problem=duplicate, agency=housing, by=pcso)
    action = services.action_add(
        problem=duplicate,
        by=pcso,
        action_type=Action.Type.PREVENTION,
        description="Ask the council to repair the benches",
        agency=council,
        due_on=datetime.date.today() + datetime.timedelta(days=7),
    )
    services.update_add(problem=duplicate, by=pcso, text="Spoke to the park keeper")
    services.contact_add(
        problem=duplicate, by=pcso, kind="complainant", name="A Resident", preferred_method=Contact.Method.PHONE
    )
    field.problem_report_attach(problem=duplicate, by=pcso, source="community", originator="Neighbour", text="Again")
    services.review_record(problem=duplicate, by=supervisor, comment="Keep going", decision="continue")
    services.problem_transition(problem=duplicate, to=Stage.ANALYSIS, by=pcso)

    with pytest.raises(PermissionDenied):
        field.problem_merge(keep=vandalism, merge=duplicate, by=pcso, reason="Same benches")
    with pytest.raises(ValidationError):
        field.problem_merge(keep=vandalism, merge=duplicate, by=supervisor, reason="")

    kept = field.problem_merge(keep=vandalism, merge=duplicate, by=supervisor, reason="Same benches")

    duplicate.refresh_from_db()
    assert duplicate.stage == Stage.CLOSED_NO_ACTION
    assert duplicate.closure_reason == f"Merged into {kept.reference}. Same benches"
    action.refresh_from_db()
    assert action.problem == kept
    assert kept.updates.count() == 1 and kept.contacts.count() == 1
    assert SupervisoryReview.objects.get().problem == kept
    assert sorted(kept.participations.values_list("agency__name", flat=True)) == sorted([council.name, housing.name])
    origin = kept.reports.get(merged_from=duplicate.reference)
    assert (origin.source, origin.originator) == ("observation", "PCSO on patrol")
    assert ProblemReport.objects.filter(problem=kept).count() == 2
    # Both histories stay: the duplicate's logging and closing, and the move of its action.
    assert duplicate.history.filter(history_change_reason__startswith="Close without action").exists()
    assert action.history.filter(history_change_reason__startswith=f"Merged from {duplicate.reference}").exists()
    assert duplicate.history.count() >= 2


def test_merge_walks_a_problem_in_response_back_through_the_workflow(pcso, supervisor, vandalism, neighbourhood):
    duplicate = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=vandalism.category)
    Problem.objects.filter(pk=duplicate.pk).update(stage=Stage.RESPONSE)
    duplicate.refresh_from_db()
    field.problem_merge(keep=vandalism, merge=duplicate, by=supervisor, reason="Same place")
    duplicate.refresh_from_db()
    assert duplicate.stage == Stage.CLOSED_NO_ACTION
    reasons = list(duplicate.history.values_list("history_change_reason", flat=True))
    assert any(r and r.startswith("Back to analysis") for r in reasons)


def test_same_draft_sent_twice_yields_one_problem(pcso, other_officer, neighbourhood, category):
    key = uuid.uuid4()

    def create():
        return services.problem_create(
            by=pcso,
            neighbourhood=neighbourhood,
            category=category,
            source="observation",
            originator="PCSO on patrol",
            title="Fly-tipping behind the shops",
            description="Mattresses dumped",
        )

    first, created = field.problem_create_once(by=pcso, client_key=key, create=create)
    again, created_again = field.problem_create_once(by=pcso, client_key=str(key), create=create)
    assert created and not created_again and first == again
    assert Problem.objects.filter(title="Fly-tipping behind the shops").count() == 1
    assert SubmissionKey.objects.get().problem == first
    with pytest.raises(ValidationError):
        field.problem_create_once(by=other_officer, client_key=key, create=create)
    with pytest.raises(ValidationError):
        field.problem_create_once(by=pcso, client_key="not-a-uuid", create=create)
