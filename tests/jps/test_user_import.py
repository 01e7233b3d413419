from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from jps.models import Agency, District, Neighbourhood, User
from jps.user_import import users_import_csv

pytestmark = pytest.mark.django_db

HEADER = "username,email,name,role,agency,district,neighbourhood\n"


def test_imports_users_into_known_agencies_and_areas(council, neighbourhood, district):
    csv = HEADER + (
        f"tom.hale,tom@council.example,Tom Hale,partner,{council.name},,{neighbourhood.name}\n"
        f"dan.mercer,dan@police.example,Dan Mercer,supervisor,{council.name},{district.name},\n"
    )
    result = users_import_csv(stream=io.StringIO(csv))
    assert result.ok, result.errors
    tom = User.objects.get(username="tom.hale")
    assert (tom.role, tom.agency, tom.first_name, tom.last_name) == ("partner", council, "Tom", "Hale")
    assert list(tom.neighbourhoods.all()) == [neighbourhood]
    assert not tom.has_usable_password()  # they choose one through the reset email
    assert User.objects.get(username="dan.mercer").scope_district_ids == {district.pk}


def test_a_file_with_errors_imports_nothing_and_reports_every_bad_row(council, neighbourhood):
    csv = HEADER + (
        f"good.user,good@x.example,Good User,partner,{council.name},,{neighbourhood.name}\n"
        f"bad.email,not-an-email,Bad Email,partner,{council.name},,{neighbourhood.name}\n"
        f"bad.role,r@x.example,Bad Role,sheriff,{council.name},,{neighbourhood.name}\n"
        f"no.area,n@x.example,No Area,officer,{council.name},,\n"
        f"unknown.agency,u@x.example,Unknown,partner,Nowhere Trust,,{neighbourhood.name}\n"
        f"good.user,g2@x.example,Again,partner,{council.name},,{neighbourhood.name}\n"
    )
    result = users_import_csv(stream=io.StringIO(csv))
    assert not result.ok
    joined = "\n".join(result.errors)
    assert "Line 3" in joined and "not an email address" in joined
    assert "Line 4" in joined and "sheriff" in joined
    assert "Line 5" in joined and "district or a neighbourhood" in joined
    assert "Line 6" in joined and "Nowhere Trust" in joined
    assert "Line 7" in joined and "line 2" in joined
    assert not User.objects.filter(username="good.user").exists()


def test_missing_columns_are_reported(db):
    result = users_import_csv(stream=io.StringIO("username,email\nx,x@y.example\n"))
    assert result.errors == ["The file lacks the column(s): name, role, agency."]


def test_creates_unknown_agencies_and_areas_only_when_told(force, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text(HEADER + "w1,w1@wardens.example,Wanda Warden,partner,County Wardens,Swale,Sheerness\n")
    with pytest.raises(CommandError):
        call_command("import_users", str(path), "--force", force.code)
    assert not Agency.objects.filter(name="County Wardens").exists()
    call_command("import_users", str(path), "--force", force.code, "--create-missing")
    user = User.objects.get(username="w1")
    assert user.agency.name == "County Wardens"
    assert District.objects.get(name="Swale").force == force
    assert Neighbourhood.objects.get(name="Sheerness").district.name == "Swale"
    # Importing again updates rather than duplicating.
    call_command("import_users", str(path), "--force", force.code)
    assert User.objects.filter(username="w1").count() == 1
