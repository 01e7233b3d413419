"""What residents see of meetings: built from an explicit list of published fields, so internal
notes, a community chair's name and anything about residents other than the attendance count
cannot reach a public file.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from .. import publishing
from ..models import (
    Meeting,
    MeetingItem,
    Neighbourhood,
    Stage,
)

Kind = MeetingItem.Kind

# --- public output ------------------------------------------------------------------------------


def _local_iso(moment: datetime.datetime | None) -> str | None:
    """data.police.uk style: local time, no offset, e.g. ``2026-03-03T19:00:00``."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0).isoformat()


def _public_place(meeting: Meeting) -> str:
    if meeting.online:
        return f"Online: {meeting.online_url}" if meeting.online_url else "Online"
    return meeting.place_display


def meeting_public(meeting: Meeting) -> dict[str, Any]:
    """An upcoming meeting as the public page shows it: date, time, venue and purpose. Nothing else."""
    starts = timezone.localtime(meeting.starts_at)
    ends = timezone.localtime(meeting.ends_at) if meeting.ends_at else None
    return {
        "title": meeting.title,
        "starts_at": _local_iso(meeting.starts_at),
        "ends_at": _local_iso(meeting.ends_at),
        "date_label": date_format(starts, "l j F Y"),
        "time_label": f"{starts:%H:%M}–{ends:%H:%M}" if ends else f"{starts:%H:%M}",
        "venue": "Online" if meeting.online else meeting.venue,
        "address": "" if meeting.online else meeting.address,
        "online_url": meeting.online_url if meeting.online else "",
        "purpose": meeting.public_agenda,
    }


def meeting_event(meeting: Meeting) -> dict[str, Any]:
    """One meeting in the data.police.uk neighbourhood events shape."""
    return {
        "title": meeting.title,
        "description": meeting.public_agenda,
        "address": _public_place(meeting),
        "type": "meeting",
        "start_date": _local_iso(meeting.starts_at),
        "end_date": _local_iso(meeting.ends_at),
    }


def meeting_calendar_entry(meeting: Meeting) -> dict[str, Any]:
    """An upcoming meeting as a calendar event (``meetings.ics``): the published fields, its id and when it changed.

    The id makes a stable UID, so a phone that subscribed updates the event rather than adding
    another; ``updated_at`` is when the information was last revised (the ``DTSTAMP`` of a
    calendar published without a method, RFC 5545 3.8.7.2).
    """
    place = "Online" if meeting.online else ", ".join(part for part in (meeting.venue, meeting.address) if part)
    return {
        "id": meeting.pk,
        "title": meeting.title,
        "description": meeting.public_agenda,
        "location": place,
        "url": meeting.online_url if meeting.online else "",
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "updated_at": meeting.updated_at,
    }


def _public_meetings(neighbourhood: Neighbourhood) -> QuerySet[Meeting]:
    return Meeting.objects.filter(neighbourhoods=neighbourhood).exclude(status=Meeting.Status.CANCELLED)


def meeting_events_export(
    *, neighbourhood: Neighbourhood, now: datetime.datetime | None = None, months: int = 3
) -> list[dict[str, Any]]:
    """Upcoming meetings for the next ``months`` months, in the data.police.uk events shape."""
    now = now or timezone.now()
    until = now + datetime.timedelta(days=31 * months)
    meetings = _public_meetings(neighbourhood).filter(starts_at__gte=now, starts_at__lte=until).order_by("starts_at")
    return [meeting_event(meeting) for meeting in meetings]


def _we_did(item: MeetingItem) -> str:
    """The "we did" of an item: what was said at the meeting, or what has happened since."""
    if item.public_response:
        return item.public_response
    problem = item.problem
    if problem is not None and problem.stage == Stage.CLOSED:
        assessment = getattr(problem, "assessment", None)
        if assessment is not None and assessment.public_outcome:
            return str(assessment.public_outcome)
    if item.kind == Kind.AGREED and problem is not None:
        return f"Agreed as a priority, led by {problem.lead_agency}."
    if item.kind == Kind.CARRIED_OVER:
        return "Work continues; carried over to the next meeting."
    return ""


#: How far back "You said — we did" goes, and how far ahead upcoming meetings are listed.
PUBLIC_PAST = datetime.timedelta(days=372)
PUBLIC_AHEAD = datetime.timedelta(days=93)


def _shown(item: MeetingItem, neighbourhood_id: int) -> bool:
    """Is this item on the neighbourhood's page: what residents raised, or a priority of it that is public now.

    ``public`` is annotated from ``jps.publishing.public_problems`` (the one rule: a PACT priority
    only once the web editor approved it); an agreement the web editor turned down is never shown.
    """
    if item.problem is None:
        return True
    if item.publication == MeetingItem.Publication.REJECTED:
        return False
    return bool(getattr(item, "public", False)) and item.problem.neighbourhood_id == neighbourhood_id


def _you_said(meeting: Meeting, neighbourhood_id: int) -> dict[str, Any]:
    """One past meeting as "You said — we did" for one neighbourhood: published fields only."""
    return {
        "title": meeting.title,
        "date": meeting.date.isoformat(),
        "date_label": date_format(meeting.date, "l j F Y"),  # as upcoming meetings: "Tuesday 22 December 2026"
        "residents_attending": meeting.residents_attending,
        "items": [
            {
                "kind": item.kind,
                "kind_label": item.get_kind_display(),
                "you_said": item.summary,
                "you_said_cy": item.summary_cy,
                "we_did": _we_did(item),
            }
            for item in meeting.items.all()
            if _shown(item, neighbourhood_id)
        ],
    }


def public_meetings_by_neighbourhood(
    *, neighbourhood_ids: Iterable[int], now: datetime.datetime | None = None
) -> dict[int, dict[str, Any]]:
    """What each neighbourhood's public page shows about meetings, for many neighbourhoods at once.

    Three queries whatever the number of neighbourhoods (meetings, their neighbourhoods,
    their items), so the public-site renderer can call it once per build. For each id:
    ``upcoming`` (the next three months: date, time, venue, purpose), ``you_said_we_did``
    (the past year's held meetings, newest first), ``events`` (the upcoming meetings
    in the data.police.uk events shape) and ``calendar`` (the upcoming meetings for ``meetings.ics``).
    """
    now = now or timezone.now()
    ids = set(neighbourhood_ids)
    public = publishing.public_problems().filter(pk=OuterRef("problem_id"))
    items = (
        MeetingItem.objects.select_related("problem__lead_agency", "problem__assessment")
        .annotate(public=Exists(public))
        .order_by("id")
    )
    found = (
        Meeting.objects.filter(
            Exists(Meeting.neighbourhoods.through.objects.filter(meeting_id=OuterRef("pk"), neighbourhood_id__in=ids)),
            starts_at__gte=now - PUBLIC_PAST,
            starts_at__lte=now + PUBLIC_AHEAD,
        )
        .exclude(status=Meeting.Status.CANCELLED)
        .prefetch_related(
            Prefetch("neighbourhoods", queryset=Neighbourhood.objects.only("id")),
            Prefetch("items", queryset=items),
        )
        .order_by("starts_at", "id")
    )
    pages: dict[int, dict[str, Any]] = {
        pk: {"upcoming": [], "you_said_we_did": [], "events": [], "calendar": []} for pk in ids
    }
    for meeting in found:
        for neighbourhood in meeting.neighbourhoods.all():
            page = pages.get(neighbourhood.pk)
            if page is None:
                continue
            if meeting.starts_at >= now:
                page["upcoming"].append(meeting_public(meeting))
                page["events"].append(meeting_event(meeting))
                page["calendar"].append(meeting_calendar_entry(meeting))
            elif meeting.status == Meeting.Status.HELD:
                page["you_said_we_did"].insert(0, _you_said(meeting, neighbourhood.pk))
    return pages


def you_said_we_did(*, neighbourhood: Neighbourhood, now: datetime.datetime | None = None) -> list[dict[str, Any]]:
    """The past year's meetings of one neighbourhood, newest first, with what was raised and what was done."""
    return public_meetings_by_neighbourhood(neighbourhood_ids=[neighbourhood.pk], now=now)[neighbourhood.pk][
        "you_said_we_did"
    ]


def public_meetings_for_neighbourhood(
    *, neighbourhood: Neighbourhood, now: datetime.datetime | None = None
) -> dict[str, Any]:
    """Everything one neighbourhood's public page shows about meetings (see ``public_meetings_by_neighbourhood``)."""
    return public_meetings_by_neighbourhood(neighbourhood_ids=[neighbourhood.pk], now=now)[neighbourhood.pk]
