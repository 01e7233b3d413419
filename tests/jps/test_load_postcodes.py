"""``load_postcodes``: set-based on PostgreSQL (COPY, one match, one upsert), batched on SQLite.

Both paths keep the row-by-row load's rules, so the same file gives the same table on either.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from jps.models import Postcode
from tests.factories import DistrictFactory, NeighbourhoodFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wards():  # type: ignore[no-untyped-def]
    east, west = DistrictFactory(name="East"), DistrictFactory(name="West")
    return {
        "harbour": NeighbourhoodFactory(name="Harbour", district=east),
        "east_central": NeighbourhoodFactory(name="Central", slug="central-east", district=east),
        "west_central": NeighbourhoodFactory(name="Central", slug="central-west", district=west),
    }


def load(tmp_path, text: str, capsys) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    csv_file = tmp_path / "postcodes.csv"
    csv_file.write_text(text)
    call_command("load_postcodes", str(csv_file), no_progress=True)
    captured = capsys.readouterr()
    return captured.out, captured.err


def mapping() -> dict[str, tuple[str, int]]:
    return {pc.postcode: (pc.outward, pc.neighbourhood_id) for pc in Postcode.objects.all()}


def test_the_bulk_load_matches_upserts_and_reports(tmp_path, capsys, wards):
    out, err = load(
        tmp_path,
        "postcode,neighbourhood,district\n"
        "ct1 2ab,HARBOUR,\n"  # by name, any case
        "CT12AC,central-east,\n"  # by slug
        "CT1 2AD,Central,west\n"  # by name within the district's slug
        "CT1 2AE,Central,\n"  # two of that name: ambiguous, skipped
        "nonsense,Harbour,\n"  # bad postcode, skipped
        "CT1 2AF,Nowhere,\n"  # unknown, skipped
        "ct1 2ab,central-west,\n",  # the last row of a postcode wins
        capsys,
    )
    assert mapping() == {
        "CT1 2AB": ("CT1", wards["west_central"].id),
        "CT1 2AC": ("CT1", wards["east_central"].id),
        "CT1 2AD": ("CT1", wards["west_central"].id),
    }
    assert out.splitlines()[-1].startswith("load_postcodes: 3 created, 0 updated, 0 unchanged, 3 rejected in ")
    assert err.splitlines() == [
        "line 5: unknown or ambiguous neighbourhood",
        "line 6: bad postcode",
        "line 7: unknown or ambiguous neighbourhood",
    ]


def test_reloading_moves_a_postcode_and_adds_new_ones(tmp_path, capsys, wards):
    load(tmp_path, "postcode,neighbourhood\nCT1 2AB,harbour\n", capsys)
    out, _ = load(tmp_path, "postcode,neighbourhood\nCT1 2AB,central-east\nME4 4QU,harbour\n", capsys)
    assert mapping() == {"CT1 2AB": ("CT1", wards["east_central"].id), "ME4 4QU": ("ME4", wards["harbour"].id)}
    assert "load_postcodes: 1 created, 1 updated, 0 unchanged, 0 rejected in " in out
    out, _ = load(tmp_path, "postcode,neighbourhood\nCT1 2AB,central-east\n", capsys)
    assert "load_postcodes: 0 created, 0 updated, 1 unchanged, 0 rejected in " in out


def test_on_postgresql_the_load_is_set_based(tmp_path, capsys, wards, django_assert_max_num_queries):
    """A few statements for any number of rows: COPY into staging, one match, one upsert."""
    if connection.vendor != "postgresql":
        pytest.skip("the COPY path is PostgreSQL's")
    rows = "".join(
        f"CT{n // 1000 + 1} {n % 10}{chr(65 + n // 10 % 26)}{chr(65 + n // 260 % 26)},harbour\n" for n in range(3000)
    )
    with django_assert_max_num_queries(10):
        out, _ = load(tmp_path, "postcode,neighbourhood\n" + rows, capsys)
    assert Postcode.objects.count() == 3000
    assert "load_postcodes: 3,000 created, 0 updated, 0 unchanged, 0 rejected" in out
