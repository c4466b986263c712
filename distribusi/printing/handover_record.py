"""The handover record (Berita Acara Serah Terima): both parties, date and time, counts per document type, the
parcel table with a tick column, and places for both signatures."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from distribusi.printing.data import Group, doc_type_counts, doc_type_label, group_rows, parcel_record
from distribusi.printing.fonts import BOLD
from distribusi.printing.office import OfficeInfo, Official, official_for
from distribusi.printing.pages import BODY, BODY_LEFT, CENTER, SUBTITLE, TITLE, build, cell, frame_width, \
    letterhead_flowables, para, table_style
from distribusi.printing.tables import CODE_WIDTH, Column, blank, grouped_table
from distribusi.printing.text import day_name_id, format_date_id, format_datetime_id, format_nip, \
    format_number_id, format_time_id, spell_number_id
from distribusi.zones import to_office_time

MARGINS = (20, 20, 12, 18)


@dataclass(frozen=True, slots=True)
class HandoverData:
    """A handover as its record shows it."""

    recap_number: str
    letter_number: str
    partner: str
    contract_number: str
    received_by: str
    handed_over_at: datetime
    handed_over_by: Official
    groups: tuple[Group, ...]

    @property
    def rows(self):
        return [row for group in self.groups for row in group.rows]


def handover_data_of(handover, recap, office: OfficeInfo, user=None) -> HandoverData:
    """HandoverData of a Handover, its recap (parcels and documents loaded) and the user who handed it over."""
    rows = [parcel_record(p) for p in recap.parcels]
    return HandoverData(
        recap_number=recap.number, letter_number=handover.letter.letter_number,
        partner=handover.courier_partner.name, contract_number=handover.courier_partner.contract_number or "",
        received_by=handover.received_by, handed_over_at=handover.handed_over_at,
        handed_over_by=official_for(office, "kasubbag", user, "Kepala Sub Bagian Umum"),
        groups=group_rows(rows, lambda r: doc_type_label(r.group_doc_type)),
    )


COLUMNS = (
    Column("No", 9, lambda r: str(r.position), "RIGHT"),
    Column("Kode Kiriman", CODE_WIDTH, lambda r: r.code),
    Column("Nama Penerima", 38, lambda r: r.recipient_name),
    Column("Alamat", 43, lambda r: r.address),
    Column("Jenis Dokumen", 33, lambda r: r.contents),
    Column("Jml Dok", 10, lambda r: str(r.document_count), "RIGHT"),
    Column("Cek", 8, blank, "CENTER"),
)


def render_handover_record(data: HandoverData, office: OfficeInfo, out: BinaryIO, *, printed_at: datetime) -> None:
    """Write the handover record PDF to out."""
    width = frame_width(A4, MARGINS)
    when = to_office_time(data.handed_over_at, office.zone)
    rows = data.rows
    parcels, documents = len(rows), sum(r.document_count for r in rows)
    first, second = data.handed_over_by, data.received_by
    story: list[Flowable] = [
        *letterhead_flowables(office.letterhead, width), Spacer(1, 5 * mm),
        para("BERITA ACARA SERAH TERIMA DOKUMEN KEPENDUDUKAN", TITLE),
        para(f"Daftar Rekapan {data.recap_number} · Surat Pengantar {data.letter_number}", SUBTITLE),
        Spacer(1, 5 * mm),
        para(f"Pada hari ini {day_name_id(when)}, tanggal {format_date_id(when)}, pukul "
             f"{format_time_id(data.handed_over_at, office.zone)}, bertempat di {office.name}, kami yang bertanda "
             "tangan di bawah ini:", BODY),
        Spacer(1, 2 * mm),
        _party("1.", [("Nama", first.name or "-"), ("NIP", format_nip(first.nip) or "-"),
                      ("Jabatan", first.position), ("Instansi", office.name)],
               "selanjutnya disebut PIHAK PERTAMA (yang menyerahkan);", width),
        _party("2.", [("Nama", second), ("Instansi", data.partner)],
               "selanjutnya disebut PIHAK KEDUA (yang menerima).", width),
        Spacer(1, 2 * mm),
        para(f"PIHAK PERTAMA menyerahkan kepada PIHAK KEDUA, dan PIHAK KEDUA menerima dari PIHAK PERTAMA, dokumen "
             f"kependudukan sebanyak {format_number_id(parcels)} kiriman berisi {format_number_id(documents)} "
             f"dokumen sesuai Daftar Rekapan Nomor {data.recap_number} dan Surat Pengantar Nomor "
             f"{data.letter_number}" + (f", berdasarkan Perjanjian Kerja Sama Nomor {data.contract_number}"
                                         if data.contract_number else "") + ", dengan rincian:", BODY),
        Spacer(1, 2 * mm), _counts(rows), Spacer(1, 4 * mm),
        para("Daftar kiriman:", BODY_LEFT), Spacer(1, 1 * mm),
        grouped_table(data.groups, COLUMNS, count_column=5), Spacer(1, 4 * mm),
        para("Dengan ditandatanganinya berita acara ini, tanggung jawab atas dokumen tersebut beralih kepada PIHAK "
             "KEDUA sampai diserahkan kepada penduduk yang berhak atau dikembalikan kepada PIHAK PERTAMA. Demikian "
             f"berita acara ini dibuat dalam rangkap 2 ({spell_number_id(2)}) untuk dipergunakan sebagaimana "
             "mestinya.", BODY),
        Spacer(1, 6 * mm), _signatures(data, office, width),
    ]
    build(out, story, title=f"Berita Acara Serah Terima {data.recap_number}", author=office.name, margins=MARGINS,
          footer_left=f"BAST {data.recap_number} · dicetak {format_datetime_id(printed_at, office.zone)}")


def _party(number: str, facts: list[tuple[str, str]], role: str, width: float) -> Table:
    rows = [[para(number if i == 0 else "", BODY_LEFT), para(k, BODY_LEFT), para(":", BODY_LEFT), para(v, BODY_LEFT)]
            for i, (k, v) in enumerate(facts)]
    rows.append(["", para(role, BODY_LEFT), "", ""])
    table = Table(rows, colWidths=[8 * mm, 24 * mm, 4 * mm, width - 36 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("SPAN", (1, -1), (3, -1)),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return table


def _counts(rows) -> Table:
    counts = doc_type_counts(rows)
    data = [["No", "Jenis Dokumen", "Jumlah"]]
    data += [[str(i), cell(label, 70 * mm, 9), format_number_id(n)] for i, (label, n) in enumerate(counts, start=1)]
    data.append(["", "Jumlah", format_number_id(sum(n for _label, n in counts))])
    table = Table(data, colWidths=[10 * mm, 70 * mm, 25 * mm], hAlign="LEFT")
    table.setStyle(table_style(9, 1, ("ALIGN", (2, 1), (2, -1), "RIGHT"), ("FONT", (0, -1), (-1, -1), BOLD, 9)))
    return table


def _signatures(data: HandoverData, office: OfficeInfo, width: float) -> KeepTogether:
    first = data.handed_over_by
    place = f"{office.place}, " if office.place else ""
    dotted = "." * 40
    rows = [
        ["", para(f"{place}{format_date_id(to_office_time(data.handed_over_at, office.zone))}", CENTER)],
        [para("PIHAK KEDUA<br/>Yang Menerima,", CENTER, markup=True),
         para("PIHAK PERTAMA<br/>Yang Menyerahkan,", CENTER, markup=True)],
        [para(data.partner, CENTER), para(first.position or "", CENTER)],
        ["", ""],
        [para(data.received_by or dotted, CENTER), para(first.name or dotted, CENTER)],
        ["", para(f"NIP. {format_nip(first.nip)}" if first.nip else "", CENTER)],
    ]
    table = Table(rows, colWidths=[width / 2, width / 2], rowHeights=[None, None, None, 20 * mm, None, None])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return KeepTogether([table])
