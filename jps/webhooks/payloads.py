"""What each event says: the fields a partner of the receiving agency reads in the API, never more.

The action is the API's ``ActionSerializer`` shape; the problem a short form of ``ProblemSerializer``
without its personal or internal text (description, originator, location, owner): a payload reaches
the partner's system without passing the access log, so it carries identifiers, states and dates, and
the receiver reads the rest from the API (``api_url``), where the read is logged like any other. No
contact, victim or analysis field is ever in one (``tests/webhooks`` checks the shapes against the
serializers). Dates are ISO 8601 strings, so the stored payload is exactly what is sent.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings

from ..models import Action, Problem, ProgressUpdate, StageChange, Transfer


def _iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _api_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/api/{path}"


def problem_payload(problem: Problem) -> dict[str, Any]:
    return {
        "id": problem.pk,
        "reference": problem.reference,
        "title": problem.title,
        "category": problem.category_id,
        "category_name": problem.category.name,
        "district": problem.district_id,
        "district_name": problem.district.name,
        "neighbourhood": problem.neighbourhood_id,
        "neighbourhood_name": problem.neighbourhood.display_name,
        "lead_agency": problem.lead_agency_id,
        "lead_agency_name": problem.lead_agency.name,
        "stage": problem.stage,
        "stage_changed_at": _iso(problem.stage_changed_at),
        "public_priority": problem.public_priority,
        "api_url": _api_url(f"problems/{problem.pk}/"),
    }


def action_payload(action: Action) -> dict[str, Any]:
    return {
        "id": action.pk,
        "problem": action.problem_id,
        "problem_reference": action.problem.reference,
        "action_type": action.action_type,
        "description": action.description,
        "agency": action.agency_id,
        "agency_name": action.agency.name,
        "assignee": action.assignee_id,
        "assignee_name": str(action.assignee) if action.assignee_id else None,
        "due_on": _iso(action.due_on),
        "status": action.status,
        "result": action.result,
        "completed_on": _iso(action.completed_on),
        "created_at": _iso(action.created_at),
        "updated_at": _iso(action.updated_at),
        "api_url": _api_url(f"actions/{action.pk}/"),
    }


def transfer_payload(transfer: Transfer) -> dict[str, Any]:
    assert transfer.action is not None
    return {
        "action": action_payload(transfer.action),
        "from_agency": transfer.from_agency_id,
        "from_agency_name": transfer.from_agency.name,
        "to_agency": transfer.to_agency_id,
        "to_agency_name": transfer.to_agency.name,
        "at": _iso(transfer.at),
    }


def stage_change_payload(problem: Problem, change: StageChange) -> dict[str, Any]:
    return {
        "problem": problem_payload(problem),
        "from_stage": change.from_stage,
        "to_stage": change.to_stage,
        "at": _iso(change.at),
    }


def update_payload(update: ProgressUpdate) -> dict[str, Any]:
    """An approved update: its public text only (the note as written is internal)."""
    return {
        "id": update.pk,
        "problem": problem_payload(update.problem),
        "public_text": update.public_text,
        "decided_at": _iso(update.decided_at),
    }
