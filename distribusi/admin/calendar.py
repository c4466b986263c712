"""The office's working-day calendar: days it declares off and days it works despite the national calendar.

Both lists live in the office settings (`days_off`, `work_days`) and change through update_office, so every change
is validated by OfficeSettingsIn and written to the audit log.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from distribusi.admin.schemas import OfficeSettingsIn
from distribusi.admin.services import update_office
from distribusi.auth.models import User
from distribusi.models import Office
from distribusi.problems import Refused
from distribusi.workdays import day_off_reason, national_days_off

KINDS = {"days_off": "Hari libur kantor", "work_days": "Hari kerja pengganti"}


def declared(office: Office, kind: str) -> list[dict[str, str]]:
    """The office's entries of one list, sorted by date."""
    return sorted(((office.settings or {}).get(kind) or []), key=lambda entry: str(entry.get("date")))


def year_view(office: Office, year: int) -> dict[str, Any]:
    """The national days off of a year and the office's own entries that fall in it."""
    national = sorted(national_days_off(year).items())
    mine = {kind: [e for e in declared(office, kind) if str(e.get("date", "")).startswith(f"{year}-")] for kind in KINDS}
    return {"year": year, "national": [{"date": day, "name": name, "worked": day_off_reason(office, day) is None}
                                       for day, name in national], **mine}


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise Refused("Jenis hari tidak dikenal.", fields={"kind": ["Pilih hari libur kantor atau hari kerja."]})


def add_day(office: Office, kind: str, payload: dict[str, Any], *, actor: User | None = None) -> Office:
    """Declare one day off (or one working day); the same date in the other list is taken out of it."""
    _check_kind(kind)
    entry = OfficeSettingsIn().load({kind: [payload]})[kind][0]
    other = "work_days" if kind == "days_off" else "days_off"
    lists = {
        kind: [e for e in declared(office, kind) if e.get("date") != entry["date"]] + [entry],
        other: [e for e in declared(office, other) if e.get("date") != entry["date"]],
    }
    return update_office(office, OfficeSettingsIn().load({k: sorted(v, key=lambda e: e["date"]) for k, v in lists.items()}),
                         actor=actor)


def remove_day(office: Office, kind: str, day: str, *, actor: User | None = None) -> Office:
    """Take one date out of a list; refused when it is not there."""
    _check_kind(kind)
    try:
        wanted = date.fromisoformat(day or "").isoformat()
    except ValueError:
        raise Refused("Tanggal tidak sah.", fields={"date": ["Format tanggal tidak sah (gunakan YYYY-MM-DD)."]}) from None
    entries = declared(office, kind)
    kept = [e for e in entries if e.get("date") != wanted]
    if len(kept) == len(entries):
        raise Refused("Tanggal itu tidak ada di daftar.", fields={"date": ["Tanggal itu tidak ada di daftar."]})
    return update_office(office, OfficeSettingsIn().load({kind: kept}), actor=actor)
