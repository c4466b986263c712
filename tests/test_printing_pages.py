"""The A4 papers rendered from plain data: page numbers, repeated headers, continued groups, Indonesian dates."""
from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime

from distribusi.demo_data import PKU_SETTINGS
from distribusi.printing.data import DocumentLine, ParcelRecord, doc_type_label, group_rows
from distribusi.printing.letter import LetterData, render_letter
from distribusi.printing.office import office_info
from distribusi.printing.recap_list import RecapList, render_recap_list
from distribusi.recap.codes import display, new_code

from test_printing_support import CODE, decoded, flat, page_texts, pdf_text


class FakeOffice:
    name = "Dinas Kependudukan dan Pencatatan Sipil Kota Pekanbaru"
    settings = PKU_SETTINGS


OFFICE = office_info(FakeOffice, "https://distribusi.test")


def rows(count: int) -> list[ParcelRecord]:
    made = []
    for index in range(count):
        doc_type = ("KK", "KTP_EL", "AKTA_KELAHIRAN")[index * 3 // count]
        made.append(ParcelRecord(
            position=index + 1, tracking_code=new_code(), recipient_name=f"Désirée Ma'ruf {index + 1}",
            street=f"Jl. Sudirman No. {index + 1}", rt="001", rw="002", kelurahan="Kampung Melayu",
            kecamatan=("Sukajadi", "Tampan")[index % 2 if index < 10 else 1], city="Pekanbaru",
            phone="+6281234567890", group_doc_type=doc_type,
            documents=(DocumentLine(doc_type, f"Désirée Ma'ruf {index + 1}"), DocumentLine("KTP_EL", "Rizky Pratama")),
        ))
    return made


def recap_pdf(count: int) -> tuple[RecapList, bytes]:
    data = RecapList(number="RKP/2026/0042", status="Diajukan", created_at=datetime(2026, 11, 22, 2, 0),
                     partner="PT Pos Indonesia", letter_number="",
                     groups=group_rows(rows(count), lambda r: doc_type_label(r.group_doc_type)))
    out = io.BytesIO()
    render_recap_list(data, OFFICE, out, printed_at=datetime(2026, 11, 22, 7, 5))
    return data, out.getvalue()


def test_a_long_recap_numbers_its_pages_and_repeats_the_header():
    data, pdf = recap_pdf(240)
    pages = [flat(text) for text in page_texts(pdf)]
    assert len(pages) > 3
    for number, text in enumerate(pages, start=1):
        assert f"Halaman {number} dari {len(pages)}" in text
        assert "DAFTAR REKAPAN DOKUMEN KEPENDUDUKAN" in text and "Nomor RKP/2026/0042" in text
        assert "No Kode Kiriman Nama Penerima Alamat Telepon Jenis Dokumen Jml Dok Serah Terima" in text
        assert "dicetak 22 November 2026 pukul 14.05 WIB" in text
    for text in pages:  # every page's first parcel sits under its group's title, repeated '(lanjutan)' if need be
        header_end = text.index("Paraf Tanggal Paraf Tanggal") + len("Paraf Tanggal Paraf Tanggal")
        first = CODE.search(text, header_end)
        if first:
            assert " · Kecamatan " in text[header_end:first.start()]
    assert any("(lanjutan)" in text for text in pages[1:])
    assert CODE.findall(pdf_text(pdf)) == [display(r.tracking_code) for r in data.rows]
    assert "Jumlah seluruhnya: 240 kiriman 480" in pdf_text(pdf)
    assert "Tanggal 22 November 2026" in pages[0]
    assert "Désirée Ma'ruf 1; KTP-el a.n. Rizky Pratama" in pdf_text(pdf)


def test_a_thousand_rows_render():
    _data, pdf = recap_pdf(1000)
    text = pdf_text(pdf)
    assert "Jumlah seluruhnya: 1.000 kiriman 2.000" in text
    assert len(CODE.findall(text)) == 1000


def letter(status: str, **changes) -> bytes:
    values = dict(number="470/JASA-DUKCAPIL/7/2026", letter_date=date(2026, 11, 22),
                  subject="Penyerahan Dokumen Kependudukan dan Pencatatan Sipil", partner="PT Pos Indonesia",
                  contract_number="027/PKS/DUKCAPIL-POS/2026", recap_number="RKP/2026/0042", parcel_count=1234,
                  document_count=2345, doc_type_counts=(("Kartu Keluarga", 1000), ("KTP-el", 1345)),
                  signer=OFFICE.officials["secretary"], status=status)
    if status == "signed":
        values.update(signed_at=datetime(2026, 11, 22, 7, 5), content_sha256="0123456789abcdef" * 4,
                       verification_url="https://distribusi.test/verifikasi/AbCdEf012345-_xyzXYZ98765")
    out = io.BytesIO()
    render_letter(LetterData(**{**values, **changes}), OFFICE, out, printed_at=datetime(2026, 11, 22, 8, 0))
    return out.getvalue()


def test_letter_dates_and_numbers_are_indonesian():
    text = pdf_text(letter("signed"))
    assert "Pekanbaru, 22 November 2026" in text
    assert "sebanyak 1.234 kiriman berisi 2.345 dokumen" in text
    assert "1. Kartu Keluarga 1.000 dokumen" in text and "2. KTP-el 1.345 dokumen" in text
    assert "Ditandatangani secara elektronik pada 22 November 2026 pukul 14.05 WIB" in text
    assert "SHA-256 0123456789abcdef…" in text
    assert "a.n. KEPALA DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL KOTA PEKANBARU" in text
    assert "Drs. AHMAD FAUZI, M.Si Pembina (IV/a) NIP. 19720515 199803 1 004" in text
    assert decoded(letter("signed")) == [[("qr", "https://distribusi.test/verifikasi/AbCdEf012345-_xyzXYZ98765")]]


def test_a_rejected_letter_stays_a_draft_and_says_why():
    text = pdf_text(letter("rejected", rejection_note="Lampiran kurang"))
    assert "DRAF — DITOLAK: Lampiran kurang" in text and "Ditandatangani" not in text


def test_sheet_cells_that_look_like_formulas_stay_text():
    import openpyxl

    from distribusi.printing.sheets import recap_xlsx

    made = rows(3)
    made[0] = replace(made[0], recipient_name="=HYPERLINK(\"x\")")
    data = RecapList(number="RKP/2026/0042", status="Draf", created_at=datetime(2026, 11, 22), partner="",
                     letter_number="", groups=group_rows(made, lambda r: doc_type_label(r.group_doc_type)))
    out = io.BytesIO()
    recap_xlsx(data, OFFICE, out)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == "=HYPERLINK(\"x\")")
    assert cell.data_type == "s"


def test_the_widest_tracking_code_fits_its_column_on_one_line():
    from reportlab.lib.units import mm

    from distribusi.printing import handover_record, recap_list, undelivered
    from distribusi.printing.pages import cell

    for columns in (recap_list.COLUMNS, handover_record.COLUMNS, undelivered.COLUMNS):
        column = next(c for c in columns if c.title == "Kode Kiriman")
        assert "\n" not in cell(display("W" * 10), column.width * mm)
