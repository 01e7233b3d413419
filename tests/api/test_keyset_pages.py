"""Keyset pages of the problem list (``?cursor=``): same rows and order as numbered pages, any depth."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jps import models as m
from tests import factories as f

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(pcso, neighbourhood, category, other_neighbourhood, council):  # type: ignore[no-untyped-def]
    """Seven problems in the PCSO's district (two created at the same instant) and three elsewhere."""
    start = timezone.now() - datetime.timedelta(days=30)
    mine = []
    for i in range(7):
        p = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category)
        created = start + datetime.timedelta(days=min(i, 5))  # i = 5 and 6 tie
        m.Problem.objects.filter(pk=p.pk).update(created_at=created)
        mine.append(p.pk)
    other_owner = f.UserFactory(role=m.User.Role.OFFICER, agency=pcso.agency)
    for _ in range(3):
        p = f.ProblemFactory(owner=other_owner, neighbourhood=other_neighbourhood, category=category)
        m.Participation.objects.create(problem=p, agency=council)
    return mine


def _walk(client, **params) -> tuple[list[int], int]:  # type: ignore[no-untyped-def]
    response = client.get("/api/problems/", {"cursor": "", **params})
    assert response.status_code == 200, response.content
    seen, pages = [], 0
    while True:
        body = response.json()
        assert body["count"] is None
        seen += [p["id"] for p in body["results"]]
        pages += 1
        if not body["next"]:
            return seen, pages
        response = client.get(body["next"])
        assert response.status_code == 200


def test_keyset_pages_give_every_visible_problem_once_in_the_numbered_order(many, pcso):
    client = client_for(pcso)
    numbered = [p["id"] for p in client.get("/api/problems/", {"page_size": 100}).json()["results"]]
    seen, pages = _walk(client, page_size=2)
    assert seen == numbered and sorted(seen) == sorted(many)
    assert pages == 4
    oldest_first, _ = _walk(client, page_size=3, ordering="created_at")
    assert oldest_first == [p["id"] for p in client.get("/api/problems/", {"ordering": "created_at"}).json()["results"]]


def test_keyset_pages_stay_in_scope_and_filters_apply(many, partner_user, pcso):
    seen, _ = _walk(client_for(partner_user), page_size=2)
    assert len(seen) == 3 and not set(seen) & set(many)  # the council takes part in the three others only
    filtered, _ = _walk(client_for(pcso), page_size=2, stage="analysis")
    assert filtered == []


def test_numbered_pages_are_unchanged(many, pcso):
    body = client_for(pcso).get("/api/problems/", {"page_size": 5, "page": 2}).json()
    assert body["count"] == 7 and len(body["results"]) == 2 and body["next"] is None


def test_keyset_needs_a_never_null_sort_key(many, pcso):
    response = client_for(pcso).get("/api/problems/", {"cursor": "", "ordering": "next_review_due"})
    assert response.status_code == 400 and "ordering" in response.json()
    assert client_for(pcso).get("/api/problems/", {"cursor": "not-a-cursor"}).status_code == 404


def test_a_keyset_page_counts_nothing_and_skips_nothing(many, pcso):
    client = client_for(pcso)
    second = client.get("/api/problems/", {"cursor": "", "page_size": 2}).json()["next"]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(second).status_code == 200
    sql = " ".join(q["sql"].upper() for q in ctx.captured_queries)
    assert "COUNT(" not in sql and "OFFSET" not in sql


def test_schema_documents_the_cursor(client):  # type: ignore[no-untyped-def]
    schema = client.get("/api/schema/?format=json").json()
    params = {p["name"] for p in schema["paths"]["/api/problems/"]["get"]["parameters"]}
    assert {"page", "page_size", "cursor"} <= params
