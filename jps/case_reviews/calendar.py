"""Working days in England and Wales: weekends and bank holidays excluded.

The bank holidays come from the ``holidays`` library (the United Kingdom, subdivisions
England and Wales, which share one calendar; substitute days included, e.g. Boxing Day
2026 falls on a Saturday and is observed on Monday 28 December), so no table of dates
is kept here to go stale.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays

#: The nations whose bank holidays apply (both CSP areas' statutory deadlines run in England and Wales).
SUBDIVISIONS = ("ENG", "WLS")


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[datetime.date]:
    """The bank holidays of England and Wales in ``year`` (a union: the two nations agree today)."""
    days: set[datetime.date] = set()
    for subdiv in SUBDIVISIONS:
        days |= set(holidays.country_holidays("GB", subdiv=subdiv, years=year))
    return frozenset(days)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days after ``start`` (``start`` itself is day 0, whatever it is).

    Received on Thursday 24 December 2026 with 5 working days: 29, 30, 31 December, 4 and
    5 January (25, 26 and 28 December and 1 January are bank holidays) → 5 January 2027.
    """
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + datetime.timedelta(days=n)))


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` calendar months earlier (the last day of a shorter month)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")
