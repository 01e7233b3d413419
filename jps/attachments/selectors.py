"""Reads of attachments, every one scoped by ``attachment_scope_q``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ..models import Attachment, Problem, ProgressUpdate
from .rules import attachment_scope_q


def attachments_for(user: Any, problem: Problem) -> QuerySet[Attachment]:
    """The files on ``problem`` that ``user`` may see (not removed), newest first."""
    return (
        Attachment.objects.filter(attachment_scope_q(user), problem=problem, removed_at=None)
        .select_related("uploaded_by", "action", "action__agency", "public_update")
        .order_by("-uploaded_at", "-pk")
    )


def attachment_get_for(user: Any, *, problem_id: int, pk: int) -> Attachment:
    """One attachment ``user`` may see on that problem; ``Attachment.DoesNotExist`` otherwise (a 404)."""
    return Attachment.objects.select_related("problem", "action").get(
        attachment_scope_q(user), problem_id=problem_id, pk=pk
    )


def photos_to_publish(user: Any, update: ProgressUpdate) -> QuerySet[Attachment]:
    """The photos a web editor may publish with ``update``: staff images of its problem, not yet elsewhere."""
    return attachments_for(user, update.problem).filter(
        kind=Attachment.Kind.IMAGE, resident_report__isnull=True, public_update__isnull=True
    )
