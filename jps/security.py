"""Refusals, on the ``jps.security`` logger: one WARNING line per attempt at what is not yours.

Each record carries ``user`` (username, or ``anonymous``), ``object`` (``Model:id``) and
what was refused; the request id is added by the log filter. The places that refuse call
``refused``: the permission check in the services (``services._require``) and in the API
(``api.permissions.require_perm``), the scoped lookup that answers 404 for ids out of
sight (``selectors.scoped_get``), and the admin site for people who are not staff.
"""

from __future__ import annotations

import logging
from typing import Any, cast

security_log = logging.getLogger("jps.security")


def object_label(obj: Any) -> str:
    return f"{type(obj).__name__}:{getattr(obj, 'pk', '')}" if obj is not None else ""


def refused(event: str, *, user: Any, object: str = "", **extra: Any) -> None:  # noqa: A002
    username = getattr(user, "username", "") if getattr(user, "is_authenticated", False) else ""
    security_log.warning(event, extra={"user": username or "anonymous", "object": object, **extra})


def attribute_change(obj: Any, *, by: Any, reason: str = "") -> None:
    """Who makes the next save or delete of ``obj`` (and why): django-simple-history reads these
    attributes into the history row."""
    target = cast(Any, obj)
    target._history_user = by
    if reason:
        target._change_reason = reason[:100]
