"""A report's period in the office's zone, and the SQL pieces the reports share: epoch seconds, office-local day
numbers, working-day waits from a small calendar of closed days, and exact percentiles."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import Float, Integer, bindparam, cast, func, literal_column, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import Grouping

from distribusi.extensions import db
from distribusi.models import Office, utcnow
from distribusi.workdays import days_off_between

DAY = 86400
MAX_DAYS = 3700  # ten years: any period a report is asked for
LOOKBACK_DAYS = 400  # how far before the period a wait may have started and still have its closed days counted
EPOCH_JULIAN = 2440587.5


@dataclass(frozen=True)
class Period:
    """Office-local days first..last (both included) and their UTC bounds [start, end)."""

    first: date
    last: date
    start: datetime
    end: datetime
    offset: timedelta

    def as_dict(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


def month_of(day: date) -> tuple[date, date]:
    """The first and last day of the month holding day."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _parse(value: Any, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({name: ["Tanggal harus berformat TTTT-BB-HH, misalnya 2026-11-01."]}) from None


def period_of(office: Office, first: Any = None, last: Any = None, now: datetime | None = None) -> Period:
    """The period from..to (YYYY-MM-DD, office-local, both included); the current month when both are blank;
    raises ValidationError with Indonesian messages for a bad date or range."""
    now = now or utcnow()
    offset = office.zone.utcoffset(now)
    first, last = _parse(first, "from"), _parse(last, "to")
    if first is None and last is None:
        first, last = month_of((now + offset).date())
    elif first is None:
        first = month_of(last)[0]
    elif last is None:
        last = month_of(first)[1]
    if last < first:
        raise ValidationError({"to": ["Tanggal akhir tidak boleh sebelum tanggal awal."]})
    if (last - first).days > MAX_DAYS:
        raise ValidationError({"to": ["Periode laporan paling panjang sepuluh tahun."]})
    start = datetime.combine(first, time(0)) - offset
    end = datetime.combine(last + timedelta(days=1), time(0)) - offset
    return Period(first, last, start, end, offset)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


# For the report's transaction on PostgreSQL: no JIT (compiling costs more than it saves on ~100k-row aggregates),
# index lookups priced as on SSD (a period's rows lie together, so probing the primary keys of a month's parcels
# beats hashing all of them), and room to sort and hash a year's waits in memory.
POSTGRES_SETTINGS = ("SET LOCAL jit = off", "SET LOCAL random_page_cost = 1.1", "SET LOCAL work_mem = '128MB'")


def tune_for_reports() -> None:
    """Set POSTGRES_SETTINGS for the current transaction (nothing on SQLite); they end with it."""
    if _dialect() == "postgresql":
        for statement in POSTGRES_SETTINGS:
            db.session.execute(text(statement))


def epoch(column):
    """SQL for a stored (naive UTC) time as seconds since 1970."""
    if _dialect() == "sqlite":
        return (func.julianday(column) - EPOCH_JULIAN) * DAY
    return func.date_part("epoch", column, type_=Float)  # double precision; EXTRACT's numeric costs twice as much per row


def day_number(seconds, offset: timedelta):
    """SQL for the office-local day (days since 1970-01-01) of an epoch-seconds expression."""
    shifted = (seconds + offset.total_seconds()) / float(DAY)
    if _dialect() == "sqlite":
        return cast(shifted, Integer)  # truncates; the times are after 1970
    return cast(func.floor(shifted), Integer)


def _day_index(day: date) -> int:
    return (day - date(1970, 1, 1)).days


class ClosedDays:
    """The office's closed days over the local days first..last, for working-day waits in SQL (like
    workdays.working_days_between), from workdays.days_off_between (a few hundred days). The closed seconds before
    a moment of day d are cum[d] + closed[d] × (moment − start of d): the closed seconds before d began (a running
    total) and, if d is closed, the part of d gone by. Kept per day as base[d] + closed[d] × moment, with
    base[d] = cum[d] − closed[d] × (start of d): one multiply-add a moment, exact in double precision."""

    def __init__(self, office: Office, first: date, last: date, offset: timedelta) -> None:
        closed = days_off_between(office, first, last)
        self.offset, self.first = offset, _day_index(first)
        self.base, self.closed, running, day = [], [], 0, first
        while day <= last:
            is_closed = 1 if day in closed else 0
            start = _day_index(day) * DAY - offset.total_seconds()
            self.base.append(running - is_closed * start)
            self.closed.append(is_closed)
            running += DAY * is_closed
            day += timedelta(days=1)

    def working_days(self, statement, start_seconds, end_seconds, name: str, fenced: bool = True):
        """A select() of (key, value): the statement's `key` column and the working days from start to end (epoch
        seconds of its rows), the elapsed time less the closed seconds. On PostgreSQL each moment's day indexes two
        array parameters; fenced, the moments' epoch seconds are computed once in a subquery (OFFSET 0 keeps the
        planner from copying date_part into every use), which also keeps it from running a UNION's parts in
        parallel, so a union of waits is better unfenced. Elsewhere the statement outer-joins the calendar (as
        VALUES) once per moment. A moment outside the calendar counts 0 closed seconds."""
        if _dialect() == "postgresql":
            if fenced:
                moments = statement.add_columns(start_seconds.label("started"), end_seconds.label("ended"))
                moments = moments.offset(0).subquery(f"{name}_moments")
                start_seconds, end_seconds = moments.c.started, moments.c.ended
                statement = select(moments.c.key)
            base = Grouping(bindparam(f"{name}_base", self.base, type_=postgresql.ARRAY(Float)))
            closed = Grouping(bindparam(f"{name}_closed", self.closed, type_=postgresql.ARRAY(Integer)))
            before = [self._before(moment, base[position], closed[position]) for moment, position in
                      ((moment, day_number(moment, self.offset) - (self.first - 1))
                       for moment in (start_seconds, end_seconds))]
        else:
            before = []
            for moment, suffix in ((start_seconds, "start"), (end_seconds, "end")):
                calendar = self._values(f"{name}_{suffix}")
                statement = statement.outerjoin(calendar, calendar.c.dn == day_number(moment, self.offset))
                before.append(self._before(moment, calendar.c.base, calendar.c.closed))
        return statement.add_columns((((end_seconds - start_seconds) - (before[1] - before[0])) / DAY).label("value"))

    @staticmethod
    def _before(seconds, base, closed):
        """SQL: the closed seconds from the calendar's first day to the moment (0 outside the calendar)."""
        return func.coalesce(base + closed * seconds, 0)

    def _values(self, name: str):
        """The calendar as a derived table (dn, base, closed) of VALUES (SQLite and PostgreSQL name them
        column1..3)."""
        rows = ", ".join(f"({self.first + index}, {base!r}, {closed})"
                         for index, (base, closed) in enumerate(zip(self.base, self.closed, strict=True)))
        values = text(f"(VALUES {rows}) AS {name}_values")
        return select(literal_column("column1").label("dn"), literal_column("column2").label("base"),
                      literal_column("column3").label("closed")).select_from(values).subquery(name)


@dataclass
class Percentiles:
    """How many values, their median and 90th percentile (linear interpolation, like percentile_cont)."""

    count: int = 0
    median: float | None = None
    p90: float | None = None


def percentiles(values_subquery, key_column: str = "key", value_column: str = "value") -> dict[Any, Percentiles]:
    """Median and p90 per key of a subquery (key, value), exactly, in SQL: PostgreSQL's percentile_cont (one sort
    per key for both); elsewhere, rank the values per key with window functions and fetch only the (at most four)
    rows around each percentile's rank, interpolated in Python by the same rule."""
    key, value = values_subquery.c[key_column], values_subquery.c[value_column]
    if _dialect() == "postgresql":
        found = db.session.execute(  # both skip NULL values; a WHERE would compute each value twice
            select(key, func.count(value), func.percentile_cont(postgresql.array([0.5, 0.9]))
                   .within_group(value).label("found")).group_by(key)).all()
        return {row_key: Percentiles(count, *values) for row_key, count, values in found if count}
    ranked = select(key.label("key"), value.label("value"),
                    func.row_number().over(partition_by=key, order_by=value).label("rn"),
                    func.count().over(partition_by=key).label("n")).where(value.is_not(None)).subquery("ranked")
    wanted = []
    for tenths in (5, 9):
        low = (ranked.c.n - 1) * tenths // 10 + 1
        wanted.append(ranked.c.rn.between(low, low + 1))
    rows = db.session.execute(select(ranked.c.key, ranked.c.rn, ranked.c.n, ranked.c.value)
                              .where(wanted[0] | wanted[1])).all()
    by_key: dict[Any, dict[int, float]] = {}
    counts: dict[Any, int] = {}
    for row_key, rank, count, row_value in rows:
        by_key.setdefault(row_key, {})[rank] = float(row_value)
        counts[row_key] = count
    return {row_key: Percentiles(counts[row_key], _at(ranks, counts[row_key], 5), _at(ranks, counts[row_key], 9))
            for row_key, ranks in by_key.items()}


def _at(ranks: dict[int, float], count: int, tenths: int) -> float:
    low = (count - 1) * tenths // 10 + 1
    fraction = ((count - 1) * tenths % 10) / 10
    below = ranks[low]
    above = ranks.get(low + 1, below)
    return below + fraction * (above - below)


def percentile_of(values: Iterable[float], tenths: int) -> float | None:
    """The same percentile over a Python list (for tests and small lists)."""
    ordered = sorted(values)
    if not ordered:
        return None
    return _at({i: v for i, v in enumerate(ordered, start=1)}, len(ordered), tenths)
