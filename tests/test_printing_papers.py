"""Recap list, cover letter, handover record and undelivered list, as PDF (and XLSX), through the API."""
from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from distribusi.extensions import db
from distribusi.handover.models import Handover
from distribusi.letters.models import CoverLetter
from distribusi.printing.text import format_date_id

from flow import DELIVERED, FAILED, handed_over_recap, partner_id_of, scan, signed_recap, submitted_recap
from test_printing_support import (
    CODE, contents_of, decoded, page_count, page_texts, pdf_text, personal_numbers, sheet_rows, staff,
)

__all__ = ["staff"]  # the fixture, imported for pytest
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SECRETARY = "Drs. AHMAD FAUZI, M.Si"


def codes_in(data: bytes) -> list[str]:
    """Tracking codes in print order, as the PDF shows them (ABCDE-FGHIJ)."""
    return CODE.findall(pdf_text(data))


def test_recap_list_is_grouped_paged_and_totalled(staff, documents):
    recap = submitted_recap(staff.clerk, documents, count=18)
    response = staff.clerk.get(f"/api/v1/recaps/{recap['id']}/recap.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == \
        f"inline; filename=rekapan-{recap['number'].replace('/', '-')}.pdf"
    pages = page_texts(response.data)
    for number, text in enumerate(pages, start=1):
        assert f"Halaman {number} dari {len(pages)}" in text
    text = pdf_text(response.data)
    assert "DAFTAR REKAPAN DOKUMEN KEPENDUDUKAN" in text and f"Nomor {recap['number']}" in text
    assert "Serah" in text and "Terima" in text and "Paraf" in text and "Tanggal" in text
    for group in recap["groups"]:
        title = f"{group['doc_type_label']} · Kecamatan {group['kecamatan']}"
        assert title in text
        assert f"Jumlah {title}: {group['parcel_count']} kiriman {group['document_count']}" in text
    parcels = len(recap["parcels"])
    assert f"Jumlah seluruhnya: {parcels} kiriman {sum(g['document_count'] for g in recap['groups'])}" in text
    assert codes_in(response.data) == [p["tracking_code_display"] for p in recap["parcels"]]
    _names_whose_documents_each_parcel_holds(text, recap["parcels"])
    assert [number for number in personal_numbers() if number in text] == []


def _names_whose_documents_each_parcel_holds(text: str, parcels: list[dict]) -> None:
    """Each parcel's row names its documents by type and owner ('KIA a.n. Rizky Pratama'), owners besides the
    recipient included; the row runs from its code to the next one."""
    starts = [text.index(p["tracking_code_display"]) for p in parcels] + [len(text)]
    assert any(d["owner_name"] != p["recipient_name"] for p in parcels for d in p["documents"])
    for index, parcel in enumerate(parcels):
        row = text[starts[index]:starts[index + 1]]
        for document in parcel["documents"]:
            assert f"a.n. {document['owner_name']}" in row, (document["owner_name"], row)


def test_recap_sheet_holds_the_rows_of_the_pdf(staff, documents):
    recap = submitted_recap(staff.clerk, documents, count=14)
    pdf = staff.clerk.get(f"/api/v1/recaps/{recap['id']}/recap.pdf")
    sheet = staff.clerk.get(f"/api/v1/recaps/{recap['id']}/recap.xlsx")
    assert sheet.status_code == 200 and sheet.mimetype == XLSX
    assert sheet.headers["Content-Disposition"].startswith("attachment; filename=rekapan-RKP-")
    assert sheet.headers["Content-Disposition"].endswith(".xlsx")
    rows = sheet_rows(sheet.data)
    assert [r["Kode Kiriman"] for r in rows] == codes_in(pdf.data)
    text = pdf_text(pdf.data)
    starts = [text.index(row["Kode Kiriman"]) for row in rows] + [len(text)]
    for index, (row, parcel) in enumerate(zip(rows, recap["parcels"], strict=True)):
        assert row["No"] == parcel["position"] and row["Nama Penerima"] == parcel["recipient_name"]
        assert row["Telepon"] == parcel["phone"] and row["Kecamatan"] == parcel["address"]["kecamatan"]
        printed = text[starts[index]:starts[index + 1]].split()  # the row's lines, wrapped cells included
        for value in (row["Nama Penerima"], row["Alamat"], row["Jenis Dokumen"], row["Telepon"]):
            assert all(word in printed for word in value.split()), (value, printed)
        assert row["Jenis Dokumen"] == contents_of(parcel)
    cells = {str(value) for row in rows for value in row.values()}
    assert [n for n in personal_numbers() if any(n in value for value in cells)] == []
    assert sum(r["Jml Dok"] for r in rows) == sum(g["document_count"] for g in recap["groups"])
    summary = list(openpyxl.load_workbook(io.BytesIO(sheet.data))["Ringkasan"].iter_rows(values_only=True))
    assert summary[1:-1] == [(g["doc_type_label"], g["kecamatan"], g["parcel_count"], g["document_count"])
                             for g in recap["groups"]]
    assert summary[-1] == ("Jumlah seluruhnya", None, len(rows), sum(r["Jml Dok"] for r in rows))


def test_unsigned_letter_is_a_draft(staff, documents):
    recap = submitted_recap(staff.clerk, documents, count=6)
    letter = staff.kasubbag.post(f"/api/v1/recaps/{recap['id']}/cover-letter",
                                 json={"courier_partner_id": partner_id_of(staff.kasubbag)}).get_json()
    response = staff.clerk.get(f"/api/v1/cover-letters/{letter['id']}/letter.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "DRAF" in text and "belum ditandatangani" in text
    assert "Ditandatangani secara elektronik" not in text
    assert decoded(response.data) == [[]]  # no verification QR before signing
    _letter_holds_its_facts(text, letter, recap)
    assert SECRETARY in text and "NIP. 19720515 199803 1 004" in text and "Pembina (IV/a)" in text


def test_signed_letter_carries_signature_time_hash_and_a_verifying_qr(staff, documents, client):
    recap, letter = signed_recap(staff.clerk, staff.kasubbag, staff.secretary, documents, count=6)
    response = staff.kasubbag.get(f"/api/v1/cover-letters/{letter['id']}/letter.pdf")
    text = pdf_text(response.data)
    assert "Ditandatangani secara elektronik" in text and "DRAF" not in text
    assert re.search(r"pada \d{1,2} [A-Z][a-z]+ \d{4} pukul \d{2}\.\d{2} WIB", text)
    assert f"SHA-256 {letter['content_sha256'][:16]}" in text
    assert staff.secretary.user.full_name in text  # who actually signed
    _letter_holds_its_facts(text, letter, recap)
    url = f"https://distribusi.test/verifikasi/{letter['verification_code']}"
    assert decoded(response.data) == [[("qr", url)]]
    verified = client.get(f"/api/v1/public/verify/{letter['verification_code']}").get_json()
    assert verified["intact"] is True and verified["letter_number"] == letter["letter_number"]


def _letter_holds_its_facts(text: str, letter: dict, recap: dict) -> None:
    assert "PEMERINTAH KOTA PEKANBARU" in text and "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL" in text
    assert "Jl. Jenderal Sudirman No. 464" in text and "disdukcapil@pekanbaru.go.id" in text
    assert f"Nomor : {letter['letter_number']}" in text
    assert f"Pekanbaru, {format_date_id(date.fromisoformat(letter['letter_date']))}" in text
    assert "Sifat : Biasa" in text and "Lampiran : 1 (satu) berkas" in text
    assert f"Perihal : {letter['subject']}" in text
    assert f"Yth. Pimpinan {letter['courier_partner']}" in text
    assert "Perjanjian Kerja Sama Nomor 027/PKS/2026" in text
    assert f"Daftar Rekapan Nomor {recap['number']}" in text
    assert f"sebanyak {len(recap['parcels'])} kiriman" in text


def test_handover_record_names_both_parties_and_counts_by_type(staff, documents):
    recap = handed_over_recap(staff.clerk, staff.kasubbag, staff.secretary, documents, count=10)
    response = staff.clerk.get(f"/api/v1/handovers/{_handover_id(recap['id'])}/record.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "BERITA ACARA SERAH TERIMA DOKUMEN KEPENDUDUKAN" in text
    assert re.search(r"Pada hari ini (Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu), tanggal \d{1,2} "
                     r"(Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember) "
                     r"\d{4}, pukul \d{2}\.\d{2} WIB", text)
    assert "PIHAK PERTAMA" in text and "PIHAK KEDUA" in text and "Joko Susilo" in text
    assert "PT Pos Indonesia" in text and staff.kasubbag.user.full_name in text
    counts: dict[str, int] = {}
    for parcel in recap["parcels"]:
        for document in parcel["documents"]:
            counts[document["doc_type"]] = counts.get(document["doc_type"], 0) + 1
    labels = {"KK": "Kartu Keluarga", "KTP_EL": "KTP-el", "KIA": "Kartu Identitas Anak",
              "AKTA_KELAHIRAN": "Akta Kelahiran", "AKTA_KEMATIAN": "Akta Kematian",
              "AKTA_PERKAWINAN": "Akta Perkawinan"}
    for doc_type, count in counts.items():
        assert re.search(rf"\d+ {re.escape(labels[doc_type])} {count}\b", text), (doc_type, count)
    assert f"Jumlah {sum(counts.values())}" in text
    assert codes_in(response.data) == [p["tracking_code_display"] for p in recap["parcels"]]
    _names_whose_documents_each_parcel_holds(text, recap["parcels"])
    assert "Yang Menerima" in text and "Yang Menyerahkan" in text
    assert "Halaman 1 dari" in text
    assert [number for number in personal_numbers() if number in text] == []


def _handover_id(recap_id: int) -> int:
    return db.session.scalar(select(Handover.id).where(Handover.recap_id == recap_id))


def test_undelivered_list_groups_by_reason_and_kecamatan_in_pdf_and_sheet(staff, documents):
    recap = handed_over_recap(staff.clerk, staff.kasubbag, staff.secretary, documents, count=12)
    codes = [p["tracking_code"] for p in recap["parcels"]]
    for code in codes:
        assert scan(staff.courier, code, "accept").status_code == 201
        assert scan(staff.courier, code, "out_for_delivery").status_code == 201
    absent, moved, delivered = codes[:2], codes[2:4], codes[4:]
    for code in absent:
        assert scan(staff.courier, code, "failed", **FAILED).status_code == 201
    for code in moved:
        assert scan(staff.courier, code, "failed", failure_reason="moved").status_code == 201
    for code in absent + moved:
        assert scan(staff.courier, code, "return").status_code == 201
    for code in delivered:
        assert scan(staff.courier, code, "delivered", **DELIVERED).status_code == 201
    returned = staff.kasubbag.post("/api/v1/returns", json={"courier_partner_id": partner_id_of(staff.kasubbag),
                                                            "tracking_codes": absent + moved})
    assert returned.status_code == 201

    listed = staff.clerk.get("/api/v1/undelivered").get_json()["items"]
    pdf = staff.clerk.get("/api/v1/undelivered.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert re.fullmatch(r"inline; filename=belum-diserahkan-\d{4}-\d{2}-\d{2}\.pdf",
                        pdf.headers["Content-Disposition"])
    text = pdf_text(pdf.data)
    assert "DAFTAR REKAPAN DOKUMEN YANG BELUM DISERAHKAN" in text and "Halaman 1 dari 1" in text
    for item in listed:
        assert f"{item['failure_label']} · Kecamatan {item['kecamatan']}" in text
    assert "Penerima tidak di tempat" in text and "Penerima pindah alamat" in text
    assert "Jumlah seluruhnya: 4 kiriman" in text
    shown = codes_in(pdf.data)
    assert sorted(c.replace("-", "") for c in shown) == sorted(absent + moved)
    assert [c.replace("-", "") for c in shown] == [item["tracking_code"] for item in listed]

    sheet = staff.clerk.get("/api/v1/undelivered.xlsx")
    assert sheet.status_code == 200 and sheet.mimetype == XLSX
    assert sheet.headers["Content-Disposition"].startswith("attachment; filename=belum-diserahkan-")
    rows = sheet_rows(sheet.data)
    assert [r["Kode Kiriman"] for r in rows] == shown
    assert [r["Alasan"] for r in rows] == [item["failure_label"] for item in listed]
    assert [r["Rekapan"] for r in rows] == [recap["number"]] * 4
    by_code = {p["tracking_code"]: p for p in recap["parcels"]}
    in_order = [by_code[item["tracking_code"]] for item in listed]
    _names_whose_documents_each_parcel_holds(text, in_order)
    assert [r["Jenis Dokumen"] for r in rows] == [contents_of(p) for p in in_order]
    cells = {str(value) for row in rows for value in row.values()}
    assert [number for number in personal_numbers() if number in text or any(number in c for c in cells)] == []


def test_an_empty_undelivered_list_still_prints(staff):
    response = staff.clerk.get("/api/v1/undelivered.pdf")
    assert response.status_code == 200 and page_count(response.data) == 1
    assert "Jumlah seluruhnya: 0 kiriman" in pdf_text(response.data)
    assert sheet_rows(staff.clerk.get("/api/v1/undelivered.xlsx").data) == []


PAPERS = [
    "/api/v1/recaps/{recap}/labels.pdf", "/api/v1/recaps/{recap}/labels.pdf?layout=thermal-100x150",
    "/api/v1/recaps/{recap}/recap.pdf", "/api/v1/recaps/{recap}/recap.xlsx",
    "/api/v1/cover-letters/{letter}/letter.pdf", "/api/v1/handovers/{handover}/record.pdf",
]


@pytest.fixture
def handed_over(staff, documents):
    recap = handed_over_recap(staff.clerk, staff.kasubbag, staff.secretary, documents, count=4)
    letter_id = db.session.scalar(select(CoverLetter.id).where(CoverLetter.recap_id == recap["id"]))
    return {"recap": recap["id"], "letter": letter_id, "handover": _handover_id(recap["id"])}


EVERYWHERE = PAPERS + ["/api/v1/undelivered.pdf", "/api/v1/undelivered.xlsx"]


def test_staff_of_the_office_may_print(login_as, handed_over):
    for role in ("clerk", "kasubbag", "secretary", "operator", "kasi", "kabid", "head", "admin"):
        api = login_as(role)
        for path in EVERYWHERE:
            response = api.get(path.format(**handed_over))
            assert response.status_code == 200, (role, path)
            assert response.mimetype in ("application/pdf", XLSX)


def test_couriers_are_refused_and_strangers_asked_to_log_in(staff, client, handed_over):
    for path in EVERYWHERE:
        assert staff.courier.get(path.format(**handed_over)).status_code == 403, path
        assert client.get(path.format(**handed_over)).status_code == 401, path


def test_another_office_gets_404(login_as, other_office, handed_over):
    stranger = login_as("clerk", other_office)
    for path in PAPERS:
        response = stranger.get(path.format(**handed_over))
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "not_found"
