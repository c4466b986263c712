"""The dashboard's figures by aggregate SQL: today's activity, steps waiting over their limit, 30 days of flow."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from distribusi.admin.schemas import DEFAULT_WAIT_LIMITS
from distribusi.custody import ChainHead, CustodyEvent
from distribusi.extensions import db
from distribusi.handover.models import Handover
from distribusi.letters.models import CoverLetter
from distribusi.models import Office, utcnow
from distribusi.recap.models import Parcel, Recap
from distribusi.workflow import LetterStatus, ParcelStatus, RecapStatus

CHART_DAYS = 30
WAIT_ROWS = 20  # rows shown per step; the count says how many more there are
CLOCK_SKEW = timedelta(minutes=10)  # an event's time is taken just before its chain lock: seq and time agree to this

# (subject_type, action) of the custody events the dashboard counts, and the name of each figure
EVENT_FIGURES = {
    ("document", "register"): "registered",
    ("recap", "submit"): "recaps_submitted",
    ("letter", "sign"): "letters_signed",
    ("parcel", "delivered"): "delivered",
    ("parcel", "failed"): "failed",
    ("parcel", "receive_return"): "returned",
}
OUTCOMES = ("delivered", "failed", "returned")


@dataclass(frozen=True)
class Step:
    """A step of the flow where something waits for the next person: what waits in which state, and for what."""

    key: str
    label: str
    model: type
    state: Any
    card_kind: str


WAIT_STEPS = (
    Step("submitted", "Rekapan diajukan, menunggu surat pengantar", Recap, RecapStatus.submitted, "recap"),
    Step("awaiting_signature", "Surat pengantar menunggu tanda tangan", CoverLetter, LetterStatus.awaiting_signature,
         "recap"),
    Step("signed", "Surat ditandatangani, menunggu serah terima", Recap, RecapStatus.signed, "recap"),
    Step("returned", "Kiriman kembali di Dinas, menunggu diambil atau dikemas ulang", Parcel, ParcelStatus.returned,
         "parcel"),
)


def wait_limits(office: Office) -> dict[str, int]:
    """Minutes each step may wait before the dashboard lists it: the office's setting over the defaults."""
    return {**DEFAULT_WAIT_LIMITS, **((office.settings or {}).get("wait_limits") or {})}


def _offset(office: Office, now: datetime) -> timedelta:
    """The office zone's distance from UTC (Indonesia keeps no daylight saving time)."""
    return office.zone.utcoffset(now)


def _local_day(column, offset: timedelta):
    """SQL for the office-local calendar day of a stored UTC time."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.date(column, f"{int(offset.total_seconds() // 60):+d} minutes")
    return func.date(column + offset)


def _day_key(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def first_seq_since(office_id: int, moment: datetime) -> int:
    """The lowest chain sequence recorded at or after moment (give or take CLOCK_SKEW), found by bisecting the
    (office_id, seq) index: a window of the custody log without an index on its time."""
    last = db.session.scalar(select(ChainHead.last_seq).where(ChainHead.office_id == office_id)) or 0
    low, high = 1, last + 1
    while low < high:
        middle = (low + high) // 2
        at = db.session.scalar(select(CustodyEvent.recorded_at).where(
            CustodyEvent.office_id == office_id, CustodyEvent.seq == middle))
        if at is None or at < moment:
            low = middle + 1
        else:
            high = middle
    return low


def _window_start(office: Office, now: datetime, days: int) -> tuple[datetime, list[str]]:
    """The UTC start of the last `days` office-local days ending today, and those days as YYYY-MM-DD."""
    offset = _offset(office, now)
    today = (now + offset).date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, datetime.min.time()) - offset
    return start, [(first + timedelta(days=n)).isoformat() for n in range(days)]


def daily_flow(office: Office, now: datetime | None = None, days: int = CHART_DAYS) -> dict[str, Any]:
    """Per office-local day: documents registered, recaps submitted, letters signed, parcels handed over, delivered,
    failed and returned; grouped in SQL over the custody log's window and the handovers."""
    now = now or utcnow()
    offset = _offset(office, now)
    start, day_list = _window_start(office, now, days)
    series = {name: dict.fromkeys(day_list, 0) for name in (*EVENT_FIGURES.values(), "handed_over")}
    low_seq = first_seq_since(office.id, start - CLOCK_SKEW)
    day = _local_day(CustodyEvent.recorded_at, offset)
    rows = db.session.execute(
        select(day, CustodyEvent.subject_type, CustodyEvent.action, func.count())
        .where(CustodyEvent.office_id == office.id, CustodyEvent.seq >= low_seq, CustodyEvent.recorded_at >= start,
               CustodyEvent.recorded_at <= now,
               CustodyEvent.subject_type.in_({s for s, _a in EVENT_FIGURES}),
               CustodyEvent.action.in_({a for _s, a in EVENT_FIGURES}))
        .group_by(day, CustodyEvent.subject_type, CustodyEvent.action))
    for value, subject_type, action, count in rows:
        name = EVENT_FIGURES.get((subject_type, action))
        if name and _day_key(value) in series[name]:
            series[name][_day_key(value)] += count
    handed_day = _local_day(Handover.handed_over_at, offset)
    for value, count in db.session.execute(
            select(handed_day, func.count(Parcel.id)).join(Parcel, Parcel.recap_id == Handover.recap_id)
            .where(Handover.office_id == office.id, Handover.handed_over_at >= start, Handover.handed_over_at <= now)
            .group_by(handed_day)):
        if _day_key(value) in series["handed_over"]:
            series["handed_over"][_day_key(value)] += count
    return {"days": day_list, "series": {name: list(by_day.values()) for name, by_day in series.items()}}


def outcomes_by_kecamatan(office: Office, now: datetime | None = None, days: int = CHART_DAYS) -> list[dict]:
    """Deliveries, failed attempts and returns of the last days per kecamatan, most parcels first."""
    now = now or utcnow()
    start, _days = _window_start(office, now, days)
    low_seq = first_seq_since(office.id, start - CLOCK_SKEW)
    names = {action: name for (subject, action), name in EVENT_FIGURES.items() if subject == "parcel"}
    rows = db.session.execute(
        select(Parcel.kecamatan, CustodyEvent.action, func.count())
        .join(Parcel, Parcel.id == CustodyEvent.subject_id)
        .where(CustodyEvent.office_id == office.id, CustodyEvent.seq >= low_seq, CustodyEvent.recorded_at >= start,
               CustodyEvent.recorded_at <= now, CustodyEvent.subject_type == "parcel",
               CustodyEvent.action.in_(names))
        .group_by(Parcel.kecamatan, CustodyEvent.action))
    found: dict[str, dict[str, Any]] = {}
    for kecamatan, action, count in rows:
        found.setdefault(kecamatan, {"kecamatan": kecamatan, **dict.fromkeys(OUTCOMES, 0)})[names[action]] += count
    return sorted(found.values(), key=lambda row: (-sum(row[o] for o in OUTCOMES), row["kecamatan"]))


def today_activity(flow: dict[str, Any]) -> dict[str, int]:
    """Today's figure of each series (the last day of the flow)."""
    return {name: values[-1] for name, values in flow["series"].items()}


def waiting_too_long(office: Office, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per step: what has waited longer than the office's limit since it entered the state, oldest first."""
    now = now or utcnow()
    limits = wait_limits(office)
    found = []
    for step in WAIT_STEPS:
        cutoff = now - timedelta(minutes=limits[step.key])
        model = step.model
        entered = (
            select(CustodyEvent.subject_id, func.max(CustodyEvent.recorded_at).label("since"))
            .where(CustodyEvent.subject_type == model.__custody_subject__, CustodyEvent.to_state == step.state.value,
                   CustodyEvent.subject_id.in_(select(model.id).where(model.office_id == office.id,
                                                                     model.status == step.state)))
            .group_by(CustodyEvent.subject_id).subquery()
        )
        late = entered.c.since < cutoff
        total = db.session.scalar(select(func.count()).select_from(entered).where(late)) or 0
        rows = db.session.execute(
            select(model, entered.c.since).join(entered, entered.c.subject_id == model.id).where(late)
            .order_by(entered.c.since, model.id).limit(WAIT_ROWS)).all()
        found.append({"step": step, "limit_minutes": limits[step.key], "total": total,
                      "items": [{"subject": subject, "since": since, "waited": now - since} for subject, since in rows]})
    return found


def dashboard(office: Office, now: datetime | None = None) -> dict[str, Any]:
    """Everything the staff home shows besides the counts per state."""
    now = now or utcnow()
    flow = daily_flow(office, now)
    return {"flow": flow, "today": today_activity(flow), "kecamatan": outcomes_by_kecamatan(office, now),
            "waiting": waiting_too_long(office, now)}


def chart_data(figures: dict[str, Any]) -> dict[str, Any]:
    """The charts' figures as plain JSON: the daily series and the outcome per kecamatan."""
    flow = figures["flow"]
    return {
        "days": flow["days"],
        "series": {name: flow["series"][name] for name in ("registered", "handed_over", "delivered", "returned")},
        "kecamatan": {"labels": [row["kecamatan"] for row in figures["kecamatan"]],
                      **{outcome: [row[outcome] for row in figures["kecamatan"]] for outcome in OUTCOMES}},
    }
