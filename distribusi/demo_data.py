"""The demo: two offices, a user of every role, a courier partner, and documents and parcels in every state."""
from __future__ import annotations

import os
import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from distribusi.admin.services import create_office, create_partner, create_user
from distribusi.auth.models import User
from distribusi.complaints.demo import load_demo_complaints
from distribusi.courier.services import record_scan
from distribusi.demo import as_api_payload, document_rows, write_csv
from distribusi.extensions import db
from distribusi.handover.services import hand_over
from distribusi.intake.services import flag_document, register_document
from distribusi.letters.services import issue_letter, reject_letter, sign_letter
from distribusi.models import Office, utcnow
from distribusi.recap.models import Parcel
from distribusi.recap.services import create_recap, submit_recap
from distribusi.returns.services import collect_parcel, receive_returns

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
    _pekanbaru_flow(users, partners["PKU"])
    for row in document_rows(10, seed=7, prefix="MET"):
        register_document(users["fo.metro"], as_api_payload({**row, "city": "Metro"}))
    os.makedirs(current_app.instance_path, exist_ok=True)
    write_csv(os.path.join(current_app.instance_path, "contoh-impor.csv"), list(document_rows(20, seed=99, prefix="BARU")))
    return True


def _scan(courier: User, code: str, action: str, **facts) -> None:
    record_scan(courier, {"tracking_code": code, "action": action, "idempotency_key": uuid.uuid4().hex, **facts})


def _pekanbaru_flow(users: dict[str, User], partner) -> None:
    """Documents and recaps of the demo office in every state of the flow, spread over the last days."""
    fo, kasubbag, secretary, courier = users["fo"], users["kasubbag"], users["sekretaris"], users["kurir"]
    documents = [register_document(fo, as_api_payload(row)) for row in document_rows(90, seed=2026, prefix="PKU")]
    now = utcnow()
    for index, document in enumerate(documents):
        document.created_at = now - timedelta(days=4 - index // 25, hours=index % 7)
    flag_document(fo, documents[0], "data_error", "Nama ibu kandung salah ketik")
    flag_document(fo, documents[1], "unsigned", "Akta belum ditandatangani pejabat")
    create_recap(fo, [d.id for d in documents[2:8]])  # draft
    submit_recap(fo, create_recap(fo, [d.id for d in documents[8:14]]))  # submitted
    pending = submit_recap(fo, create_recap(fo, [d.id for d in documents[14:20]]))
    issue_letter(kasubbag, pending, partner.id)  # awaiting the secretary's signature
    signed = submit_recap(fo, create_recap(fo, [d.id for d in documents[20:26]]))
    rejected = issue_letter(kasubbag, signed, partner.id)
    reject_letter(secretary, rejected, "Perihal surat belum sesuai; mohon diperbaiki.")
    sign_letter(secretary, issue_letter(kasubbag, signed, partner.id))  # signed, not yet handed over
    on_the_road = submit_recap(fo, create_recap(fo, [d.id for d in documents[26:60]]))
    sign_letter(secretary, issue_letter(kasubbag, on_the_road, partner.id))
    hand_over(kasubbag, on_the_road, partner.id, "Joko Susilo")
    codes = [p.tracking_code for p in on_the_road.parcels]  # 17 parcels: one or more in every state
    for code in codes[1:]:
        _scan(courier, code, "accept")
    for code in codes[3:]:
        _scan(courier, code, "out_for_delivery")
    for code in codes[5:10]:
        _scan(courier, code, "delivered", recipient_name="Penerima Demo", recipient_relation="self")
    for code in codes[10:15]:
        _scan(courier, code, "failed", failure_reason="recipient_absent")
    for code in codes[11:15]:
        _scan(courier, code, "return")
    receive_returns(kasubbag, partner.id, codes[12:15])
    collect_parcel(fo, _parcel(codes[13]), "Penerima Demo", None)
    repack = _parcel(codes[14])
    submit_recap(fo, create_recap(fo, [d.id for d in repack.documents]))  # a returned parcel sent again
    load_demo_complaints(users, documents, codes)


def _parcel(code: str) -> Parcel:
    return db.session.scalar(select(Parcel).where(Parcel.tracking_code == code))
