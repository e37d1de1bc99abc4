"""Due-date arithmetic for legal clocks: plain Python, no ORM (tested without a database).

A rule says how many units (calendar days, working days, weeks, calendar months) the party has,
whether the day the duty was received counts (by default it does not), and whether a last day
that is not a working day rolls forward to the next working day. Working days come from the
`holidays` package per jurisdiction, including China's make-up working days on weekends
(`HolidayBase.is_working_day` consults `weekend_workdays`). Which holiday calendar and which time
zone a jurisdiction has is the table in `agencies.jurisdictions`; an unknown code raises its
`UnknownJurisdiction`.
"""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from agencies.jurisdictions import jurisdiction_get


class Unit(StrEnum):
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    WEEKS = "weeks"
    CALENDAR_MONTHS = "calendar_months"


UNIT_WORDS = {
    Unit.CALENDAR_DAYS: ("calendar day", "calendar days"),
    Unit.WORKING_DAYS: ("working day", "working days"),
    Unit.WEEKS: ("week", "weeks"),
    Unit.CALENDAR_MONTHS: ("calendar month", "calendar months"),
}


@dataclass(frozen=True)
class Period:
    amount: int
    unit: Unit
    count_start_day: bool = False
    roll_forward: bool = True

    def describe(self) -> str:
        one, many = UNIT_WORDS[self.unit]
        return f"{self.amount} {one if self.amount == 1 else many}"


@dataclass(frozen=True)
class DueDate:
    received: date
    due: date
    explanation: str


@lru_cache(maxsize=256)
def _calendar(jurisdiction: str, year: int) -> holidays.HolidayBase:
    j = jurisdiction_get(jurisdiction)  # UnknownJurisdiction for a code not in the table
    # Neighbouring years too, so observed days and make-up days across New Year are present.
    return holidays.country_holidays(j.holiday_country, subdiv=j.holiday_subdivision, years=(year - 1, year, year + 1))


def timezone_for(jurisdiction: str) -> ZoneInfo:
    return ZoneInfo(jurisdiction_get(jurisdiction).timezone)


def is_working_day(jurisdiction: str, day: date) -> bool:
    return _calendar(jurisdiction, day.year).is_working_day(day)


def non_working_reason(jurisdiction: str, day: date) -> str:
    cal = _calendar(jurisdiction, day.year)
    name = cal.get(day)
    if name:
        return f"{name} ({jurisdiction} public holiday)"
    return f"a {day:%A} ({jurisdiction} weekend)"


def next_working_day(jurisdiction: str, day: date) -> date:
    while not is_working_day(jurisdiction, day):
        day += timedelta(days=1)
    return day


def previous_working_day(jurisdiction: str, day: date) -> date:
    """The last working day strictly before `day`."""
    day -= timedelta(days=1)
    while not is_working_day(jurisdiction, day):
        day -= timedelta(days=1)
    return day


def add_working_days(jurisdiction: str, start: date, n: int, *, count_start_day: bool = False) -> date:
    """The n-th working day after `start` (or counting `start` itself when it is a working day
    and `count_start_day`)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    day = start
    counted = 0
    if count_start_day and is_working_day(jurisdiction, start):
        counted = 1
        if counted == n:
            return start
    while counted < n:
        day += timedelta(days=1)
        if is_working_day(jurisdiction, day):
            counted += 1
    return day


def add_months(start: date, n: int) -> date:
    """Same date n months later; the last day of a shorter month (Jan 31 + 1 month = Feb 28/29)."""
    month0 = start.month - 1 + n
    year, month = start.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(start.day, _cal.monthrange(year, month)[1]))


def _made_up_days(jurisdiction: str, first: date, last: date) -> list[date]:
    out = []
    day = first
    while day <= last:
        cal = _calendar(jurisdiction, day.year)
        if cal.is_weekend(day) and cal.is_working_day(day):
            out.append(day)
        day += timedelta(days=1)
    return out


def compute_due(period: Period, received: date, jurisdiction: str) -> DueDate:
    """The last day of `period` for a duty received on `received`, with an explanation."""
    _calendar(jurisdiction, received.year)  # validates the jurisdiction
    start_note = "the day of receipt counts" if period.count_start_day else "the day of receipt is not counted"
    steps = [f"Received {received.isoformat()} ({received:%A}); {period.describe()}, {start_note}"]
    offset = 1 if period.count_start_day else 0
    if period.unit == Unit.WORKING_DAYS:
        raw = add_working_days(jurisdiction, received, period.amount, count_start_day=period.count_start_day)
        skipped = []
        day = received + timedelta(days=1)
        while day <= raw:
            if not is_working_day(jurisdiction, day):
                skipped.append(day)
            day += timedelta(days=1)
        made_up = _made_up_days(jurisdiction, received + timedelta(days=1), raw)
        text = f"counting only {jurisdiction} working days gives {raw.isoformat()} ({raw:%A})"
        if skipped:
            text += f"; {len(skipped)} non-working day(s) skipped ({_ranges(skipped)})"
        if made_up:
            text += "; make-up working day(s) counted: " + ", ".join(f"{d.isoformat()} ({d:%a})" for d in made_up)
        steps.append(text)
    elif period.unit == Unit.CALENDAR_MONTHS:
        raw = add_months(received, period.amount)
        if offset:
            raw -= timedelta(days=1)
        text = f"the same date {period.describe()} later is {raw.isoformat()} ({raw:%A})"
        wanted_day = received.day
        if raw.day < wanted_day and not offset:
            text += f" (that month has no day {wanted_day}, so its last day)"
        steps.append(text)
    else:
        days = period.amount * (7 if period.unit == Unit.WEEKS else 1) - offset
        raw = received + timedelta(days=days)
        steps.append(f"{received.isoformat()} + {days} days = {raw.isoformat()} ({raw:%A})")
    due = raw
    if not is_working_day(jurisdiction, raw):
        if period.roll_forward:
            due = next_working_day(jurisdiction, raw)
            steps.append(
                f"{raw.isoformat()} is {non_working_reason(jurisdiction, raw)}, so the last day rolls forward "
                f"to the next {jurisdiction} working day, {due.isoformat()} ({due:%A})"
            )
        else:
            steps.append(f"{raw.isoformat()} is not a working day, but this rule does not roll forward")
    steps.append(f"due by the end of {due.isoformat()}")
    return DueDate(received=received, due=due, explanation="; ".join(steps) + ".")


def _ranges(days: list[date]) -> str:
    if len(days) <= 4:
        return ", ".join(d.isoformat() for d in days)
    return f"{days[0].isoformat()} .. {days[-1].isoformat()}"


def end_of_day(jurisdiction: str, day: date) -> datetime:
    """The instant a clock whose last day is `day` runs out: local midnight after it."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone_for(jurisdiction))


def start_of_day(jurisdiction: str, day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone_for(jurisdiction))


def local_date(jurisdiction: str, moment: datetime) -> date:
    return moment.astimezone(timezone_for(jurisdiction)).date()
