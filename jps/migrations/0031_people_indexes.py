"""The trigram indexes of people and places lead with the force (issue 18's national benchmark).

Police staff search the people and places of their own force. With a trigram index on the name
alone, PostgreSQL either took every candidate in the country from it and threw away the other
forces' (7,400 heap rows for one name) or read every person of the force and computed the
similarity of each (42,000 in the busiest force): 200-350 ms a search at national scale. A GIN
index on ``(force_id, name gin_trgm_ops)`` (``btree_gin`` gives GIN the ``=`` on the force)
answers "this force, names like this" in one index scan: 3-50 ms. The same for a place's address.
They replace the single-column trigram indexes of 0020: a multicolumn GIN index serves a search
on the name alone (an administrator's, a partner's) as well as the single one did.

The search compares the force as a ``bigint`` (``jps.rules._record_scope_q``): ``btree_gin``'s
operator classes compare like types only, so ``force_id = 44`` (an integer) would leave the force
out of the index scan. Built ``CONCURRENTLY`` (the migration is not atomic), like 0013's.

The name and the address keep statistics of 1,000 values, not 100: PostgreSQL estimates how many
records match ``%>`` by trying it on those values, and with 100 of 300,000 nearly unique addresses
it guessed 30 places on "Manor Drive" for 964, and planned a partner's search as if it were rare
(118 ms; 30-60 ms with the better estimate).
"""

from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations

#: (index, table, columns); the indexes of 0020 they replace are (name, table, column).
LEADING_WITH_FORCE = [
    ("person_force_name_trgm", "jps_person", "force_id, name gin_trgm_ops"),
    ("place_force_address_trgm", "jps_place", "force_id, address gin_trgm_ops"),
]
SINGLE = [("person_name_trgm", "jps_person", "name"), ("place_address_trgm", "jps_place", "address")]
STATISTICS = 1000


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, columns in LEADING_WITH_FORCE:
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} USING gin ({columns})")
    for name, table, column in SINGLE:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS {STATISTICS}")
        schema_editor.execute(f"ANALYZE {table}")


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in SINGLE:
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS -1")
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
        )
    for name, _table, _columns in LEADING_WITH_FORCE:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("jps", "0030_panels"),
    ]

    operations = [
        BtreeGinExtension(),
        migrations.RunPython(create, drop),
    ]
