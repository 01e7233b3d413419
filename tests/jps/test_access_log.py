from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from jps import services
from jps.models import ProblemView
from tests.db_roles import as_owner

pytestmark = pytest.mark.django_db


def test_views_are_logged(problem, pcso, partner_user):
    services.problem_view_record(user=partner_user, problem=problem, channel="api", request_id="r-1")
    services.problem_view_record(user=pcso, problem=problem, channel="web")
    assert ProblemView.objects.filter(problem=problem).count() == 2
    assert ProblemView.objects.get(user=partner_user).request_id == "r-1"


def test_the_access_log_cannot_be_changed_or_deleted(problem, pcso):
    view = services.problem_view_record(user=pcso, problem=problem, channel="web")
    with pytest.raises(PermissionError):
        view.save()
    with pytest.raises(PermissionError):
        view.delete()
    with pytest.raises(PermissionError):
        ProblemView.objects.filter(pk=view.pk).update(channel="api")
    with pytest.raises(PermissionError):
        ProblemView.objects.all().delete()


def test_the_database_itself_refuses_changes_on_postgresql(problem, pcso):
    view = services.problem_view_record(user=pcso, problem=problem, channel="web")
    if connection.vendor != "postgresql":
        assert connection.vendor == "sqlite"  # the trigger is PostgreSQL's; the ORM guard above covers SQLite
        return
    # The trigger holds even for the owner, who has the privileges (the application's role has not:
    # tests/security/test_db_roles.py).
    with as_owner():
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE jps_problemview SET channel = 'api' WHERE id = %s", [view.pk])
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM jps_problemview WHERE id = %s", [view.pk])


def test_admin_offers_no_way_to_edit_the_log(admin_client, problem, admin_user):
    view = services.problem_view_record(user=admin_user, problem=problem, channel="web")
    assert admin_client.get("/admin/jps/problemview/").status_code == 200
    assert admin_client.get(f"/admin/jps/problemview/{view.pk}/delete/").status_code == 403
    assert admin_client.post(f"/admin/jps/problemview/{view.pk}/change/", {"channel": "api"}).status_code == 403
    assert ProblemView.objects.get(pk=view.pk).channel == "web"
