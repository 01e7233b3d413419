"""The bulk half of ``import_users``: names looked up per kind, not per row; users and scopes written in bulk.

A national staff file holds about 30,000 rows. Row by row the import made a dozen statements
per person (three lookups, a user lookup, a save and its history row, two scope sets); now:

- every agency, district and neighbourhood the file names is looked up in one query per kind
  (``KnownNames``), so the checks and their messages stay those of ``jps.user_import``;
- new users are written with ``bulk_create_with_history`` and changed ones with
  ``bulk_update_with_history`` (simple-history), in batches: each written user gets its history
  row, with the change reason ``IMPORT_REASON``; a user the file leaves as it was gets none;
- where people work (the two many-to-many tables, the largest part at national size) is set
  set-based on PostgreSQL: the wanted pairs are streamed with ``COPY`` into a staging table,
  then one ``DELETE`` of what the file no longer names and one ``INSERT ... ON CONFLICT DO
  NOTHING`` per table; SQLite (the demo) diffs the file's users' pairs and writes with
  ``bulk_create``;
- the welcome emails are queued on commit one message per 500 new accounts
  (``tasks.emails.account_created_emails``), which the worker fans out into one task per email.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.functions import Upper
from psycopg import sql as pg_sql
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .models import Agency, District, Force, Neighbourhood, User

BATCH = 1000
IMPORT_REASON = "Imported from a staff file (import_users)"
EMAIL_CHUNK = 500  # new accounts per queued message (tasks.emails.account_created_emails fans them out)
USER_FIELDS = ["email", "first_name", "last_name", "role", "agency"]


@dataclass(frozen=True)
class PlannedUser:
    """One checked row, its agency and areas resolved (or created) to ids."""

    username: str
    email: str
    first_name: str
    last_name: str
    role: str
    agency_id: int
    district_ids: frozenset[int]
    neighbourhood_ids: frozenset[int]


def _first_by_name(queryset: QuerySet[Any], names: Iterable[str]) -> dict[str, Any]:
    """Upper-cased name → the first object of that name (by name, then id), as ``name__iexact ... .first()``."""
    keys = sorted({name.upper() for name in names})
    found: dict[str, Any] = {}
    for start in range(0, len(keys), BATCH):
        chunk = queryset.annotate(key=Upper("name")).filter(key__in=keys[start : start + BATCH])
        for obj in chunk.order_by("name", "pk"):
            found.setdefault(obj.key, obj)
    return found


@dataclass
class KnownNames:
    """The agencies and areas a file names that exist already (within the force, when one is given)."""

    agencies: dict[str, Agency] = field(default_factory=dict)
    districts: dict[str, District] = field(default_factory=dict)
    neighbourhoods: dict[str, Neighbourhood] = field(default_factory=dict)

    @classmethod
    def load(cls, rows: Iterable[Any], *, force: Force | None) -> KnownNames:
        rows = list(rows)
        districts = District.objects.filter(force=force) if force else District.objects.all()
        wards = Neighbourhood.objects.filter(district__force=force) if force else Neighbourhood.objects.all()
        return cls(
            agencies=_first_by_name(Agency.objects.all(), (row.agency for row in rows)),
            districts=_first_by_name(districts, (name for row in rows for name in row.districts)),
            neighbourhoods=_first_by_name(wards, (name for row in rows for name in row.neighbourhoods)),
        )

    def agency(self, name: str) -> Agency | None:
        return self.agencies.get(name.upper())

    def district(self, name: str) -> District | None:
        return self.districts.get(name.upper())

    def neighbourhood(self, name: str) -> Neighbourhood | None:
        return self.neighbourhoods.get(name.upper())


def _existing_users(usernames: list[str]) -> dict[str, User]:
    """Upper-cased username → the user (usernames match case-insensitively, as the row-by-row import did)."""
    found: dict[str, User] = {}
    keys = sorted({name.upper() for name in usernames})
    for start in range(0, len(keys), BATCH):
        chunk = User.objects.annotate(key=Upper("username")).filter(key__in=keys[start : start + BATCH])
        for user in chunk.order_by("username", "pk"):  # as ``username__iexact ... .first()`` chose
            found.setdefault(user.key, user)
    return found


def _apply(user: User, row: PlannedUser) -> bool:
    """Set the row's values on ``user``; True if anything changed."""
    wanted = (row.email, row.first_name, row.last_name, row.role, row.agency_id)
    if (user.email, user.first_name, user.last_name, user.role, user.agency_id) == wanted:
        return False
    user.email, user.first_name, user.last_name, user.role, user.agency_id = wanted
    return True


def users_write(*, rows: list[PlannedUser], result: Any, tick: Callable[[int], None] = lambda n: None) -> None:
    """Create and update the file's users with their history rows, set where they work, queue the welcome emails.

    ``result`` (an ``ImportResult``) collects the usernames created, updated and unchanged.
    """
    existing = _existing_users([row.username for row in rows])
    new: list[User] = []
    changed: list[User] = []
    users: list[User] = []
    for row in rows:
        user = existing.get(row.username.upper())
        if user is None:
            user = User(username=row.username)
            user.set_unusable_password()  # they choose one through the link emailed once the import commits
            _apply(user, row)
            new.append(user)
        elif _apply(user, row):
            changed.append(user)
        users.append(user)
    bulk_create_with_history(new, User, batch_size=BATCH, default_change_reason=IMPORT_REASON)
    bulk_update_with_history(changed, User, USER_FIELDS, batch_size=BATCH, default_change_reason=IMPORT_REASON)
    rescoped = scopes_set(
        districts={user.pk: row.district_ids for user, row in zip(users, rows, strict=True)},
        neighbourhoods={user.pk: row.neighbourhood_ids for user, row in zip(users, rows, strict=True)},
    )
    created, updated = {id(u) for u in new}, {id(u) for u in changed}
    for start in range(0, len(new), EMAIL_CHUNK):
        _account_emails_queue([user.pk for user in new[start : start + EMAIL_CHUNK]])
    for user in users:
        if id(user) in created:
            result.created.append(user.username)
        elif id(user) in updated or user.pk in rescoped:
            result.updated.append(user.username)
        else:
            result.unchanged.append(user.username)
        tick(1)


def _account_emails_queue(user_ids: list[int]) -> None:
    """New accounts are told, by the worker once the import commits, where to choose their password."""
    from tasks import emails  # jps must not import tasks at module level
    from tasks.queue import enqueue_on_commit

    enqueue_on_commit(emails.account_created_emails, user_ids=user_ids)


# --- where people work --------------------------------------------------------------------------


def scopes_set(*, districts: dict[int, frozenset[int]], neighbourhoods: dict[int, frozenset[int]]) -> set[int]:
    """Make each user's districts and neighbourhoods exactly those given; returns the users whose scope changed."""
    changed: set[int] = set()
    for field_name, wanted in (("districts", districts), ("neighbourhoods", neighbourhoods)):
        through = getattr(User, field_name).through
        column = "district_id" if field_name == "districts" else "neighbourhood_id"
        if connection.vendor == "postgresql":
            changed |= _scope_set_based(through._meta.db_table, column, wanted)
        else:
            changed |= _scope_batched(through, column, wanted)
    return changed


SCOPE_STAGING = """
CREATE TEMPORARY TABLE scope_staging (user_id bigint NOT NULL, area_id bigint) ON COMMIT DROP
"""


def _scope_set_based(table: str, column: str, wanted: dict[int, frozenset[int]]) -> set[int]:
    """COPY the wanted pairs (a user with none: one row with no area), then one DELETE and one INSERT."""
    with connection.cursor() as cursor:
        cursor.execute(SCOPE_STAGING)
        with cursor.cursor.copy("COPY scope_staging (user_id, area_id) FROM STDIN") as copy:
            for user_id, area_ids in wanted.items():
                for area_id in area_ids or (None,):
                    copy.write_row((user_id, area_id))
        cursor.execute("CREATE INDEX ON scope_staging (user_id, area_id)")
        cursor.execute("ANALYZE scope_staging")
        # The table and column are the model's own, never input; quoted as identifiers all the same.
        names = {"table": pg_sql.Identifier(table), "column": pg_sql.Identifier(column)}
        raw = cursor.cursor  # psycopg's own cursor: it composes the identifiers
        raw.execute(
            pg_sql.SQL(
                """DELETE FROM {table} t USING (SELECT DISTINCT user_id FROM scope_staging) u
            WHERE t.user_id = u.user_id AND NOT EXISTS (
                SELECT 1 FROM scope_staging s WHERE s.user_id = t.user_id AND s.area_id = t.{column})
            RETURNING t.user_id"""
            ).format(**names)
        )
        changed = {user_id for (user_id,) in raw.fetchall()}
        raw.execute(
            pg_sql.SQL(
                """INSERT INTO {table} (user_id, {column})
            SELECT DISTINCT user_id, area_id FROM scope_staging WHERE area_id IS NOT NULL
            ON CONFLICT DO NOTHING RETURNING user_id"""
            ).format(**names)
        )
        changed |= {user_id for (user_id,) in raw.fetchall()}
        cursor.execute("DROP TABLE scope_staging")  # ON COMMIT DROP, unless inside an outer transaction
    return changed


def _scope_batched(through: Any, column: str, wanted: dict[int, frozenset[int]]) -> set[int]:
    """``through``: the many-to-many's through model (its manager is not in the stubs' ``type[Model]``)."""
    current: dict[int, set[int]] = {user_id: set() for user_id in wanted}
    stale: list[int] = []
    ids = list(wanted)
    for start in range(0, len(ids), BATCH):
        pairs = through.objects.filter(user_id__in=ids[start : start + BATCH]).values_list("pk", "user_id", column)
        for pk, user_id, area_id in pairs:
            current[user_id].add(area_id)
            if area_id not in wanted[user_id]:
                stale.append(pk)
    through.objects.filter(pk__in=stale).delete()
    fresh = [
        through(user_id=user_id, **{column: area_id})
        for user_id, area_ids in wanted.items()
        for area_id in sorted(area_ids - current[user_id])
    ]
    through.objects.bulk_create(fresh, batch_size=BATCH)
    return {user_id for user_id, area_ids in wanted.items() if area_ids != current[user_id]}
