"""A neighbourhood's upcoming meetings as iCalendar (RFC 5545), ``meetings.ics`` beside its page.

Written with the ``icalendar`` library, which escapes text (commas, semicolons, backslashes, new
lines) and folds lines at 75 octets. Each meeting's UID is ``meeting-<id>@<public site host>``, the
same in every export and in every neighbourhood it serves, so a subscribed calendar updates an
event in place; ``DTSTAMP`` is when the meeting was last changed, so an unchanged meeting renders
the same bytes. Times are UTC (no time zone definitions to carry). Only public fields: title,
public agenda, venue and address (or "Online" and the joining link).
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlsplit

from django.utils import timezone
from icalendar import Calendar, Event

PRODID = "-//JPS joint problem solving//Neighbourhood meetings//EN"


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(microsecond=0)


def meetings_ics(*, name: str, page_url: str, meetings: list[dict[str, Any]]) -> bytes:
    """The calendar of one neighbourhood: ``meetings`` are ``jps.meetings`` calendar entries, soonest first."""
    host = urlsplit(page_url).hostname or "jps.invalid"
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Meetings: {name}")
    calendar.add("x-wr-timezone", timezone.get_current_timezone_name())
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting['id']}@{host}")
        event.add("dtstamp", _utc(meeting["updated_at"]))
        event.add("last-modified", _utc(meeting["updated_at"]))
        event.add("dtstart", _utc(meeting["starts_at"]))
        if meeting["ends_at"]:
            event.add("dtend", _utc(meeting["ends_at"]))
        event.add("summary", meeting["title"])
        if meeting["description"]:
            event.add("description", meeting["description"])
        if meeting["location"]:
            event.add("location", meeting["location"])
        event.add("url", meeting["url"] or page_url)
        calendar.add_component(event)
    return bytes(calendar.to_ical())
