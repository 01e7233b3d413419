"""The best-practice library: search, filters, the similar-problem suggestion, the write-up, and who reads what."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import QueryDict

from jps import insight
from jps import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db


def closed(title, statement, *, nbhd, category, owner, lead=None):  # type: ignore[no-untyped-def]
    return f.ProblemFactory(
        title=title,
        problem_statement=statement,
        neighbourhood=nbhd,
        category=category,
        owner=owner,
        lead_agency=lead or owner.agency,
        stage=m.Stage.CLOSED,
    )


def evaluate(problem, analyst, *, rating="green", best=False, learning="", worked="", tags=()):  # type: ignore[no-untyped-def]
    evaluation = m.Evaluation.objects.create(
        problem=problem,
        analyst=analyst,
        rating=rating,
        best_practice=best,
        learning=learning or "Learning noted.",
        what_worked=worked,
    )
    for name in tags:
        tag, _ = m.BestPracticeTag.objects.get_or_create(slug=name, defaults={"name": name})
        evaluation.tags.add(tag)
    return evaluation


@pytest.fixture
def library(world, analyst, pcso, other_officer, partner_user, neighbourhood, coastal, category, council, police):  # type: ignore[no-untyped-def]
    """Four evaluated problems besides the world's."""
    lit = closed(
        "Drinking on the seafront shelters",
        "Groups drinking in the seafront shelters on summer evenings, intimidating walkers.",
        nbhd=coastal,
        category=category,
        owner=other_officer,
    )
    graffiti = closed(
        "Graffiti on the underpass",
        "Tagging in the Northgate underpass overnight.",
        nbhd=neighbourhood,
        category=category,
        owner=pcso,
    )
    dealing = closed(
        "Dealing behind the seafront arcade",
        "Drug dealing behind the arcade on the seafront, afternoons.",
        nbhd=coastal,
        category=world.drugs,
        owner=other_officer,
    )
    council_led = closed(
        "Fly-tipping in the seafront car park",
        "Fly-tipping in the seafront car park at weekends.",
        nbhd=coastal,
        category=category,
        owner=partner_user,
        lead=council,
    )
    m.Action.objects.create(
        problem=lit,
        agency=police,
        action_type="prevention",
        description="Lighting",
        created_by=pcso,
        status="done",
        result="Installed",
    )
    m.Action.objects.create(
        problem=graffiti, agency=police, action_type="enforcement", description="Arrests", created_by=pcso
    )
    return {
        "lit": evaluate(
            lit,
            analyst,
            best=True,
            worked="Brighter lighting and a dispersal order stopped the drinking.",
            tags=["lighting"],
        ),
        "graffiti": evaluate(graffiti, analyst, rating="amber", learning="Cameras were moved too late.", tags=["cctv"]),
        "dealing": evaluate(dealing, analyst, rating="red", learning="Displacement to the next street."),
        "council": evaluate(council_led, analyst, worked="Cameras and signage reduced tipping."),
    }


def search(user, **params):  # type: ignore[no-untyped-def]
    query = QueryDict(mutable=True)
    query.update(params)
    return list(insight.library_search(user=user, filters=insight.LibraryFilters.from_query(query)))


def test_officer_reads_the_whole_forces_library(library, pcso):
    # The Northgate PCSO cannot open the Dover problems, but learns from their evaluations.
    assert {e.pk for e in search(pcso)} == {e.pk for e in library.values()}
    assert search(pcso)[0] == library["lit"]  # best practice first


def test_partner_reads_only_what_they_can_already_see(library, partner_user, other_partner):
    assert search(partner_user) == [library["council"]]
    assert search(other_partner) == []


def test_call_handler_and_web_editor_see_no_closed_evaluations(library, call_handler, web_editor):
    assert search(call_handler) == [] and search(web_editor) == []


def test_full_text_search_finds_words_in_the_problem_and_the_evaluation(library, pcso):
    assert search(pcso, q="seafront shelters") == [library["lit"]]
    assert search(pcso, q="dispersal") == [library["lit"]]  # only in what worked
    assert set(search(pcso, q="cameras")) == {library["council"], library["graffiti"]}
    # One word in the problem, the other only in the evaluation.
    assert search(pcso, q="shelters dispersal") == [library["lit"]]
    assert search(pcso, q="helicopter") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL full-text search")
def test_postgres_search_stems_words(library, pcso):
    assert search(pcso, q="drinking lights") == [library["lit"]]


def test_filters(library, pcso, coastal, neighbourhood):
    assert search(pcso, rating="red") == [library["dealing"]]
    assert search(pcso, category="drugs") == [library["dealing"]]
    assert search(pcso, tag="cctv") == [library["graffiti"]]
    assert search(pcso, response_type="prevention") == [library["lit"]]
    assert search(pcso, best_practice="1") == [library["lit"]]
    assert {e.pk for e in search(pcso, district=str(neighbourhood.district_id))} == {library["graffiti"].pk}
    green_on_the_coast = search(pcso, q="seafront", rating="green", district=str(coastal.district_id))
    assert set(green_on_the_coast) == {library["lit"], library["council"]}


def test_bad_filter_values_are_ignored_not_errors(library, pcso):
    assert len(search(pcso, rating="purple", response_type="magic", district="x; drop table")) == 4


def test_similar_problems_same_category_character_and_words(library, pcso, other_officer, coastal, category):
    new = f.ProblemFactory(
        title="Drinking in the seafront shelters again",
        problem_statement="Adults drinking in seafront shelters at night.",
        neighbourhood=coastal,
        category=category,
        owner=other_officer,
    )
    similar = list(insight.similar_problems(user=other_officer, problem=new))
    # The lit shelters share the most words; the council's car park shares 'seafront' but the officer
    # may read it too; the drugs problem is another category, the graffiti another kind of neighbourhood.
    assert similar[0] == library["lit"]
    assert library["dealing"] not in similar and library["graffiti"] not in similar
    assert set(similar) <= {library["lit"], library["council"]}
    assert list(insight.similar_problems(user=other_officer, problem=library["lit"].problem)) == [library["council"]]


def test_similar_problems_respect_the_partners_scope(library, partner_user, coastal, category):
    new = f.ProblemFactory(
        title="Drinking in the seafront shelters",
        problem_statement="Drinking in seafront shelters.",
        neighbourhood=coastal,
        category=category,
        owner=partner_user,
    )
    assert list(insight.similar_problems(user=partner_user, problem=new)) == [library["council"]]


def test_good_practice_writeup(library, pcso, partner_user):
    problem = library["lit"].problem
    writeup = insight.good_practice_writeup(user=pcso, problem_id=problem.pk)
    assert writeup["problem"] == problem and writeup["partners"] == ["Kent Police"]
    with pytest.raises(m.Evaluation.DoesNotExist):
        insight.good_practice_writeup(user=pcso, problem_id=library["graffiti"].problem_id)  # not best practice
    with pytest.raises(m.Evaluation.DoesNotExist):
        insight.good_practice_writeup(user=partner_user, problem_id=problem.pk)  # not theirs to see


def test_library_permission_predicate(library, pcso, partner_user):
    problem = library["lit"].problem
    assert pcso.has_perm("jps.read_in_library", problem)
    assert not pcso.has_perm("jps.see_problem", problem)
    assert not partner_user.has_perm("jps.read_in_library", problem)
    assert partner_user.has_perm("jps.read_in_library", library["council"].problem)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes are PostgreSQL's")
def test_search_can_use_the_gin_indexes(library, pcso):
    from django.contrib.postgres.search import SearchQuery, SearchVector

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = (
        m.Problem.objects.annotate(document=SearchVector(*insight.PROBLEM_SEARCH_FIELDS, config="english"))
        .filter(document=SearchQuery("seafront", config="english", search_type="websearch"))
        .explain()
    )
    assert "problem_search_gin" in plan
    plan = (
        m.Evaluation.objects.annotate(document=SearchVector(*insight.EVALUATION_SEARCH_FIELDS, config="english"))
        .filter(document=SearchQuery("seafront", config="english", search_type="websearch"))
        .explain()
    )
    assert "evaluation_search_gin" in plan
