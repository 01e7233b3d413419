"""``load_boundaries`` and ``import_users`` in bulk: the row-by-row rules kept, a summary line, history rows.

PostgreSQL takes the COPY path (a few statements for any number of rows), SQLite the batched
one; the same inputs give the same tables and the same messages on either.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from jps.models import Neighbourhood, User
from jps.user_bulk import IMPORT_REASON
from tests import factories as f

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[1.0, 51.0], [1.1, 51.0], [1.1, 51.1], [1.0, 51.0]]]}
OTHER = {"type": "Polygon", "coordinates": [[[2.0, 52.0], [2.1, 52.0], [2.1, 52.1], [2.0, 52.0]]]}
HEADER = "username,email,name,role,agency,district,neighbourhood\n"


def feature(geometry, **props):  # type: ignore[no-untyped-def]
    return {"type": "Feature", "properties": props, "geometry": geometry}


def boundaries(tmp_path, capsys, *features, progress=False):  # type: ignore[no-untyped-def]
    path = tmp_path / "wards.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}))
    call_command("load_boundaries", str(path), *(["--progress"] if progress else []))
    return capsys.readouterr()


def test_boundaries_match_by_slug_then_name_and_report_what_they_reject(tmp_path, capsys, district, other_district):
    harbour = f.NeighbourhoodFactory(district=district, name="Harbour", slug="harbour")
    castle = f.NeighbourhoodFactory(district=district, name="Castle Ward", public_name="Castle", slug="castle-ward")
    f.NeighbourhoodFactory(district=district, name="Central", slug="central-a")
    f.NeighbourhoodFactory(district=other_district, name="Central", slug="central-b")
    out = boundaries(
        tmp_path,
        capsys,
        feature(OTHER, slug="HARBOUR"),  # by slug, any case
        feature(SQUARE, name="castle"),  # by public name
        feature(SQUARE, name="Central"),  # two of that name: rejected
        feature({"type": "Point", "coordinates": [1, 51]}, name="Harbour"),  # not a polygon
        feature(SQUARE, slug="nowhere"),  # unknown
        feature(SQUARE, slug="harbour", name="ignored"),  # the last feature for a ward wins
    )
    harbour.refresh_from_db()
    castle.refresh_from_db()
    assert (harbour.boundary, castle.boundary) == (SQUARE, SQUARE)
    assert out.err.splitlines() == [
        "Not matched: Central",
        "Not matched: Harbour (not a polygon)",
        "Not matched: nowhere",
    ]
    assert out.out.startswith("load_boundaries: 2 updated, 0 unchanged, 3 rejected in ")
    # Loading the same file again rewrites nothing; a changed ward is updated.
    out = boundaries(tmp_path, capsys, feature(SQUARE, slug="harbour"), feature(OTHER, name="Castle Ward"))
    assert out.out.startswith("load_boundaries: 1 updated, 1 unchanged, 0 rejected in ")
    assert Neighbourhood.objects.get(pk=castle.pk).boundary == OTHER


def test_the_progress_bar_shows_only_when_asked_off_a_terminal(tmp_path, capsys, neighbourhood):
    quiet = boundaries(tmp_path, capsys, feature(SQUARE, name=neighbourhood.name))
    assert quiet.err == ""
    shown = boundaries(tmp_path, capsys, feature(SQUARE, name=neighbourhood.name), progress=True)
    assert "boundaries: 100%" in shown.err and "1/1" in shown.err


def test_boundaries_on_postgresql_are_set_based(tmp_path, capsys, district, django_assert_max_num_queries):
    if connection.vendor != "postgresql":
        pytest.skip("the COPY path is PostgreSQL's")
    Neighbourhood.objects.bulk_create(
        Neighbourhood(district=district, name=f"Ward {n}", slug=f"ward-{n}") for n in range(500)
    )
    with django_assert_max_num_queries(12):
        out = boundaries(tmp_path, capsys, *(feature(SQUARE, slug=f"ward-{n}") for n in range(500)))
    assert out.out.startswith("load_boundaries: 500 updated, 0 unchanged, 0 rejected")


def import_file(tmp_path, text: str, *args: str) -> None:
    path = tmp_path / "staff.csv"
    path.write_text(HEADER + text)
    call_command("import_users", str(path), *args)


def test_import_summary_history_and_scopes(tmp_path, capsys, council, district, neighbourhood, other_neighbourhood):
    f.UserFactory(username="Existing.One", email="old@council.example", agency=council, neighbourhoods=[neighbourhood])
    import_file(
        tmp_path,
        f"new.one,new@council.example,New One,partner,{council.name},,{neighbourhood.name}\n"
        f"existing.one,new@council.example,Ex One,partner,{council.name},,{neighbourhood.name}\n",
    )
    assert (
        capsys.readouterr()
        .out.splitlines()[-1]
        .startswith("import_users: 1 created, 1 updated, 0 unchanged, 0 rejected in ")
    )
    new, existing = User.objects.get(username="new.one"), User.objects.get(username="Existing.One")
    assert not new.has_usable_password() and list(new.neighbourhoods.all()) == [neighbourhood]
    assert (existing.email, existing.first_name) == ("new@council.example", "Ex")
    assert [h.history_type for h in new.history.all()] == ["+"]
    assert new.history.get().history_change_reason == IMPORT_REASON
    assert existing.history.latest().history_change_reason == IMPORT_REASON
    # Again: nothing changed, so no history rows; moving someone's ward is an update (their scope).
    before = User.history.count()
    import_file(
        tmp_path,
        f"new.one,new@council.example,New One,partner,{council.name},,{other_neighbourhood.name}\n"
        f"existing.one,new@council.example,Ex One,partner,{council.name},{district.name},\n",
    )
    assert "import_users: 0 created, 2 updated, 0 unchanged, 0 rejected" in capsys.readouterr().out
    assert User.history.count() == before
    assert list(new.neighbourhoods.all()) == [other_neighbourhood]
    assert (list(existing.districts.all()), list(existing.neighbourhoods.all())) == ([district], [])
    import_file(
        tmp_path,
        f"new.one,new@council.example,New One,partner,{council.name},,{other_neighbourhood.name}\n",
    )
    assert "import_users: 0 created, 0 updated, 1 unchanged, 0 rejected" in capsys.readouterr().out


def test_a_bad_file_reports_every_row_and_a_summary(tmp_path, capsys, council, neighbourhood):
    with pytest.raises(CommandError, match="3 problem"):
        import_file(
            tmp_path,
            f"ok,ok@x.example,Ok,partner,{council.name},,{neighbourhood.name}\n"
            f"bad,not-an-email,Bad,partner,{council.name},,{neighbourhood.name}\n"
            f"ok,ok2@x.example,Again,partner,{council.name},,{neighbourhood.name}\n"
            f"lost,l@x.example,Lost,partner,{council.name},,Atlantis\n",
        )
    out, err = capsys.readouterr()
    assert "import_users: 0 created, 0 updated, 0 unchanged, 3 rejected in " in out
    assert err.splitlines()[0] == "Line 3: 'not-an-email' is not an email address."
    assert "Line 4: username 'ok' already appears on line 2." in err
    assert "Line 5: neighbourhood 'Atlantis' is unknown" in err
    assert not User.objects.filter(username="ok").exists()


def test_import_on_postgresql_is_a_few_statements_for_many_rows(
    tmp_path, capsys, council, neighbourhood, district, django_assert_max_num_queries
):
    if connection.vendor != "postgresql":
        pytest.skip("the COPY path is PostgreSQL's")
    rows = "".join(
        f"user{n},u{n}@x.example,User {n},officer,{council.name},{district.name},{neighbourhood.name}\n"
        for n in range(1500)
    )
    with django_assert_max_num_queries(40):  # 1,500 users in batches of 1,000; the emails are queued on commit
        import_file(tmp_path, rows)
    assert "import_users: 1,500 created" in capsys.readouterr().out
    assert (
        User.objects.filter(username__startswith="user", districts=district, neighbourhoods=neighbourhood).count()
        == 1500
    )
    assert User.history.filter(username__startswith="user", history_type="+").count() == 1500
