"""Checks of Indonesian identity numbers, phone numbers and postal codes; each raises ValidationError in Indonesian."""
from __future__ import annotations

import calendar
import functools
import re
from datetime import date

import phonenumbers
from marshmallow import ValidationError

# Kode provinsi (Permendagri): Sumatra, Jawa, Bali–Nusa Tenggara, Kalimantan, Sulawesi, Maluku, Papua (91–96).
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "21",
    "31", "32", "33", "34", "35", "36",
    "51", "52", "53",
    "61", "62", "63", "64", "65",
    "71", "72", "73", "74", "75", "76",
    "81", "82",
    "91", "92", "93", "94", "95", "96",
})
DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() also passes "²" and full-width digits


def _two_digit_year(yy: int, today: date) -> int:
    year = 2000 + yy
    return year if year <= today.year else 1900 + yy


def _check_number(value: str, what: str, *, allow_female_day: bool, today: date | None = None) -> str:
    value = (value or "").strip()
    if len(value) != 16 or not DIGITS.fullmatch(value):
        raise ValidationError(f"{what} harus 16 digit angka.")
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError(f"{what}: kode provinsi {value[:2]} tidak dikenal.")
    day, month, yy = int(value[6:8]), int(value[8:10]), int(value[10:12])
    if allow_female_day and 41 <= day <= 71:
        day -= 40
    if not 1 <= month <= 12:
        raise ValidationError(f"{what}: bulan {value[8:10]} tidak sah (01–12).")
    if not 1 <= day <= 31:
        hint = " (01–31, atau 41–71 untuk perempuan)" if allow_female_day else " (01–31)"
        raise ValidationError(f"{what}: tanggal {value[6:8]} tidak sah{hint}.")
    year = _two_digit_year(yy, today or date.today())
    if day > calendar.monthrange(year, month)[1]:
        raise ValidationError(f"{what}: tanggal {day:02d}-{month:02d}-{year} tidak ada di kalender.")
    if value[12:] == "0000":
        raise ValidationError(f"{what}: nomor urut 0000 tidak sah.")
    return value


def validate_nik(value: str) -> str:
    """A 16-digit NIK with a real province, a real birth date (day + 40 for women) and a serial other than 0000."""
    return _check_number(value, "NIK", allow_female_day=True)


def validate_kk_number(value: str) -> str:
    """A 16-digit KK number with a real province, a real date and a serial other than 0000."""
    return _check_number(value, "Nomor KK", allow_female_day=False)


@functools.lru_cache(maxsize=65536)  # an import repeats a household's phone on every row
def normalize_phone(value: str) -> str:
    """An Indonesian mobile number (08…, +628… or 628…) in E.164 form."""
    raw = "".join((value or "").split()).replace("-", "")
    if not (raw.startswith("08") or raw.startswith("+628") or raw.startswith("628")):
        raise ValidationError("Nomor HP harus nomor seluler Indonesia yang diawali 08 atau +628.")
    if not DIGITS.fullmatch(raw.removeprefix("+")):  # phonenumbers would read letters as keypad digits
        raise ValidationError("Nomor HP hanya boleh berisi angka, spasi dan tanda hubung.")
    if raw.startswith("628"):
        raw = "+" + raw
    try:
        number = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException:
        raise ValidationError("Nomor HP tidak dapat dibaca.") from None
    mobile_types = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    # number_type is UNKNOWN for a number is_valid_number refuses, so one pattern match answers both questions
    if phonenumbers.number_type(number) not in mobile_types:
        raise ValidationError("Nomor HP bukan nomor seluler Indonesia yang sah.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_postal_code(value: str) -> str:
    """Five digits, not starting with 0."""
    value = (value or "").strip()
    if len(value) != 5 or not DIGITS.fullmatch(value) or value[0] == "0":
        raise ValidationError("Kode pos harus 5 digit angka dan tidak diawali 0.")
    return value


def normalize_rt_rw(value: str, what: str) -> str:
    """RT or RW as three digits (e.g. 003)."""
    value = (value or "").strip()
    if not DIGITS.fullmatch(value) or not 1 <= len(value) <= 3 or int(value) == 0:
        raise ValidationError(f"{what} harus angka 1–3 digit, bukan 0.")
    return value.zfill(3)
