"""The problem list: filters, search, sorting, paging, the CSV, and a flat number of queries."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jps import models as m
from jps import services
from jps.models import Participation, Stage
from tests import factories as f

from . import helpers as h

pytestmark = pytest.mark.django_db


def rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def spread(pcso, neighbourhood, other_neighbourhood, category, council, other_officer):  # type: ignore[no-untyped-def]
    today = datetime.date.today()
    late = f.ProblemFactory(
        owner=pcso,
        neighbourhood=neighbourhood,
        title="Fly-tipping behind the Co-op",
        next_review_due=today - datetime.timedelta(5),
    )
    public = f.ProblemFactory(
        owner=pcso, neighbourhood=neighbourhood, title="Speeding on London Road", public_priority=True, adopted_on=today
    )
    council_part = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, title="=HYPERLINK(evil)")
    Participation.objects.create(problem=council_part, agency=council)
    elsewhere = f.ProblemFactory(owner=other_officer, neighbourhood=other_neighbourhood, title="Dover harbour drugs")
    return {"late": late, "public": public, "council": council_part, "elsewhere": elsewhere}


def test_list_is_scoped_and_filters(client, pcso, spread):
    client.force_login(pcso)
    body = client.get(reverse("problem_list")).content.decode()
    assert spread["late"].reference in body and spread["elsewhere"].reference not in body
    body = client.get(reverse("problem_list"), {"overdue": "true"}).content.decode()
    assert spread["late"].reference in body and spread["public"].reference not in body
    body = client.get(reverse("problem_list"), {"public_priority": "true"}).content.decode()
    assert spread["public"].reference in body and spread["late"].reference not in body
    body = client.get(reverse("problem_list"), {"q": "co-op"}).content.decode()
    assert spread["late"].reference in body and spread["public"].reference not in body
    council = spread["council"].participations.get().agency
    body = client.get(reverse("problem_list"), {"agency": council.pk}).content.decode()
    assert spread["council"].reference in body and spread["late"].reference not in body
    body = client.get(reverse("problem_list"), {"stage": "analysis"}).content.decode()
    assert "No problems match these filters." in body


def test_bad_filter_values_show_errors_not_an_error_page(client, pcso, spread):
    client.force_login(pcso)
    response = client.get(
        reverse("problem_list"), {"neighbourhood": "abc", "stage": "nope", "sort": "password", "page": "x"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body and "Select the stage from the list" in body
    response = client.get(reverse("problem_csv"), {"district": "99999", "sort": "-nonsense"})
    assert response.status_code == 200


def test_sorting_by_title(client, pcso, spread):
    client.force_login(pcso)
    body = client.get(reverse("problem_list"), {"sort": "title"}).content.decode()
    assert body.index("Fly-tipping") < body.index("Speeding on London Road")
    body = client.get(reverse("problem_list"), {"sort": "-title"}).content.decode()
    assert body.index("Fly-tipping") > body.index("Speeding on London Road")
    assert 'aria-sort="descending"' in body


def test_pagination(client, pcso, neighbourhood):
    for _ in range(30):
        f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood)
    client.force_login(pcso)
    first = client.get(reverse("problem_list")).content.decode()
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get(reverse("problem_list"), {"page": 2}).content.decode()
    assert "Page 2 of 2" in second


def test_csv_is_the_filtered_scoped_list_with_formulas_neutralised(client, pcso, partner_user, spread):
    client.force_login(pcso)
    response = client.get(reverse("problem_csv"), {"overdue": "false", "sort": "title"})
    assert response["Content-Type"] == "text/csv"
    table = rows(response)
    assert table[0][0] == "reference"
    references = [r[0] for r in table[1:]]
    assert spread["late"].reference not in references
    assert spread["elsewhere"].reference not in references
    evil = next(r for r in table if r[0] == spread["council"].reference)
    assert evil[1] == "'=HYPERLINK(evil)"
    client.force_login(partner_user)
    references = [r[0] for r in rows(client.get(reverse("problem_csv")))[1:]]
    assert references == [spread["council"].reference]


def test_call_handler_sees_open_problems_read_only(client, call_handler, spread, pcso):
    services.problem_transition(problem=spread["late"], to=Stage.ANALYSIS, by=pcso)
    client.force_login(call_handler)
    body = client.get(reverse("home")).content.decode()
    assert spread["late"].reference in body
    page = client.get(reverse("problem", args=[spread["late"].pk])).content.decode()
    assert "Edit the analysis" not in page and "Add an action" not in page and "Add update" not in page


def test_neighbourhood_page_lists_visible_open_problems_and_has_map_data(client, pcso, partner_user, spread):
    problem = spread["late"]
    problem.latitude, problem.longitude = 51.28, 1.08
    problem.save()
    client.force_login(pcso)
    body = client.get(reverse("neighbourhood", args=[problem.neighbourhood_id])).content.decode()
    assert problem.reference in body and '"lat": 51.28' in body and 'id="jps-map"' in body
    client.force_login(partner_user)
    body = client.get(reverse("neighbourhood", args=[problem.neighbourhood_id])).content.decode()
    assert problem.reference not in body and spread["council"].reference in body
    assert client.get(reverse("neighbourhood", args=[999999])).status_code == 404


# --- a flat number of queries, whatever the number of rows -------------------------------------


def _grow(pcso, neighbourhood, council, n):  # type: ignore[no-untyped-def]
    today = datetime.date.today()
    for i in range(n):
        p = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, next_review_due=today - datetime.timedelta(i + 1))
        h.add_action(p, pcso, council)


def _count(client, url, params=None) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


def test_list_queries_do_not_grow_with_rows(client, pcso, neighbourhood, council, django_assert_max_num_queries):
    _grow(pcso, neighbourhood, council, 2)
    client.force_login(pcso)
    few = _count(client, reverse("problem_list"), {"sort": "review"})
    _grow(pcso, neighbourhood, council, 20)
    with django_assert_max_num_queries(few):
        response = client.get(reverse("problem_list"), {"sort": "review", "q": "parade"})
    assert response.content.decode().count('href="/problems/') >= 22


@pytest.mark.parametrize("role", ["pcso", "supervisor", "partner_user"])
def test_home_queries_do_not_grow_with_rows(
    client, request, role, pcso, neighbourhood, council, django_assert_max_num_queries
):
    _grow(pcso, neighbourhood, council, 2)
    client.force_login(request.getfixturevalue(role))
    few = _count(client, reverse("home"))
    _grow(pcso, neighbourhood, council, 15)
    with django_assert_max_num_queries(few):
        response = client.get(reverse("home"))
    assert response.content.decode().count('href="/problems/') >= 15


@pytest.mark.parametrize("role", ["pcso", "supervisor", "partner_user"])
def test_problem_page_queries_do_not_grow_with_rows(
    client, request, role, pcso, problem, council, django_assert_max_num_queries
):
    h.to_response(problem, pcso)

    def grow(n: int) -> None:
        for i in range(n):
            action = h.add_action(problem, pcso, council, description=f"Action {i}")
            services.action_update(action=action, by=pcso, status="done", result=f"Done {i}")
            services.update_add(problem=problem, by=pcso, text=f"Update {i}")
            services.problem_update(problem=problem, by=pcso, location=f"Street {i}")

    grow(1)
    client.force_login(request.getfixturevalue(role))
    url = reverse("problem", args=[problem.pk])
    few = _count(client, url)
    grow(15)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert response.content.decode().count("Update this action") >= 16
    assert response.content.decode().count("Action ") >= 16


@pytest.mark.parametrize(
    "query",
    [{}, {"stage": "analysis", "overdue": "true"}, {"neighbourhood": "not-a-number", "q": "<b>bikes</b>"}],
)
def test_selects_built_in_one_pass_match_djangos_widget_markup(rf, supervisor, spread, query):  # type: ignore[no-untyped-def]
    """The filter form's selects skip Django's template-per-option rendering, and give the same HTML."""
    from django.test.html import parse_html

    from frontend.forms import ProblemFilter
    from frontend.templatetags.govuk import _select

    filterset = ProblemFilter(query or None, queryset=m.Problem.objects.all(), user=supervisor)
    filterset.form.is_valid()
    selects = [field for field in filterset.form if isinstance(field.field.widget, forms.Select)]
    assert len(selects) >= 6
    for field in selects:
        attrs = {"class": "govuk-select govuk-select--error" if field.errors else "govuk-select"}
        fast = _select(field, attrs)
        assert fast is not None
        assert parse_html(fast) == parse_html(field.as_widget(attrs=attrs)), field.name


def test_a_supervisor_filters_by_the_agencies_of_their_force_not_the_country(client, supervisor, spread):  # type: ignore[no-untyped-def]
    distant = f.ForceFactory(code="ZZP", name="Distant Police", slug="distant")
    elsewhere = f.AgencyFactory(name="Distant Borough Council", kind="council", force=distant)
    national = f.AgencyFactory(name="National Probation Service", kind="probation", force=None)
    client.force_login(supervisor)
    page = client.get("/problems/").content.decode()
    assert national.name in page and supervisor.agency.name in page
    assert elsewhere.name not in page


def test_the_filter_choices_come_from_the_cache_after_the_first_page(client, pcso, spread, neighbourhood):  # type: ignore[no-untyped-def]
    """The choice lists are a fifth to a third of the page at national scale: built once, then cached."""
    client.force_login(pcso)
    first = _count(client, reverse("problem_list"))
    again = _count(client, reverse("problem_list"))
    assert again <= first - 5, (first, again)  # districts, neighbourhoods, categories, agencies, owners
    page = client.get(reverse("problem_list"), {"neighbourhood": neighbourhood.pk}).content.decode()
    assert f'<option value="{neighbourhood.pk}" selected>' in page and "Fly-tipping behind the Co-op" in page
    assert str(pcso) in page  # an owner of a problem in scope is on the owner list


def test_an_owner_list_is_the_users_own_not_the_forces(client, pcso, partner_user, other_officer, spread):  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    from frontend.forms import problem_filter_choices

    officer = dict(problem_filter_choices(pcso, m.Problem.objects.all())["owner"])
    visible = m.Problem.objects.filter(participations__agency=partner_user.agency)
    partner = dict(problem_filter_choices(partner_user, visible)["owner"])
    assert set(partner) <= set(officer) and set(partner) == {
        str(pk) for pk in visible.values_list("owner_id", flat=True)
    }
    assert cache.get(f"problem-filter:owners:{partner_user.pk}") is not None


def test_a_long_list_shows_an_estimated_count_and_a_short_one_the_exact(client, pcso, spread, monkeypatch):  # type: ignore[no-untyped-def]
    from frontend.views import lists

    client.force_login(pcso)
    from jps import selectors

    visible = selectors.problems_visible_to(pcso).count()
    assert visible > 1
    page = client.get(reverse("problem_list")).content.decode()
    assert f"{visible} problems ·" in page and "About" not in page
    monkeypatch.setattr(lists, "EXACT_COUNT_UP_TO", 1)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("problem_list")).content.decode()
    if connection.vendor == "postgresql":
        assert "About " in page and any(q["sql"].startswith("EXPLAIN") for q in captured)
        assert not any(q["sql"].startswith("SELECT COUNT(*)") and "LIMIT" not in q["sql"] for q in captured)
    else:
        assert f"{visible} problems ·" in page  # SQLite counts exactly
