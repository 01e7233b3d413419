"""PACT meetings: writes (``services``), staff reads (``selectors``) and what residents see (``public``).

The names below are the package's public face, which the web, the API, the jobs and the public
site import; the meeting models live in ``jps/models/meetings.py``.
"""

from __future__ import annotations

from .public import (
    meeting_event,
    meeting_events_export,
    meeting_public,
    public_meetings_by_neighbourhood,
    public_meetings_for_neighbourhood,
    you_said_we_did,
)
from .selectors import (
    RESTRICTED_ITEM,
    ItemSeen,
    meeting_detail,
    meeting_items_for,
    meeting_notes_for,
    meeting_problem_choices,
    meetings_visible_to,
    month_before,
    neighbourhoods_failing_meeting_standard,
    neighbourhoods_for_meetings,
    priorities_awaiting_approval,
    priority_item_for,
)
from .services import (
    MEETING_EDITABLE,
    PossibleDuplicates,
    meeting_adopt_existing,
    meeting_agree_new_priority,
    meeting_carry_over,
    meeting_create,
    meeting_priority_decide,
    meeting_raise,
    meeting_sign_off,
    meeting_update,
)

__all__ = [
    "MEETING_EDITABLE",
    "RESTRICTED_ITEM",
    "ItemSeen",
    "PossibleDuplicates",
    "meeting_adopt_existing",
    "meeting_agree_new_priority",
    "meeting_carry_over",
    "meeting_create",
    "meeting_detail",
    "meeting_event",
    "meeting_events_export",
    "meeting_items_for",
    "meeting_notes_for",
    "meeting_problem_choices",
    "meeting_priority_decide",
    "meeting_public",
    "meeting_raise",
    "meeting_sign_off",
    "meeting_update",
    "meetings_visible_to",
    "month_before",
    "neighbourhoods_failing_meeting_standard",
    "neighbourhoods_for_meetings",
    "priorities_awaiting_approval",
    "priority_item_for",
    "public_meetings_by_neighbourhood",
    "public_meetings_for_neighbourhood",
    "you_said_we_did",
]
