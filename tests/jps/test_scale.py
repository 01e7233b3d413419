"""What keeps JPS fast at national scale (docs/performance.md): the partner scope as indexed
lookups, JIT off for the application's sessions, and the cache of slow dashboard figures."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.cache import cache
from django.db import connection

from jps import models as m
from jps.insight import figures as mi
from jps.rules import problem_scope_q
from jps.selectors import problems_visible_to
from tests import factories as f

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL query plans")


@pytest.fixture
def partner_world(partner_user, other_partner, council, housing, pcso, neighbourhood, category):  # type: ignore[no-untyped-def]
    leads = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category, lead_agency=council)
    takes_part = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category)
    m.Participation.objects.create(problem=takes_part, agency=council)
    owned = f.ProblemFactory(owner=partner_user, neighbourhood=neighbourhood, category=category, lead_agency=housing)
    others = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category)
    m.Participation.objects.create(problem=others, agency=housing)
    return {"leads": leads, "takes_part": takes_part, "owned": owned, "others": others}


def test_partner_sees_led_participating_and_owned_problems_only(partner_world, partner_user, other_partner):
    seen = set(problems_visible_to(partner_user).values_list("pk", flat=True))
    assert seen == {partner_world[k].pk for k in ("leads", "takes_part", "owned")}
    assert set(problems_visible_to(other_partner).values_list("pk", flat=True)) == {
        partner_world["others"].pk,
        partner_world["owned"].pk,  # housing leads it
    }
    # The same rule answers the object permission, so list and detail agree.
    assert partner_user.has_perm("jps.see_problem", partner_world["takes_part"])
    assert not partner_user.has_perm("jps.see_problem", partner_world["others"])


def test_partner_problem_scope_is_one_union_of_lookups_without_duplicates(partner_world, partner_user):
    m.Participation.objects.create(problem=partner_world["leads"], agency=partner_user.agency)  # leads and takes part
    queryset = m.Problem.objects.filter(problem_scope_q(partner_user))
    sql = str(queryset.query).upper()
    assert "UNION ALL" in sql and "EXISTS" not in sql
    assert queryset.count() == 3  # IN (...) keeps each problem once even when two lookups find it


@postgres_only
def test_partner_scope_never_needs_a_scan_of_every_problem(partner_world, partner_user):
    """With sequential scans priced out, the plan uses indexes only: `lead OR EXISTS(...)` could not."""
    queryset = m.Problem.objects.filter(problem_scope_q(partner_user)).order_by("-created_at")[:50]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan on jps_problem" not in plan, plan


@postgres_only
def test_application_sessions_run_without_jit():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


# --- the cache of slow dashboard figures ---------------------------------------------------------


@pytest.fixture
def figure_cache(settings):  # type: ignore[no-untyped-def]
    cache.clear()
    settings.JPS_FIGURE_CACHE_SECONDS = 600
    settings.JPS_FIGURE_CACHE_SLOWER_THAN_MS = 0  # every figure counts as slow here
    yield settings
    cache.clear()


def _total(user) -> int:  # type: ignore[no-untyped-def]
    return int(mi.figure(user=user, slug="by-stage").total or 0)


def test_slow_figure_is_kept_for_its_scope_and_says_when(figure_cache, admin_user, problem):
    first = mi.figure(user=admin_user, slug="by-stage")
    assert first.total == 1 and first.as_of is not None and "Figures as of" in first.note
    f.ProblemFactory(owner=problem.owner, neighbourhood=problem.neighbourhood, category=problem.category)
    assert _total(admin_user) == 1  # kept: a national figure is computed once per period
    other_admin = f.UserFactory(username="admin2", role=m.User.Role.ADMIN, agency=admin_user.agency)
    assert _total(other_admin) == 1  # the same scope (everything) shares it


def test_cached_figures_are_never_shared_between_scopes(figure_cache, partner_world, partner_user, other_partner, pcso):
    assert _total(partner_user) == 3
    assert _total(other_partner) == 2  # another agency: its own figure, not the council's
    assert _total(pcso) == 4  # the officer's district


def test_quick_figures_are_always_fresh(figure_cache, admin_user, problem):
    figure_cache.JPS_FIGURE_CACHE_SLOWER_THAN_MS = 60_000
    assert _total(admin_user) == 1
    f.ProblemFactory(owner=problem.owner, neighbourhood=problem.neighbourhood, category=problem.category)
    fresh = mi.figure(user=admin_user, slug="by-stage")
    assert fresh.total == 2 and fresh.as_of is None


def test_figure_cache_off(figure_cache, admin_user, problem):
    figure_cache.JPS_FIGURE_CACHE_SECONDS = 0
    assert _total(admin_user) == 1
    f.ProblemFactory(owner=problem.owner, neighbourhood=problem.neighbourhood, category=problem.category)
    assert _total(admin_user) == 2


def test_national_figures_are_refreshed_on_schedule_so_no_administrator_waits(figure_cache, admin_user, problem):
    from tasks.jobs import refresh_national_figures
    from tasks.schedule import DEFAULT_SCHEDULE

    assert "insight.refresh_national_figures" in {job.task for job in DEFAULT_SCHEDULE}
    figure_cache.JPS_FIGURE_CACHE_SLOWER_THAN_MS = 60_000  # quick figures: only the refresh stores them
    assert refresh_national_figures.apply().get() == list(mi.FIGURES)
    f.ProblemFactory(owner=problem.owner, neighbourhood=problem.neighbourhood, category=problem.category)
    kept = mi.figure(user=admin_user, slug="by-stage")
    assert kept.total == 1 and kept.as_of is not None  # served from the refresh, not computed now
    refresh_national_figures.apply().get()
    assert _total(admin_user) == 2


def test_with_cache_url_every_process_shares_one_redis_cache(settings, admin_user, problem):
    from django.core.cache.backends.redis import RedisCache

    broker = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    url = urlunsplit(broker._replace(path="/15"))  # a database of its own: clear() empties it
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "jps"}
    }
    settings.JPS_FIGURE_CACHE_SECONDS = 600
    cache.clear()
    try:
        assert mi.national_figures_refresh()
        another_process = RedisCache(url, {"KEY_PREFIX": "jps"})
        shared = another_process.get(mi._scope_key(admin_user, "by-stage"))
        assert shared is not None and shared.total == 1
    finally:
        cache.clear()


def test_cache_url_selects_the_redis_cache():
    env = {**os.environ, "CACHE_URL": "redis://127.0.0.1:6379/1"}
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    out = subprocess.run(
        [sys.executable, "-c", f"import django, os; django.setup(); {code}"],
        env={**env, "DJANGO_SETTINGS_MODULE": "jps.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "django.core.cache.backends.redis.RedisCache"


@postgres_only
@pytest.mark.parametrize("where", ["api", "web"])
def test_free_text_search_is_answered_from_trigram_indexes(where, admin_user, problem):
    """`q=` is `icontains` over several columns; each has a trigram index on the very expression Django
    renders (`UPPER(col::text) LIKE ...`), so a national search need not read every problem."""
    from api.filters import ProblemFilter as ApiFilter
    from frontend.forms import ProblemFilter as WebFilter

    data = {"q": "drinking"}
    if where == "api":
        queryset = ApiFilter(data=data, queryset=m.Problem.objects.all()).qs
    else:
        queryset = WebFilter(data=data, queryset=m.Problem.objects.all(), user=admin_user).qs
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan on jps_problem" not in plan, plan
    assert "problem_title_trgm" in plan and "problem_description_trgm" in plan, plan
