"""Working days: weekends, national holidays and cuti bersama, days the office declares off or on."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from distribusi.models import Office
from distribusi.workdays import day_off_reason, due_after_working_days, is_working_day, working_days_between


def office(**settings) -> Office:
    return Office(code="PKU", name="Dukcapil", settings={"timezone": "Asia/Jakarta", **settings})


@pytest.mark.parametrize(("day", "working", "reason"), [
    (date(2026, 11, 30), True, None),                       # a Monday
    (date(2026, 11, 28), False, "Sabtu"),
    (date(2026, 11, 29), False, "Minggu"),
    (date(2026, 8, 17), False, "Hari Kemerdekaan Republik Indonesia"),
    (date(2026, 12, 24), False, "Cuti Bersama Hari Raya Natal"),
    (date(2026, 3, 20), False, "Cuti Bersama Hari Raya Idul Fitri"),
])
def test_the_national_calendar(day, working, reason):
    assert is_working_day(office(), day) is working
    assert day_off_reason(office(), day) == reason


def test_the_admin_declares_a_day_off_and_a_working_day():
    mine = office(days_off=[{"date": "2026-12-02", "name": "HUT Kota"}], work_days=[{"date": "2026-12-24"}])
    assert day_off_reason(mine, date(2026, 12, 2)) == "HUT Kota"
    assert is_working_day(mine, date(2026, 12, 24))


@pytest.mark.parametrize(("logged_utc", "days", "due_utc"), [
    # Tuesday 10:00 WIB -> end of Wednesday (23:59:59 WIB = 16:59:59 UTC)
    (datetime(2026, 12, 1, 3, 0), 1, datetime(2026, 12, 2, 16, 59, 59)),
    # Friday 15:00 WIB before Christmas: Sat, Sun off, Mon 21 works -> due Monday
    (datetime(2026, 12, 18, 8, 0), 1, datetime(2026, 12, 21, 16, 59, 59)),
    # Wednesday 23 Dec 15:00 WIB: 24 cuti bersama, 25 Natal, 26-27 weekend -> due Monday 28
    (datetime(2026, 12, 23, 8, 0), 1, datetime(2026, 12, 28, 16, 59, 59)),
    # Friday 20 March (cuti bersama) through the Idul Fitri week: 23, 24 cuti bersama -> Wednesday 25
    (datetime(2026, 3, 19, 8, 0), 1, datetime(2026, 3, 25, 16, 59, 59)),
    # 18:30 UTC Tuesday is already Wednesday 01:30 WIB: counting starts from the local date
    (datetime(2026, 12, 1, 18, 30), 1, datetime(2026, 12, 3, 16, 59, 59)),
    (datetime(2026, 12, 1, 3, 0), 3, datetime(2026, 12, 4, 16, 59, 59)),
])
def test_due_times_count_working_days_in_the_office_zone(logged_utc, days, due_utc):
    assert due_after_working_days(office(), logged_utc, days) == due_utc


def test_a_wita_office_ends_its_day_an_hour_earlier_in_utc():
    assert due_after_working_days(office(timezone="Asia/Makassar"), datetime(2026, 12, 1, 3, 0), 1) == \
        datetime(2026, 12, 2, 15, 59, 59)


@pytest.mark.parametrize(("start", "end", "days"), [
    (datetime(2026, 11, 30, 3, 0), datetime(2026, 12, 1, 3, 0), 1.0),      # Monday -> Tuesday
    (datetime(2026, 11, 27, 3, 0), datetime(2026, 11, 30, 3, 0), 1.0),     # Friday -> Monday: the weekend left out
    (datetime(2026, 8, 14, 3, 0), datetime(2026, 8, 18, 3, 0), 1.0),       # Fri -> Tue over the weekend and 17 Aug
    (datetime(2026, 12, 1, 3, 0), datetime(2026, 12, 1, 9, 0), 0.25),
    (datetime(2026, 12, 1, 3, 0), datetime(2026, 12, 1, 3, 0), 0.0),
])
def test_waits_in_working_days(start, end, days):
    assert working_days_between(office(), start, end) == pytest.approx(days)


def test_the_admin_sets_days_off_through_the_api(login_as):
    admin = login_as("admin")
    answer = admin.put("/api/v1/admin/office", json={"days_off": [{"date": "2026-12-02", "name": "HUT Kota"}]})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["settings"]["days_off"] == [{"date": "2026-12-02", "name": "HUT Kota"}]
    assert day_off_reason(admin.user.office, date(2026, 12, 2)) == "HUT Kota"
    bad = admin.put("/api/v1/admin/office", json={"days_off": [{"date": "2026-13-45"}]})
    assert bad.status_code == 422 and "days_off" in bad.get_json()["error"]["fields"]


@pytest.mark.parametrize(("now", "hours", "since"), [
    # Tuesday 10:00 WIB, 4 working hours back: Tuesday 06:00 WIB
    (datetime(2026, 12, 1, 3, 0), 4, datetime(2026, 11, 30, 23, 0)),
    # Monday 30 Nov 10:00 WIB, 24 working hours back: over the weekend to Friday 10:00 WIB
    (datetime(2026, 11, 30, 3, 0), 24, datetime(2026, 11, 27, 3, 0)),
    # Tuesday 18 Aug 10:00 WIB, 24 h back: 17 Aug (holiday) and the weekend skipped -> Friday 14 Aug 10:00 WIB
    (datetime(2026, 8, 18, 3, 0), 24, datetime(2026, 8, 14, 3, 0)),
])
def test_working_since_walks_back_over_closed_days(now, hours, since):
    from datetime import timedelta

    from distribusi.workdays import working_since, working_time_between

    assert working_since(office(), now, timedelta(hours=hours)) == since
    assert working_time_between(office(), since, now) == timedelta(hours=hours)
