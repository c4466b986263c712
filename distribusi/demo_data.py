"""The demo: two offices, a user of every role, a courier partner and documents in several states."""
from __future__ import annotations

import os

from flask import current_app
from sqlalchemy import select

from distribusi.admin.services import create_office, create_partner, create_user
from distribusi.demo import as_api_payload, document_rows, write_csv
from distribusi.extensions import db
from distribusi.intake.services import flag_document, register_document
from distribusi.models import Office
from distribusi.recap.services import create_recap, submit_recap

PKU_SETTINGS = {
    "letterhead": {
        "government": "PEMERINTAH KOTA PEKANBARU",
        "agency": "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL",
        "address": "Jl. Jenderal Sudirman No. 464, Pekanbaru 28126",
        "phone": "(0761) 41118",
        "email": "disdukcapil@pekanbaru.go.id",
        "website": "disdukcapil.pekanbaru.go.id",
    },
    "officials": {
        "head": {"name": "Hj. IRMA NOVRITA, S.Sos, M.Si", "nip": "196811091989092001", "rank": "Pembina Utama Muda (IV/c)", "position": "Kepala Dinas"},
        "secretary": {"name": "Drs. AHMAD FAUZI, M.Si", "nip": "197205151998031004", "rank": "Pembina (IV/a)", "position": "Sekretaris"},
        "kasubbag": {"name": "RINA MARLINA, S.E.", "nip": "198003122005012003", "rank": "Penata Tk. I (III/d)", "position": "Kepala Sub Bagian Umum"},
    },
}

# username, full name, role, office code
DEMO_USERS = [
    ("admin", "Admin TI Dukcapil", "admin", "PKU"),
    ("fo", "Dewi Lestari", "clerk", "PKU"),
    ("kasubbag", "Rina Marlina, S.E.", "kasubbag", "PKU"),
    ("sekretaris", "Drs. Ahmad Fauzi, M.Si", "secretary", "PKU"),
    ("kurir", "Budi Santoso (PT Pos)", "courier", "PKU"),
    ("operator", "Siti Aminah", "operator", "PKU"),
    ("kasi", "Hendra Saputra", "kasi", "PKU"),
    ("kabid", "Yusuf Harahap", "kabid", "PKU"),
    ("kadis", "Hj. Irma Novrita", "head", "PKU"),
    ("admin.metro", "Admin TI Kota Metro", "admin", "MET"),
    ("fo.metro", "Agus Pratama", "clerk", "MET"),
]

NIPS = {"sekretaris": "197205151998031004", "kasubbag": "198003122005012003", "kadis": "196811091989092001"}


def load_demo(password: str) -> bool:
    """Create the demo once; returns False when it is already there."""
    if db.session.scalar(select(Office).where(Office.code == "PKU")):
        return False
    offices = {
        "PKU": create_office("PKU", "Dinas Kependudukan dan Pencatatan Sipil Kota Pekanbaru", PKU_SETTINGS),
        "MET": create_office("MET", "Dinas Kependudukan dan Pencatatan Sipil Kota Metro"),
    }
    partners = {
        "PKU": create_partner(offices["PKU"], {"name": "PT Pos Indonesia (Persero) KC Pekanbaru",
                                               "contract_number": "027/PKS/DUKCAPIL-POS/2026", "contact": "0761-21414"}),
        "MET": create_partner(offices["MET"], {"name": "PT Pos Indonesia (Persero) KC Metro",
                                               "contract_number": "031/PKS/DISDUKCAPIL/2026", "contact": "0725-41000"}),
    }
    users = {}
    for username, full_name, role, code in DEMO_USERS:
        users[username] = create_user(offices[code], {
            "username": username, "password": password, "full_name": full_name, "role": role,
            "courier_partner_id": partners[code].id if role == "courier" else None, "nip": NIPS.get(username),
        })
    fo = users["fo"]
    documents = [register_document(fo, as_api_payload(row)) for row in document_rows(40, seed=2026, prefix="PKU")]
    flag_document(fo, documents[0], "data_error", "Nama ibu kandung salah ketik")
    flag_document(fo, documents[1], "unsigned", "Akta belum ditandatangani pejabat")
    create_recap(fo, [d.id for d in documents[2:12]])
    submit_recap(fo, create_recap(fo, [d.id for d in documents[12:24]]))
    for row in document_rows(10, seed=7, prefix="MET"):
        register_document(users["fo.metro"], as_api_payload({**row, "city": "Metro"}))
    os.makedirs(current_app.instance_path, exist_ok=True)
    write_csv(os.path.join(current_app.instance_path, "contoh-impor.csv"), list(document_rows(20, seed=99, prefix="BARU")))
    return True
