"""The office's working days: weekends, Indonesia's national holidays and cuti bersama (the `holidays` package),
and the days the admin declares off or on; every time standard (complaint due times, waits) counts in them."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays

from distribusi.models import Office

WEEKEND = (5, 6)  # Saturday, Sunday
MAX_DAYS_AHEAD = 3660  # a due time never needs to look further than ten years


@lru_cache(maxsize=64)
def national_days_off(year: int) -> dict[date, str]:
    """Indonesia's public holidays and cuti bersama of one year, with their Indonesian names."""
    return dict(holidays.country_holidays("ID", years=year, language="id", categories=("public", "government")))


def _declared(office: Office, key: str) -> dict[date, str]:
    found = {}
    for entry in (office.settings or {}).get(key) or []:
        try:
            found[date.fromisoformat(entry["date"])] = entry.get("name") or ""
        except (KeyError, TypeError, ValueError):
            continue  # settings are validated on the way in; an old malformed entry is not a reason to fail
    return found


def day_off_reason(office: Office, day: date) -> str | None:
    """Why the office is closed that day ("Sabtu", a holiday's name, the admin's note), or None on a working day."""
    if day in _declared(office, "work_days"):
        return None
    declared = _declared(office, "days_off")
    if day in declared:
        return declared[day] or "Libur kantor"
    if day.weekday() in WEEKEND:
        return "Sabtu" if day.weekday() == 5 else "Minggu"
    return national_days_off(day.year).get(day)


def is_working_day(office: Office, day: date) -> bool:
    return day_off_reason(office, day) is None


def days_off_between(office: Office, start: date, end: date) -> dict[date, str]:
    """Every closed day from start to end inclusive, with its reason."""
    closed = {}
    day = start
    while day <= end:
        if (reason := day_off_reason(office, day)) is not None:
            closed[day] = reason
        day += timedelta(days=1)
    return closed


def _local_date(office: Office, moment: datetime) -> date:
    return moment.replace(tzinfo=UTC).astimezone(office.zone).date()


def _end_of_local_day(office: Office, day: date) -> datetime:
    """The last second of that day in the office's zone, as a stored (naive UTC) time."""
    local = datetime.combine(day, time(23, 59, 59), tzinfo=office.zone)
    return local.astimezone(UTC).replace(tzinfo=None)


def due_after_working_days(office: Office, moment: datetime, days: int) -> datetime:
    """The end of the `days`-th working day after the moment's local date (a stored, naive UTC time).

    Logged on Friday afternoon before a long weekend with days=1: due at the end of the next working day.
    """
    day = _local_date(office, moment)
    counted = 0
    for _ in range(MAX_DAYS_AHEAD):
        if counted >= days:
            break
        day += timedelta(days=1)
        if is_working_day(office, day):
            counted += 1
    return _end_of_local_day(office, day)


def working_days_between(office: Office, start: datetime, end: datetime) -> float:
    """The time from start to end (stored UTC times) in days, leaving out the closed days it spans."""
    if end <= start:
        return 0.0
    elapsed = (end - start).total_seconds() / 86400
    first, last = _local_date(office, start), _local_date(office, end)
    zone = office.zone
    closed_seconds = 0.0
    for day in days_off_between(office, first, last):
        day_start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
        overlap = min(end, day_start + timedelta(days=1)) - max(start, day_start)
        closed_seconds += max(overlap.total_seconds(), 0)
    return max(elapsed - closed_seconds / 86400, 0.0)


def working_time_between(office: Office, start: datetime, end: datetime) -> timedelta:
    """working_days_between as a duration, for waits shown as "2 hari 3 jam"."""
    return timedelta(days=working_days_between(office, start, end))


def working_since(office: Office, now: datetime, span: timedelta) -> datetime:
    """The moment from which `span` of working time has passed by `now` (closed days do not count), so "waited
    longer than the limit" is one comparison with a stored time."""
    remaining = span.total_seconds()
    cursor = now
    for _ in range(MAX_DAYS_AHEAD):
        day = _local_date(office, cursor - timedelta(microseconds=1))  # at midnight, the day that just ended
        day_start = datetime.combine(day, time(0), tzinfo=office.zone).astimezone(UTC).replace(tzinfo=None)
        if is_working_day(office, day):
            available = (cursor - day_start).total_seconds()
            if available >= remaining:
                return cursor - timedelta(seconds=remaining)
            remaining -= available
        cursor = day_start
    return cursor
