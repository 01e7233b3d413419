"""Trigram indexes for free-text search of problems (``q=`` in the API, "Search" in the problem list).

Both searches are ``icontains`` over a few columns, which Django renders on PostgreSQL as
``UPPER(column::text) LIKE UPPER('%word%')``. A GIN index with ``gin_trgm_ops`` on exactly
that expression answers such a ``LIKE`` (three characters or more) from the index, and
the ``OR`` of the columns becomes a BitmapOr of index scans instead of reading every
problem in the scope. Built ``CONCURRENTLY`` (the migration is not atomic), so a live
national table keeps taking writes while they build. SQLite has neither and is unaffected.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

#: The columns jps searches (api.filters.ProblemFilter.filter_q and frontend.forms' search).
SEARCHED = ["reference", "title", "description", "problem_statement", "location", "originator"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED:
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS problem_{column}_trgm "
            f"ON jps_problem USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )
    # Statistics on the new expressions, without which the planner guesses that every word is
    # rare and, for a common one, joins and sorts every match before taking the first page.
    schema_editor.execute("ANALYZE jps_problem")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS problem_{column}_trgm")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("jps", "0012_problem_list_indexes"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create, drop),
    ]
