"""List endpoints run the same number of SQL queries for 2 rows as for 20."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jps import models as m
from tests import factories as f

from .conftest import client_for

pytestmark = pytest.mark.django_db


def _fill(n: int, *, owner, neighbourhood, category, council, analyst) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        problem = f.ProblemFactory(owner=owner, neighbourhood=neighbourhood, category=category)
        m.Participation.objects.create(problem=problem, agency=council)
        m.Action.objects.create(
            problem=problem, action_type="prevention", description=f"Act {i}", agency=council, created_by=owner
        )
        m.SupervisoryReview.objects.create(
            problem=problem, reviewer=owner, comment="ok", decision="continue", stage_at_review="scanning"
        )
        m.ProgressUpdate.objects.create(problem=problem, author=owner, text=f"Note {i}")
        closed = f.ProblemFactory(owner=owner, neighbourhood=neighbourhood, category=category, stage="closed")
        evaluation = m.Evaluation.objects.create(problem=closed, analyst=analyst, rating="green", learning="x")
        tag, _ = m.BestPracticeTag.objects.get_or_create(slug=f"t{i % 3}", defaults={"name": f"T{i % 3}"})
        evaluation.tags.add(tag)
        m.LearningNeed.objects.create(evaluation=evaluation, district=neighbourhood.district, skill="Mapping")
        f.NeighbourhoodFactory(district=neighbourhood.district)
        f.AgencyFactory(force=neighbourhood.district.force)
        f.DistrictFactory(force=neighbourhood.district.force)


def _count(client, path: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, {"page_size": 200})
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()["count"]


PATHS = [
    "/api/problems/",
    "/api/actions/",
    "/api/reviews/",
    "/api/updates/",
    "/api/evaluations/",
    "/api/neighbourhoods/",
    "/api/districts/",
    "/api/agencies/",
]


def test_list_query_count_does_not_grow_with_rows(admin_user, pcso, neighbourhood, category, council, analyst):
    client = client_for(admin_user)
    args = {"owner": pcso, "neighbourhood": neighbourhood, "category": category, "council": council}
    _fill(2, analyst=analyst, **args)
    small = {path: _count(client, path) for path in PATHS}
    _fill(18, analyst=analyst, **args)
    large = {path: _count(client, path) for path in PATHS}
    for path in PATHS:
        (q_small, n_small), (q_large, n_large) = small[path], large[path]
        assert n_large >= n_small + 18, path
        assert q_small == q_large, f"{path}: {q_small} queries for {n_small} rows, {q_large} for {n_large}"


def test_partner_list_query_count_is_constant(partner_user, pcso, neighbourhood, category, council, analyst):
    client = client_for(partner_user)
    args = {"owner": pcso, "neighbourhood": neighbourhood, "category": category, "council": council}
    _fill(2, analyst=analyst, **args)
    small = [_count(client, p)[0] for p in ("/api/problems/", "/api/actions/")]
    _fill(18, analyst=analyst, **args)
    large = [_count(client, p)[0] for p in ("/api/problems/", "/api/actions/")]
    assert small == large
