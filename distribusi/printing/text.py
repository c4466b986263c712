"""Indonesian wording on paper: dates, times, numbers and small numbers spelled out."""
from __future__ import annotations

from datetime import date, datetime

from distribusi.zones import Zone, to_office_time, zone_name

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_UNITS = ("", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh", "sebelas")


def format_date_id(value: date) -> str:
    """A date as Indonesian letters write it: 22 November 2026."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def day_name_id(value: date) -> str:
    """The Indonesian name of the weekday: Senin … Minggu."""
    return DAYS[value.weekday()]


def format_time_id(value: datetime, zone: Zone = None) -> str:
    """The local clock time with its zone: 14.05 WIB."""
    return f"{to_office_time(value, zone):%H.%M} {zone_name(zone)}"


def format_datetime_id(value: datetime, zone: Zone = None, joiner: str = " pukul ") -> str:
    """A stored UTC time in the office's zone: 22 November 2026 pukul 14.05 WIB (joiner=" ": without 'pukul')."""
    return f"{format_date_id(to_office_time(value, zone))}{joiner}{format_time_id(value, zone)}"


def format_number_id(value: int | float, decimals: int = 0) -> str:
    """A number with Indonesian separators: 1.234 or 1.234,5."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def spell_number_id(value: int) -> str:
    """A whole number in Indonesian words (terbilang), for 'Lampiran: 1 (satu) berkas'; raises ValueError below 0."""
    if value < 0:
        raise ValueError("terbilang hanya untuk bilangan cacah")
    if value == 0:
        return "nol"
    return _spell(value).strip()


def _spell(n: int) -> str:
    if n < 12:
        return _UNITS[n]
    if n < 20:
        return f"{_UNITS[n - 10]} belas"
    if n < 100:
        return f"{_UNITS[n // 10]} puluh {_spell(n % 10)}".strip()
    if n < 200:
        return f"seratus {_spell(n - 100)}".strip()
    if n < 1000:
        return f"{_UNITS[n // 100]} ratus {_spell(n % 100)}".strip()
    if n < 2000:
        return f"seribu {_spell(n - 1000)}".strip()
    for size, word in ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (10**3, "ribu")):
        if n >= size:
            return f"{_spell(n // size)} {word} {_spell(n % size)}".strip()
    raise AssertionError("unreachable")


def format_nip(nip: str) -> str:
    """An 18-digit NIP grouped as printed under a signature: 19720515 199803 1 004."""
    digits = "".join(ch for ch in nip or "" if ch.isdigit())
    if len(digits) != 18:
        return nip or ""
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"
