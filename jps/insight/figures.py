"""Management information: the profile of problems logged, computed by aggregate queries.

Every figure is one (or a few) ``GROUP BY`` queries in the database, scoped by
``problems_visible_to(user)`` (learning needs by ``learning_needs_visible_to``), so a
partner sees figures only for problems their agency leads or takes part in, and no
figure loads rows into Python to count them. Each function returns a ``Figure``: a
title, column names and rows, which the dashboard draws as a chart with the numbers
beside it and exports as CSV unchanged.
"""

from __future__ import annotations

import datetime
import hashlib
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Avg, Count, Max, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ..models import (
    CLOSED_STAGES,
    OPEN_STAGES,
    QUALITY_CRITERIA,
    Action,
    ProgressUpdate,
    QualityScore,
    Source,
    Stage,
    StageChange,
    User,
    public_name_expression,
    review_overdue_q,
)
from .figure import Cell, Figure, _scope  # the figures of other records build on it too
from .library import learning_needs_visible_to

#: A public priority needs an approved update at least this often (the Policing Pledge: monthly).
MONTHLY_UPDATE_DAYS = 30


def problems_by_stage(*, user: Any) -> Figure:
    """How many problems are in each SARA stage, every stage listed even when empty."""
    counts = dict(_scope(user).values_list("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    rows: list[tuple[Cell, ...]] = [(label, counts.get(value, 0)) for value, label in Stage.choices]
    open_total = sum(counts.get(s, 0) for s in OPEN_STAGES)
    closed_total = sum(counts.get(s, 0) for s in CLOSED_STAGES)
    return Figure(
        slug="by-stage",
        title="Problems by stage",
        columns=("Stage", "Problems"),
        rows=rows,
        total=open_total + closed_total,
        extra={"open": open_total, "closed": closed_total},
    )


#: The dimensions problems are profiled by: (field to group on, field naming the group, title).
DIMENSIONS: dict[str, tuple[str, str, str]] = {
    "category": ("category_id", "category__name", "Category"),
    "source": ("source", "source", "Source"),
    "district": ("district_id", "district__name", "District"),
    "neighbourhood": ("neighbourhood_id", "neighbourhood__name", "Neighbourhood"),
}


def problems_by(*, user: Any, dimension: str) -> Figure:
    """Open and closed problems by category, source, district or neighbourhood, largest first."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"Unknown dimension {dimension!r}; choose one of {', '.join(DIMENSIONS)}.")
    key, name, title = DIMENSIONS[dimension]
    grouped = (
        _scope(user)
        .values(key, name)
        .annotate(
            open=Count("pk", filter=Q(stage__in=OPEN_STAGES)),
            closed=Count("pk", filter=Q(stage__in=CLOSED_STAGES)),
            total=Count("pk"),
        )
        .order_by("-total", name)
    )
    labels = dict(Source.choices) if dimension == "source" else {}
    rows: list[tuple[Cell, ...]] = [(labels.get(g[name], g[name]), g["open"], g["closed"], g["total"]) for g in grouped]
    return Figure(
        slug=f"by-{dimension}",
        title=f"Open and closed problems by {title.lower()}",
        columns=(title, "Open", "Closed", "Total"),
        rows=rows,
        value_column=3,
        total=sum(int(r[3] or 0) for r in rows),
    )


def reviews_overdue_by_district(*, user: Any, today: datetime.date | None = None) -> Figure:
    """Open problems past their supervisory review date, by district, beside the open total."""
    today = today or timezone.localdate()
    grouped = (
        _scope(user)
        .open()
        .values("district_id", "district__name")
        .annotate(overdue=Count("pk", filter=review_overdue_q(today)), open=Count("pk"))
        .order_by("-overdue", "district__name")
    )
    rows: list[tuple[Cell, ...]] = [(g["district__name"], g["overdue"], g["open"]) for g in grouped]
    return Figure(
        slug="reviews-overdue",
        title="Problems overdue for review",
        columns=("District", "Overdue for review", "Open"),
        rows=rows,
        total=sum(int(r[1] or 0) for r in rows),
        note=f"Open problems whose review date was before {today:%d %B %Y}.",
    )


def _days_between(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0"
    return f"(julianday({later}) - julianday({earlier}))"


MedianMethod = Literal["auto", "percentile", "portable"]


def _stage_duration_sql(scope_sql: str) -> str:
    """Completed stints in each open stage, from the stage-change rows.

    Each ``StageChange`` row ends the stint in its ``from_stage`` that began at
    ``from_entered_at``, so a completed stint is one row, read through the index on
    (problem, time); a stint still running has no row that ends it and is not counted.
    The problem's history (a row per edit) is not read.
    """
    table = StageChange._meta.db_table
    stages = ", ".join(f"'{s.value}'" for s in OPEN_STAGES)
    # Built from a table name in model metadata, the stage constants and SQL Django compiled
    # (its values stay parameters): nothing from a request reaches the text.
    return f"""
        WITH durations AS (
            SELECT from_stage AS stage, {_days_between("at", "from_entered_at")} AS days
            FROM {table}
            WHERE problem_id IN ({scope_sql}) AND from_stage IN ({stages}) AND from_entered_at IS NOT NULL
        )"""  # noqa: S608  # nosec B608


def median_days_in_stage(*, user: Any, method: MedianMethod = "auto") -> Figure:
    """Median days a problem spends in each SARA stage, from the stage-change rows.

    On PostgreSQL ``percentile_cont(0.5)``; elsewhere (or with ``method="portable"``)
    the middle row(s) by ``ROW_NUMBER()`` — the same answer, in any SQL with window
    functions. Both run entirely in the database.
    """
    try:
        scope_sql, params = _scope(user).values("pk").query.sql_with_params()
    except EmptyResultSet:  # a scope that can match nothing (e.g. a training manager's) compiles to no SQL
        scope_sql, params = "SELECT 0 WHERE 1 = 0", ()
    use_percentile = method == "percentile" or (method == "auto" and connection.vendor == "postgresql")
    if use_percentile:
        final = """
            SELECT stage, percentile_cont(0.5) WITHIN GROUP (ORDER BY days), COUNT(*)
            FROM durations GROUP BY stage"""
    else:
        final = """,
        ranked AS (
            SELECT stage, days,
                   ROW_NUMBER() OVER (PARTITION BY stage ORDER BY days) AS rn,
                   COUNT(*) OVER (PARTITION BY stage) AS n
            FROM durations
        )
        SELECT stage, AVG(days), MAX(n) FROM ranked
        WHERE rn IN ((n + 1) / 2, (n + 2) / 2)
        GROUP BY stage"""
    with connection.cursor() as cursor:
        cursor.execute(_stage_duration_sql(scope_sql) + final, params)
        found = {stage: (float(median), int(n)) for stage, median, n in cursor.fetchall()}
    labels = dict(Stage.choices)
    rows: list[tuple[Cell, ...]] = []
    for stage in OPEN_STAGES:
        median, n = found.get(stage.value, (None, 0))
        rows.append((labels[stage], round(median, 1) if median is not None else None, n))
    return Figure(
        slug="median-days-in-stage",
        title="Median days in each stage",
        columns=("Stage", "Median days", "Completed stints"),
        rows=rows,
        note="Time from entering a stage to leaving it, for stints that have ended.",
    )


def actions_by_agency(*, user: Any, today: datetime.date | None = None) -> Figure:
    """Actions on visible problems by owning agency, with their completion rate.

    The rate is done / (all − cancelled): a cancelled action neither helps nor hurts.
    """
    today = today or timezone.localdate()
    visible = _scope(user).values("pk")
    grouped = (
        Action.objects.filter(problem_id__in=visible)
        .order_by()
        .values("agency_id", "agency__name")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=Action.Status.DONE)),
            open=Count("pk", filter=Q(status__in=Action.OPEN_STATUSES)),
            overdue=Count("pk", filter=Q(status__in=Action.OPEN_STATUSES, due_on__lt=today)),
            cancelled=Count("pk", filter=Q(status=Action.Status.CANCELLED)),
        )
        .order_by("-total", "agency__name")
    )
    rows: list[tuple[Cell, ...]] = []
    for g in grouped:
        counted = g["total"] - g["cancelled"]
        rate = round(100.0 * g["done"] / counted, 1) if counted else None
        rows.append((g["agency__name"], g["total"], g["done"], g["open"], g["overdue"], g["cancelled"], rate))
    return Figure(
        slug="actions-by-agency",
        title="Actions by agency and completion rate",
        columns=("Agency", "Actions", "Done", "Open", "Overdue", "Cancelled", "Completion rate (%)"),
        rows=rows,
        value_column=6,
        total=sum(int(r[1] or 0) for r in rows),
        note="Completion rate: done as a share of actions not cancelled.",
    )


def public_priorities_without_update(*, user: Any, now: datetime.datetime | None = None) -> Figure:
    """Open public priorities adopted over a month ago with no approved update in the last month."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=MONTHLY_UPDATE_DAYS)
    approved = Q(updates__status=ProgressUpdate.Status.APPROVED)
    stale = (
        _scope(user)
        .open()
        .filter(public_priority=True, adopted_on__lte=timezone.localdate(cutoff))
        .annotate(last_update=Max("updates__decided_at", filter=approved), public_name=public_name_expression())
        .filter(Q(last_update__isnull=True) | Q(last_update__lt=cutoff))
        .order_by("district__name", "neighbourhood__name", "adopted_on")
        .values_list("reference", "public_name", "district__name", "neighbourhood__name", "adopted_on", "last_update")
    )
    rows: list[tuple[Cell, ...]] = [
        (ref, public_name, district, nbhd, f"{adopted:%Y-%m-%d}", f"{last:%Y-%m-%d}" if last else None)
        for ref, public_name, district, nbhd, adopted, last in stale
    ]
    by_district: dict[str, int] = {}
    for row in rows:
        by_district[str(row[2])] = by_district.get(str(row[2]), 0) + 1
    return Figure(
        slug="priorities-without-update",
        title="Public priorities without a monthly update",
        columns=("Reference", "Priority", "District", "Neighbourhood", "Adopted", "Last approved update"),
        rows=rows,
        value_column=0,
        total=len(rows),
        note=f"Open public priorities with no update approved for publication in the last {MONTHLY_UPDATE_DAYS} days.",
        extra={"by_district": sorted(by_district.items())},
    )


def quality_by_district(*, user: Any) -> Figure:
    """Each visible problem's latest quality score, averaged by district, with the share meeting each criterion."""
    visible = _scope(user).values("pk")
    if connection.vendor == "postgresql":
        # DISTINCT ON picks each problem's latest score in one ordered pass (a correlated
        # subquery per score is ten times slower at national scale).
        latest_ids = (
            QualityScore.objects.filter(problem_id__in=visible)
            .order_by("problem_id", "-scored_at", "-id")
            .distinct("problem_id")
            .values("pk")
        )
        scores = QualityScore.objects.filter(pk__in=latest_ids).order_by()
    else:
        latest = QualityScore.objects.filter(problem_id=OuterRef("problem_id")).order_by("-scored_at", "-id")
        scores = QualityScore.objects.filter(problem_id__in=visible, pk=Subquery(latest.values("pk")[:1])).order_by()
    criteria = {name: Count("pk", filter=Q(**{name: True})) for name, _ in QUALITY_CRITERIA}
    grouped = (
        scores.values("problem__district_id", "problem__district__name")
        .annotate(scored=Count("pk"), average=Avg("total"), **criteria)
        .order_by("problem__district__name")
    )
    rows: list[tuple[Cell, ...]] = []
    for group in grouped:
        g: dict[str, Any] = dict(group)
        shares = [round(100.0 * g[name] / g["scored"], 1) for name, _ in QUALITY_CRITERIA]
        rows.append((g["problem__district__name"], g["scored"], round(float(g["average"]), 2), *shares))
    short = ("Statement", "Analysis triangle", "Objective", "Linked responses", "Partners", "Assessment")
    return Figure(
        slug="quality-by-district",
        title="Quality of problem-solving records by district",
        columns=("District", "Problems scored", "Average score (of 6)", *(f"{s} met (%)" for s in short)),
        rows=rows,
        value_column=2,
        note="Each problem's latest score at review or closure.",
    )


def learning_needs_by_month(*, user: Any) -> Figure:
    """Learning needs by district and skill, counted per month (training managers, analysts)."""
    grouped = (
        learning_needs_visible_to(user)
        .order_by()
        .annotate(month=TruncMonth("created_at"))
        .values("district__name", "skill", "month")
        .annotate(n=Count("pk"))
        .order_by("district__name", "skill", "month")
    )
    rows: list[tuple[Cell, ...]] = [(g["district__name"], g["skill"], f"{g['month']:%B %Y}", g["n"]) for g in grouped]
    return Figure(
        slug="learning-needs",
        title="Learning needs by district and skill, per month",
        columns=("District", "Skill", "Month", "Needs"),
        rows=rows,
        value_column=3,
        total=sum(int(r[3] or 0) for r in rows),
    )


def learning_needs_by(*, user: Any, dimension: Literal["district", "skill"]) -> Figure:
    """Learning needs totalled by district or by skill, largest first."""
    name = "district__name" if dimension == "district" else "skill"
    grouped = learning_needs_visible_to(user).order_by().values(name).annotate(n=Count("pk")).order_by("-n", name)
    rows: list[tuple[Cell, ...]] = [(g[name], g["n"]) for g in grouped]
    return Figure(
        slug=f"learning-needs-by-{dimension}",
        title=f"Learning needs by {dimension}",
        columns=(dimension.capitalize(), "Needs"),
        rows=rows,
        total=sum(int(r[1] or 0) for r in rows),
    )


# The figures of the partnership's other records live beside this module.
from .contact_figures import contacts_on_time_by_district  # noqa: E402
from .message_figures import messages_answered_by_district  # noqa: E402
from .partnership_figures import case_review_figures, residents_fixed  # noqa: E402

#: Every dashboard figure by slug, so the page, the CSV download and the tests agree.
FIGURES: dict[str, Callable[..., Figure]] = {
    "by-stage": problems_by_stage,
    "by-category": lambda *, user: problems_by(user=user, dimension="category"),
    "by-source": lambda *, user: problems_by(user=user, dimension="source"),
    "by-district": lambda *, user: problems_by(user=user, dimension="district"),
    "by-neighbourhood": lambda *, user: problems_by(user=user, dimension="neighbourhood"),
    "reviews-overdue": reviews_overdue_by_district,
    "median-days-in-stage": median_days_in_stage,
    "actions-by-agency": actions_by_agency,
    "priorities-without-update": public_priorities_without_update,
    "quality-by-district": quality_by_district,
    "contacts-on-time": contacts_on_time_by_district,
    "residents-fixed": residents_fixed,
    "messages-answered": messages_answered_by_district,
    "learning-needs": learning_needs_by_month,
    "learning-needs-by-district": lambda *, user: learning_needs_by(user=user, dimension="district"),
    "learning-needs-by-skill": lambda *, user: learning_needs_by(user=user, dimension="skill"),
    "case-reviews": case_review_figures,
}


def _scope_key(user: Any, slug: str) -> str:
    """A cache key naming the figure and exactly the rows it is computed from.

    The scope is the SQL of the user's visible problems and learning needs (their ids,
    districts and agency are in it), so two users share a cached figure only when they
    see exactly the same problems: never across scopes.
    """
    parts = [slug, timezone.localdate().isoformat()]
    for queryset in (_scope(user).values("pk"), learning_needs_visible_to(user).order_by().values("pk")):
        try:
            sql, params = queryset.query.sql_with_params()
        except EmptyResultSet:
            sql, params = "nothing", ()
        parts.append(sql % tuple(repr(p) for p in params))
    return "jps:figure:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def figure(*, user: Any, slug: str, refresh: bool = False) -> Figure:
    """One figure by slug; ``KeyError`` for an unknown one (callers answer 404).

    A figure that took longer than ``JPS_FIGURE_CACHE_SLOWER_THAN_MS`` (10 ms: at national
    scale that is every force-wide or national figure and most of a district's or a partner's)
    is kept for ``JPS_FIGURE_CACHE_SECONDS`` under its scope's key and says when it was
    computed; quicker figures (a small scope) are computed afresh.
    """
    compute = FIGURES[slug]
    seconds = int(getattr(settings, "JPS_FIGURE_CACHE_SECONDS", 0))
    if seconds <= 0:
        return compute(user=user)
    key = _scope_key(user, slug)
    found = None if refresh else cache.get(key)
    if found is not None:
        return found
    started = time.perf_counter()
    result = compute(user=user)
    slow = (time.perf_counter() - started) * 1000 >= int(getattr(settings, "JPS_FIGURE_CACHE_SLOWER_THAN_MS", 50))
    if slow or refresh:
        as_of = timezone.localtime()
        note = f"{result.note} Figures as of {as_of:%H:%M}, refreshed every {max(seconds // 60, 1)} minutes."
        result = replace(result, note=note.strip(), as_of=as_of)
        cache.set(key, result, seconds)
    return result


def figures_refresh(*, user: Any) -> list[str]:
    """Recompute every figure of ``user``'s scope into the cache of slow figures.

    Run on a schedule for the national scope (``insight.refresh_national_figures``), so
    the administrator's dashboard, whose figures scan years of history, is never computed
    while someone waits. Returns the slugs refreshed; nothing when the cache is off.
    """
    if int(getattr(settings, "JPS_FIGURE_CACHE_SECONDS", 0)) <= 0:
        return []
    for slug in FIGURES:
        figure(user=user, slug=slug, refresh=True)
    return list(FIGURES)


def national_figures_refresh() -> list[str]:
    """Refresh the national scope's figures (every administrator shares that scope and its cache)."""
    administrator = (
        User.objects.filter(Q(is_superuser=True) | Q(role=User.Role.ADMIN), is_active=True).order_by("pk").first()
    )
    return figures_refresh(user=administrator) if administrator else []
