"""Indonesian dates and numbers on paper, and text fitting that never leaves its box."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from distribusi.models import Office, utcnow
from distribusi.printing.office import office_info
from distribusi.zones import to_office_time, zone_name

from distribusi.printing.fitting import LEADING, fit, text_width, wrap
from distribusi.printing.fonts import BOLD, REGULAR
from distribusi.printing.text import (
    day_name_id, format_date_id, format_datetime_id, format_nip, format_number_id, format_time_id, spell_number_id,
)


@pytest.mark.parametrize(("value", "expected"), [
    (date(2026, 11, 22), "22 November 2026"),
    (date(2026, 1, 1), "1 Januari 2026"),
    (date(2026, 2, 9), "9 Februari 2026"),
    (date(2026, 8, 17), "17 Agustus 2026"),
    (date(2025, 12, 31), "31 Desember 2025"),
    (datetime(2026, 5, 3, 23, 59), "3 Mei 2026"),
])
def test_dates_in_indonesian(value, expected):
    assert format_date_id(value) == expected


def test_times_are_local_with_their_zone():
    stored = datetime(2026, 11, 22, 7, 5)  # UTC, as every timestamp is stored
    assert format_time_id(stored) == "14.05 WIB"
    assert format_time_id(stored, "Asia/Makassar") == "15.05 WITA"
    assert format_time_id(stored, "Asia/Jayapura") == "16.05 WIT"
    assert format_datetime_id(datetime(2026, 11, 22, 20, 30)) == "23 November 2026 pukul 03.30 WIB"
    assert day_name_id(date(2026, 11, 22)) == "Minggu" and day_name_id(date(2026, 11, 23)) == "Senin"
    assert format_datetime_id(stored, ZoneInfo("Asia/Makassar"), joiner=" ") == "22 November 2026 15.05 WITA"


@pytest.mark.parametrize(("setting", "name", "hour"), [
    (None, "WIB", 14), ("Asia/Jakarta", "WIB", 14), ("Asia/Makassar", "WITA", 15), ("Asia/Jayapura", "WIT", 16),
    ("Mars/Olympus_Mons", "WIB", 14),
])
def test_one_zone_for_the_office_its_papers_and_its_pages(setting, name, hour):
    office = Office(code="X", name="Dinas", settings={"timezone": setting} if setting else {})
    assert zone_name(office.zone) == name
    assert office_info(office, "https://x.test").zone == office.zone
    local = to_office_time(datetime(2026, 11, 22, 7, 5), office.zone)
    assert (local.hour, local.minute, local.utcoffset()) == (hour, 5, timedelta(hours=hour - 7))
    assert abs(office.local_now() - to_office_time(utcnow(), office.zone).replace(tzinfo=None)) < timedelta(seconds=5)


@pytest.mark.parametrize(("value", "expected"), [
    (0, "0"), (7, "7"), (999, "999"), (1234, "1.234"), (1_000_000, "1.000.000"), (-4321, "-4.321"),
])
def test_numbers_use_dots_for_thousands(value, expected):
    assert format_number_id(value) == expected


def test_decimals_use_a_comma():
    assert format_number_id(1234.5, 1) == "1.234,5"


@pytest.mark.parametrize(("value", "expected"), [
    (1, "satu"), (2, "dua"), (10, "sepuluh"), (11, "sebelas"), (12, "dua belas"), (19, "sembilan belas"),
    (20, "dua puluh"), (45, "empat puluh lima"), (100, "seratus"), (111, "seratus sebelas"),
    (250, "dua ratus lima puluh"), (1000, "seribu"), (1234, "seribu dua ratus tiga puluh empat"),
    (2026, "dua ribu dua puluh enam"), (1_000_000, "satu juta"),
])
def test_spelled_numbers(value, expected):
    assert spell_number_id(value) == expected


def test_nip_is_grouped_and_anything_else_kept():
    assert format_nip("197205151998031004") == "19720515 199803 1 004"
    assert format_nip("12345") == "12345"
    assert format_nip("") == ""


def test_wrap_breaks_words_longer_than_a_line():
    lines = wrap("Jl." + "X" * 120 + " No. 5", REGULAR, 8, 100)
    assert len(lines) > 3
    assert all(text_width(line, REGULAR, 8) <= 100 for line in lines)
    assert "".join(lines).replace(" ", "") == ("Jl." + "X" * 120 + "No.5")


@pytest.mark.parametrize("text", [
    "Andi Ma'ruf", "Désirée Nguyễn Thị Minh Khai", "Muhammad " * 30, "A" * 200, "",
])
@pytest.mark.parametrize(("width", "height", "max_lines"), [(170, 26, 2), (90, 12, 1), (250, 70, None)])
def test_fit_stays_inside_its_box(text, width, height, max_lines):
    fitted = fit(text, BOLD, width, height, 11, 6, max_lines)
    assert 6 <= fitted.size <= 11
    assert len(fitted.lines) * fitted.size * LEADING <= height + 1e-6
    assert all(w <= width + 1e-6 for w in fitted.widths)
    if max_lines:
        assert len(fitted.lines) <= max_lines


def test_fit_shrinks_before_it_cuts():
    name = "Hj. Siti Nurhaliza binti Abdullah Syahputra Nasution"
    fitted = fit(name, BOLD, 170, 26, 11, 7, 2)
    assert " ".join(fitted.lines) == name  # whole, perhaps smaller
    cut = fit(name * 6, BOLD, 170, 26, 11, 7, 2)
    assert cut.size == 7 and cut.lines[-1].endswith("…") and len(cut.lines) == 2
