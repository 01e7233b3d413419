"""Every read of a problem's personal data writes the access log: one row per problem, with its channel.

Hole 5 of issue 16: problem lists (full records), analysis, assessment, history, the CSV export,
the admin's change pages and the subject-access export wrote nothing. Lists are logged with one
INSERT for the whole page, however many problems it holds.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jps import models as m
from jps import services
from jps.models import ProblemView
from tests import factories as f
from tests.api.conftest import client_for
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db

API = ProblemView.Channel.API


def logged(**filters: object) -> list[tuple[int, int, str]]:
    """The access log as (problem id, user id, channel), oldest first."""
    rows = ProblemView.objects.filter(**filters).order_by("id")
    return list(rows.values_list("problem_id", "user_id", "channel"))


def log_inserts(ctx: CaptureQueriesContext) -> int:
    return sum(1 for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith('INSERT INTO "JPS_PROBLEMVIEW"'))


@pytest.fixture
def many(pcso, neighbourhood, category) -> list[m.Problem]:  # type: ignore[no-untyped-def]
    return [f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category) for _ in range(12)]


# --- the API -------------------------------------------------------------------------------------


def test_api_list_logs_each_problem_on_the_page_with_one_insert(pcso, many):
    client = client_for(pcso)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/problems/", {"page_size": 10})
    assert response.status_code == 200
    shown = [row["id"] for row in response.json()["results"]]
    assert len(shown) == 10
    assert log_inserts(ctx) == 1
    assert logged() == [(pk, pcso.pk, API) for pk in shown]
    assert set(ProblemView.objects.values_list("request_id", flat=True)) == {response["X-Request-ID"]}

    second = client.get("/api/problems/", {"page_size": 10, "page": 2}).json()["results"]
    assert len(second) == 2
    assert ProblemView.objects.count() == 12  # only the page's problems, not the whole list


def test_api_keyset_page_is_logged_too(partner_user, pcso, many, council):
    for problem in many[:3]:
        m.Participation.objects.create(problem=problem, agency=council)
    with CaptureQueriesContext(connection) as ctx:
        response = client_for(partner_user).get("/api/problems/", {"cursor": "", "page_size": 50})
    shown = [row["id"] for row in response.json()["results"]]
    assert sorted(shown) == sorted(p.pk for p in many[:3])
    assert log_inserts(ctx) == 1
    assert logged() == [(pk, partner_user.pk, API) for pk in shown]


def test_an_empty_list_writes_nothing(other_officer, many):
    with CaptureQueriesContext(connection) as ctx:
        response = client_for(other_officer).get("/api/problems/")
    assert response.json()["results"] == []
    assert log_inserts(ctx) == 0


def test_api_detail_is_logged(pcso, problem):
    response = client_for(pcso).get(f"/api/problems/{problem.pk}/")
    assert response.status_code == 200
    assert logged() == [(problem.pk, pcso.pk, API)]
    assert ProblemView.objects.get().request_id == response["X-Request-ID"]


@pytest.mark.parametrize("part", ["analysis", "assessment", "history", "contacts"])
def test_api_parts_of_a_problem_are_logged(pcso, problem, part):
    services.analysis_save(problem=problem, by=pcso, victim="Jane Marple at number 14", offender="John Smith")
    services.assessment_save(problem=problem, by=pcso, outcome="eliminated", objective_met="Yes")
    services.contact_add(problem=problem, by=pcso, kind="victim", name="Jane Marple", preferred_method="phone")
    response = client_for(pcso).get(f"/api/problems/{problem.pk}/{part}/")
    assert response.status_code == 200
    assert logged() == [(problem.pk, pcso.pk, API)]
    assert ProblemView.objects.get().request_id == response["X-Request-ID"]


def test_api_refused_or_missing_reads_log_nothing(partner_user, other_officer, problem, pcso):
    """A 404 (out of sight) or 403 (no contacts permission) shows nothing, so logs nothing."""
    assert client_for(other_officer).get(f"/api/problems/{problem.pk}/analysis/").status_code == 404
    m.Participation.objects.create(problem=problem, agency=partner_user.agency)
    assert client_for(pcso).get(f"/api/problems/{problem.pk}/analysis/").status_code == 404  # no analysis yet
    assert not ProblemView.objects.exists()


# --- the web -------------------------------------------------------------------------------------


def test_web_problem_page_is_logged(client, pcso, problem):
    client.force_login(pcso)
    response = client.get(reverse("problem", args=[problem.pk]))
    assert response.status_code == 200
    assert logged() == [(problem.pk, pcso.pk, ProblemView.Channel.WEB)]
    assert ProblemView.objects.get().request_id == response["X-Request-ID"]


def test_web_evaluation_page_logs_the_request_id_the_server_gave(client, analyst, pcso, problem):
    """The insight pages stored the client's X-Request-ID header; now the id the server assigned."""
    m.Problem.objects.filter(pk=problem.pk).update(stage=m.Stage.CLOSED, closed_at=timezone.now())
    client.force_login(analyst)
    response = client.get(reverse("insight_evaluate", args=[problem.pk]))
    assert response.status_code == 200
    assert logged() == [(problem.pk, analyst.pk, ProblemView.Channel.WEB)]
    assert ProblemView.objects.get().request_id == response["X-Request-ID"] != ""


def test_web_problem_list_shows_no_personal_data_so_logs_nothing(client, pcso, many):
    """The list page shows reference, title, stage, place, category, owner and review date:
    no originator, description or contact, so it is not an access to personal data. If a column
    of personal data is ever added, this test fails and the list must be logged like the API's."""
    client.force_login(pcso)
    body = client.get(reverse("problem_list")).content.decode()
    assert many[0].reference in body
    assert many[0].originator not in body and many[0].description not in body
    assert not ProblemView.objects.exists()


# --- the CSV -------------------------------------------------------------------------------------


def test_csv_logs_every_row_in_chunks_as_it_streams(client, pcso, many, monkeypatch):
    from frontend.views import lists

    monkeypatch.setattr(lists, "CSV_LOG_CHUNK", 5)
    client.force_login(pcso)
    response = client.get(reverse("problem_csv"))
    assert not ProblemView.objects.exists()  # nothing read yet: the rows are logged as they stream
    with CaptureQueriesContext(connection) as ctx:
        table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    references = [row[0] for row in table[1:]]
    assert len(references) == 12
    assert log_inserts(ctx) == 3  # chunks of 5, 5 and 2
    by_reference = dict(m.Problem.objects.values_list("reference", "pk"))
    assert logged() == [(by_reference[r], pcso.pk, ProblemView.Channel.CSV) for r in references]
    assert ProblemView.objects.filter(request_id=response["X-Request-ID"]).count() == 12


# --- the admin -----------------------------------------------------------------------------------


@pytest.fixture
def case_file(problem, pcso):  # type: ignore[no-untyped-def]
    contact = services.contact_add(
        problem=problem, by=pcso, kind="victim", name="Jane Marple", preferred_method="phone"
    )
    analysis = services.analysis_save(problem=problem, by=pcso, victim="Jane Marple", offender="John Smith")
    update = services.update_add(problem=problem, by=pcso, text="Visited Jane Marple at home")
    assessment = services.assessment_save(problem=problem, by=pcso, outcome="eliminated", evidence="Jane says so")
    review = m.SupervisoryReview.objects.create(
        problem=problem, reviewer=pcso, comment="Call Jane back", decision="continue", stage_at_review="scanning"
    )
    return {
        "problem": problem,
        "contact": contact,
        "analysis": analysis,
        "progressupdate": update,
        "assessment": assessment,
        "supervisoryreview": review,
    }


@pytest.mark.parametrize(
    "model", ["problem", "contact", "analysis", "progressupdate", "assessment", "supervisoryreview"]
)
@pytest.mark.parametrize("page", ["change", "history"])
def test_admin_pages_of_a_problem_record_are_logged(admin_client, admin_user, case_file, model, page):
    obj = case_file[model]
    response = admin_client.get(f"/admin/jps/{model}/{obj.pk}/{page}/")
    assert response.status_code == 200
    assert logged() == [(case_file["problem"].pk, admin_user.pk, ProblemView.Channel.ADMIN)]
    assert ProblemView.objects.get().request_id == response["X-Request-ID"]


def test_admin_past_version_page_is_logged(admin_client, admin_user, case_file):
    contact = case_file["contact"]
    version = contact.history.latest("history_date")
    response = admin_client.get(f"/admin/jps/contact/{contact.pk}/history/{version.history_id}/")
    assert response.status_code == 200
    assert logged() == [(case_file["problem"].pk, admin_user.pk, ProblemView.Channel.ADMIN)]


def test_admin_meeting_page_logs_each_problem_it_shows_with_one_insert(admin_client, admin_user, many, pcso):
    meeting = m.Meeting.objects.create(
        title="Northgate PACT", force=many[0].force, starts_at=timezone.now(), created_by=pcso
    )
    for problem in many[:3]:
        m.MeetingItem.objects.create(
            meeting=meeting, problem=problem, kind="raised", summary="Raised", note="Jane says", recorded_by=pcso
        )
    with CaptureQueriesContext(connection) as ctx:
        assert admin_client.get(f"/admin/jps/meeting/{meeting.pk}/change/").status_code == 200
    assert log_inserts(ctx) == 1
    assert sorted(logged()) == sorted((p.pk, admin_user.pk, ProblemView.Channel.ADMIN) for p in many[:3])


def test_admin_lists_and_missing_objects_log_nothing(admin_client, case_file):
    assert admin_client.get("/admin/jps/problem/").status_code == 200
    assert admin_client.get("/admin/jps/contact/999999/change/").status_code == 302  # "does not exist"
    assert not ProblemView.objects.exists()


# --- the subject-access export -------------------------------------------------------------------


def test_subject_access_export_logs_each_problem_it_exports(pcso, supervisor, problem, many, tmp_path):
    services.contact_add(
        problem=problem, by=pcso, kind="victim", name="Jane Marple", email="jane@example.org", preferred_method="email"
    )
    m.Problem.objects.filter(pk=many[0].pk).update(originator="Mrs Jane Marple")
    services.contact_add(problem=many[0], by=pcso, kind="complainant", name="Jane Marple", preferred_method="phone")
    out = tmp_path / "sar.json"
    call_command("subject_access_export", "--name", "Jane Marple", "--by", supervisor.username, "--output", str(out))
    exported = json.loads(out.read_text())
    assert {c["problem"] for c in exported["as_contact"]} == {problem.reference, many[0].reference}
    assert sorted(logged()) == sorted(
        (p.pk, supervisor.pk, ProblemView.Channel.SAR) for p in (problem, many[0])
    )  # many[0] is there as a contact and as originator: one row


def test_subject_access_export_needs_someone_accountable(problem):
    with pytest.raises(CommandError, match="--by"):
        call_command("subject_access_export", "--name", "Jane Marple")
    with pytest.raises(CommandError, match="--by"):
        call_command("subject_access_export", "--name", "Jane Marple", "--by", "nobody-of-that-name")
    assert not ProblemView.objects.exists()


# --- the service -----------------------------------------------------------------------------------


def test_bulk_service_writes_one_row_per_problem_in_one_statement(pcso, many):
    ids = [p.pk for p in many]
    with CaptureQueriesContext(connection) as ctx:
        written = services.problem_views_record(user=pcso, problem_ids=[*ids, ids[0]], channel=API, request_id="r" * 80)
    assert written == 12
    assert len(ctx.captured_queries) == 1 and log_inserts(ctx) == 1
    assert logged() == [(pk, pcso.pk, API) for pk in ids]
    assert {len(r) for r in ProblemView.objects.values_list("request_id", flat=True)} == {64}


def test_admin_change_page_for_a_staff_user_with_view_permission_only(client, police, problem, case_file):
    """A staff member who may only view contacts is logged as themselves, not as an administrator."""
    from django.contrib.auth.models import Permission

    clerk = f.UserFactory(username="clerk", role=m.User.Role.ADMIN, agency=police, is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_contact"))
    verified_login(client, clerk)
    assert client.get(f"/admin/jps/contact/{case_file['contact'].pk}/change/").status_code == 200
    assert logged() == [(problem.pk, clerk.pk, ProblemView.Channel.ADMIN)]


def test_a_full_page_of_200_is_one_insert(pcso, neighbourhood, category):
    """The issue's measure: a list of 200 costs one statement on PostgreSQL, not 200. SQLite (the
    demo) allows 999 parameters a statement, so Django splits the same bulk_create in two."""
    f.ProblemFactory.create_batch(200, owner=pcso, neighbourhood=neighbourhood, category=category)
    with CaptureQueriesContext(connection) as ctx:
        response = client_for(pcso).get("/api/problems/", {"page_size": 200})
    assert len(response.json()["results"]) == 200
    assert log_inserts(ctx) == (1 if connection.vendor == "postgresql" else 2)
    assert ProblemView.objects.filter(user=pcso, channel=API).count() == 200
