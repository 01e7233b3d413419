"""The one base every service builds on: check a permission, save with the audit trail, today's date.

Every write in every subdomain package (``jps.problems``, ``jps.casework``, ``jps.meetings``,
``jps.insight``...) calls ``require`` before it acts and ``save`` to write, so a refusal is always
logged on ``jps.security`` and every saved row's history names who changed it and why.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone

from .models import (
    User,
)
from .security import attribute_change, object_label, refused


def require(user: User, perm: str, obj: Any = None) -> None:
    if not user.has_perm(perm, obj):
        refused("permission refused", user=user, object=object_label(obj), permission=perm)
        raise PermissionDenied(f"You do not have permission to do this ({perm.split('.')[-1].replace('_', ' ')}).")


def save(
    obj: models.Model, *, by: User, reason: str = "", update_fields: Iterable[str] | None = None, **kwargs: Any
) -> None:
    """Validate and save, recording who made the change (and why) in the history row.

    With ``update_fields`` (the fields the service changed) an existing row is written with
    those fields alone, so a concurrent edit to another field survives; the row is locked and
    the instance's other fields re-read first, so validation sees the row as it will be and
    simple-history (which snapshots the instance on ``post_save``, ``update_fields`` or not)
    records the row as saved, not a stale copy of the rest. A new row is inserted whole.
    """
    fields = None if update_fields is None or obj._state.adding else fields_to_write(obj, update_fields)
    if fields is not None:
        others = [f.name for f in obj._meta.concrete_fields if f.attname not in fields and not f.primary_key]
        locked = type(obj)._base_manager.select_for_update()
        obj.refresh_from_db(fields=others, from_queryset=locked)
        kwargs["exclude"] = [*kwargs.get("exclude", ()), *others]
    obj.full_clean(**kwargs)
    attribute_change(obj, by=by, reason=reason)
    obj.save(update_fields=fields)


def fields_to_write(obj: models.Model, names: Iterable[str]) -> list[str]:
    """The columns for ``names`` (a foreign key by field name or ``_id``), plus any ``auto_now`` stamp."""
    wanted = set(names)
    fields = [
        f.attname
        for f in obj._meta.concrete_fields
        if f.name in wanted or f.attname in wanted or getattr(f, "auto_now", False)
    ]
    unknown = wanted - {f.name for f in obj._meta.concrete_fields} - {f.attname for f in obj._meta.concrete_fields}
    assert not unknown, f"{type(obj).__name__} has no field {', '.join(sorted(unknown))}"
    return fields


def local_today() -> datetime.date:
    return timezone.localdate()
