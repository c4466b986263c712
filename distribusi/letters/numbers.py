"""The office's letter-number format (e.g. 470/{seq}/JASA-DUKCAPIL/{roman_month}/{year}): checked once, then filled."""
from __future__ import annotations

import re
import string
from datetime import datetime

DEFAULT_FORMAT = "470/JASA-DUKCAPIL/{seq}/{year}"
PLACEHOLDERS = ("seq", "year", "month", "roman_month")
MAX_LENGTH = 100  # the letter_number column holds 100 characters
ROMAN_MONTHS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
_SAMPLE_SEQ, _SAMPLE_DATE = 99999, datetime(2026, 12, 31)


def fill(pattern: str, seq: int, when: datetime) -> str:
    """The pattern with its placeholders filled in; only for a pattern format_problem accepts."""
    return pattern.format(seq=seq, year=when.year, month=f"{when.month:02d}", roman_month=ROMAN_MONTHS[when.month - 1])


def format_problem(pattern: str) -> str | None:
    """Why the pattern cannot make letter numbers, in Bahasa Indonesia, or None; nothing is formatted before the
    placeholders and their widths are known to be sane (a width of 150,000,000 would allocate that much)."""
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError:
        return "Format nomor surat tidak sah (periksa kurung kurawal)."
    names = [name for _text, name, _spec, _conversion in parts if name is not None]
    if "seq" not in names:
        return "Format nomor surat harus memuat {seq}."
    unknown = sorted({name or "{}" for name in names} - set(PLACEHOLDERS))
    if unknown:
        return "Penanda tidak dikenal: " + ", ".join(unknown) + ". Gunakan {seq}, {year}, {month}, {roman_month}."
    for _text, _name, spec, _conversion in parts:
        if spec and ("{" in spec or any(int(digits) > MAX_LENGTH for digits in re.findall(r"\d+", spec))):
            return f"Lebar isian pada format nomor surat paling banyak {MAX_LENGTH} karakter."
    try:
        sample = fill(pattern, _SAMPLE_SEQ, _SAMPLE_DATE)
    except (ValueError, TypeError):  # a format spec that does not suit the value, e.g. {month:d}
        return "Format nomor surat tidak sah (periksa kurung kurawal dan penanda)."
    if len(sample) > MAX_LENGTH:
        return f"Nomor surat yang dihasilkan lebih dari {MAX_LENGTH} karakter."
    return None
