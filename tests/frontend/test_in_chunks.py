"""CSV downloads stream in chunks by id, in the list's order, without a server-side cursor (PgBouncer-safe)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frontend.http import in_chunks
from jps import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_every_object_in_the_querysets_order_a_chunk_at_a_time(pcso, neighbourhood, category):
    problems = [f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category) for _ in range(5)]
    wanted = m.Problem.objects.filter(pk__in=[p.pk for p in problems[1:]]).order_by("-pk")
    with CaptureQueriesContext(connection) as ctx:
        got = [p.pk for p in in_chunks(wanted, size=2)]
    assert got == sorted((p.pk for p in problems[1:]), reverse=True)
    assert len(ctx.captured_queries) == 1 + 2  # the ids, then two chunks of two
    assert not any("DECLARE" in q["sql"].upper() for q in ctx.captured_queries)
    assert list(in_chunks(m.Problem.objects.none())) == []
