"""Plausible, valid document rows for the demo office, tests and benchmarks (no real person's data)."""
from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from typing import Any

from distribusi.intake.importer import COLUMNS, as_document_input

FIRST_NAMES = ["Siti", "Ahmad", "Dewi", "Budi", "Rina", "Andi", "Nur", "Agus", "Putri", "Rizky", "Fitri", "Hendra",
               "Wahyu", "Ayu", "Dedi", "Intan", "Yusuf", "Sri", "Eko", "Maya"]
LAST_NAMES = ["Aminah", "Saputra", "Lestari", "Santoso", "Hidayat", "Ma'ruf", "Nasution", "Siregar", "Harahap",
              "Wulandari", "Pratama", "Rahmawati", "Syahputra", "Lubis", "Kurniawan", "Handayani"]
KECAMATAN = {  # Kota Pekanbaru: kecamatan -> (kelurahan, postal code)
    "Sukajadi": [("Kampung Melayu", "28122"), ("Jadirejo", "28121")],
    "Marpoyan Damai": [("Tangkerang Tengah", "28282"), ("Sidomulyo Timur", "28289")],
    "Tampan": [("Simpang Baru", "28293"), ("Sidomulyo Barat", "28294")],
    "Bukit Raya": [("Simpang Tiga", "28284"), ("Tangkerang Labuai", "28281")],
    "Rumbai": [("Umban Sari", "28266"), ("Rumbai Bukit", "28261")],
}
STREETS = ["Jl. Sudirman", "Jl. Tuanku Tambusai", "Jl. Soekarno-Hatta", "Jl. Arifin Achmad", "Jl. HR. Soebrantas",
           "Jl. Paus", "Jl. Durian", "Jl. Garuda Sakti", "Jl. Kaharuddin Nasution", "Jl. Delima"]
DOC_TYPES = ["KK", "KTP_EL", "KIA", "AKTA_KELAHIRAN", "AKTA_KEMATIAN", "AKTA_PERKAWINAN"]


def _nik(rng: random.Random, *, female: bool) -> str:
    day = rng.randint(1, 28) + (40 if female else 0)
    return f"147101{day:02d}{rng.randint(1, 12):02d}{rng.randint(60, 99):02d}{rng.randint(1, 9999):04d}"


def _kk(rng: random.Random) -> str:
    return f"147101{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(10, 24):02d}{rng.randint(1, 9999):04d}"


def document_rows(count: int, *, seed: int = 1, prefix: str = "DOC", household_size: int = 2) -> Iterator[dict[str, Any]]:
    """Flat rows with the import columns; consecutive rows share a household (KK and address)."""
    rng = random.Random(seed)
    household: dict[str, Any] = {}
    for index in range(count):
        if index % household_size == 0:
            kecamatan = rng.choice(sorted(KECAMATAN))
            kelurahan, postal_code = rng.choice(KECAMATAN[kecamatan])
            household = {
                "kk_number": _kk(rng), "street": f"{rng.choice(STREETS)} No. {rng.randint(1, 250)}",
                "rt": f"{rng.randint(1, 12):03d}", "rw": f"{rng.randint(1, 9):03d}", "kelurahan": kelurahan,
                "kecamatan": kecamatan, "city": "Pekanbaru", "postal_code": postal_code,
                "phone": f"08{rng.choice(['11', '12', '13', '21', '52', '77', '78', '95'])}{rng.randint(10_000_000, 99_999_999)}",
            }
        female = rng.random() < 0.5
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        doc_type = DOC_TYPES[index % len(DOC_TYPES)]
        yield {
            "doc_type": doc_type, "doc_number": f"{prefix}-{doc_type}-{seed}-{index + 1:06d}",
            "nik": _nik(rng, female=female), "owner_name": name, "recipient_name": name,
            "application_number": f"PMH-{seed}-{index + 1:06d}", **household,
        }


def as_api_payload(row: dict[str, Any]) -> dict[str, Any]:
    """A flat row as the nested JSON body of POST /api/v1/documents."""
    return as_document_input(row)


def write_csv(path: str, rows: list[dict[str, Any]]) -> None:
    """Write rows as a UTF-8 CSV file with the import columns."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
