"""The public pages a citizen reads (/k/<code>, /lacak, /verifikasi/<code>): times in the office's zone, named."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from flow import signed_recap
from test_tracking import TRACK, parcel_in  # noqa: F401  (a fixture, imported for pytest)

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")
ZONES = [("Asia/Jakarta", "WIB"), ("Asia/Makassar", "WITA"), ("Asia/Jayapura", "WIT")]


def as_read(iso: str, zone: str, name: str) -> str:
    """An API time (ISO with offset) as the page should print it: 22 November 2026 14.05 WIB."""
    local = datetime.fromisoformat(iso).astimezone(ZoneInfo(zone))
    return f"{local.day} {MONTHS[local.month - 1]} {local.year} {local:%H.%M} {name}"


def shown(html: str) -> str:
    """The page's text without tags, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("zone, name", ZONES)
def test_tracking_pages_show_local_times_with_the_zone_name(login_as, crew, parcel_in, client, zone, name):
    assert login_as("admin").put("/api/v1/admin/office", json={"timezone": zone}).status_code == 200
    code = parcel_in["tracking_code"]
    timeline = client.get(f"{TRACK}/{code}").get_json()["timeline"]

    for url in (f"/k/{code}", f"/lacak?kode={code}"):
        page = client.get(url)
        assert page.status_code == 200
        text = shown(page.get_data(as_text=True))
        assert "UTC" not in text
        for step in timeline:
            assert f"{step['label']} {as_read(step['at'], zone, name)} · {step['place']}" in text, (url, text)
        assert f"Diserahkan ke PT Pos Indonesia pada {as_read(timeline[-1]['at'], zone, name)}" in text


def test_the_page_says_the_parcel_left_with_the_partner(crew, parcel_in, client):
    text = shown(client.get(f"/k/{parcel_in['tracking_code']}").get_data(as_text=True))
    assert "Diserahkan ke PT Pos Indonesia" in text and "disiapkan untuk dikirim" not in text
    assert "Dokumen sudah diserahkan kepada PT Pos Indonesia" in text


def test_letter_verification_shows_an_indonesian_date_and_local_time(login_as, documents, client):
    admin, clerk, kasubbag, secretary = (login_as(r) for r in ("admin", "clerk", "kasubbag", "secretary"))
    assert admin.put("/api/v1/admin/office", json={"timezone": "Asia/Jayapura"}).status_code == 200
    _recap, letter = signed_recap(clerk, kasubbag, secretary, documents)

    text = shown(client.get(f"/verifikasi/{letter['verification_code']}").get_data(as_text=True))

    day = datetime.fromisoformat(letter["letter_date"])
    assert f"Tanggal: {day.day} {MONTHS[day.month - 1]} {day.year}" in text
    assert as_read(letter["signed_at"], "Asia/Jayapura", "WIT") in text and "UTC" not in text
