"""bench/people.py at a tiny scale, so the national benchmark of people and places cannot rot."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F

from jps import models as m

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the generator and the plans are PostgreSQL's"),
]


def test_generates_people_places_and_links_then_measures_every_case(world, partner_user, tmp_path):  # type: ignore[no-untyped-def]
    from bench import people

    people.generate(0.0001, bulk=False, quiet=True)  # the floor: 20 of everything, on the world's 4 problems
    assert m.Person.objects.count() == 60 and m.Place.objects.count() == 30
    assert m.ProblemPerson.objects.exclude(person__force_id=F("problem__force_id")).count() == 0  # own force only
    assert not m.ProblemPerson.objects.filter(person__merged_into__isnull=False).exists()  # merges moved them
    assert all(p.links.exists() for p in m.Place.objects.all())

    rows = people.run(runs=2, only={"search", "repeat", "api"}, plans_dir=tmp_path)

    assert {r.group for r in rows} == {"search", "repeat", "api"} and len(rows) == 19
    assert all(r.median_ms > 0 and r.p95_ms >= r.median_ms and r.queries > 0 and r.plan for r in rows)
    exact = next(r for r in rows if r.what.startswith("person, exact-ish"))
    assert exact.found and exact.found >= 1  # the name searched for is a person the officer sees
    assert len(list(tmp_path.glob("*.txt"))) == 19 and "| group |" in people.markdown(rows)


def test_the_plan_check_names_a_missing_index_and_a_sequential_scan():  # type: ignore[no-untyped-def]
    from bench.people import TRGM, Case, plan_check

    case = Case("search", "person", lambda: 0, (TRGM["person"],))
    good = "Bitmap Index Scan on person_force_name_trgm\n  Index Cond: ((force_id = '1'::bigint) AND ...)"
    assert plan_check(case, [good]) == ("ok", "person_force_name_trgm")
    verdict, _used = plan_check(case, ["Seq Scan on jps_person  (cost=0.00..13117.99 rows=1714 width=0)"])
    assert "no " in verdict and "seq scan of jps_person" in verdict


def test_a_misspelling_changes_one_vowel():  # type: ignore[no-untyped-def]
    from bench.people import _misspell

    assert _misspell("John Smith") == "John Smyth"
    assert _misspell("Manor Drive", word=0) == "Menor Drive"
