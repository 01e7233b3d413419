"""bench/generate.py at its floor, so a new field cannot quietly break the national data set."""

from __future__ import annotations

import pytest
from django.db import connection

from jps import models as m
from tests.db_roles import as_owner

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the generator is PostgreSQL's"),
]


def test_the_generator_fills_every_table_and_leaves_no_default_behind():
    from bench import generate

    with as_owner():  # it sets and drops column defaults, as the bench's superuser does
        timings = generate.generate(0.0001, quiet=True)  # the floor: 1,000 problems in 43 forces

    assert {"forces", "problems"} <= set(timings)
    counts = generate.counts()
    assert counts["jps_problem"] == 1000 and counts["jps_neighbourhood"] > 0 and counts["jps_user"] > 0
    assert counts["jps_stagechange"] >= counts["jps_problem"] and counts["jps_historicalproblem"] > 0
    # A field the steps do not name took its blank value (the Welsh twins, the team page's consent).
    assert not m.Problem.objects.exclude(public_title_cy="").exists()
    assert not m.User.objects.filter(publish_on_team_page=True).exclude(pk__lte=0).exists()
    with connection.cursor() as cursor:  # and the defaults were for the generation only
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND table_name = 'jps_problem' AND column_name = 'public_title_cy' AND column_default IS NOT NULL"
        )
        assert cursor.fetchone()[0] == 0
