"""The recap list (Daftar Rekapan): A4 landscape, parcels grouped by document type and kecamatan, with the
handover columns of the paper control card (paraf and tanggal, serah and terima)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table

from distribusi.printing.data import Group, ParcelRecord, doc_type_label, group_rows, parcel_record
from distribusi.printing.fonts import BOLD, REGULAR
from distribusi.printing.office import OfficeInfo
from distribusi.printing.fitting import text_width
from distribusi.printing.pages import CENTER, build, draw_line, frame_width, para
from distribusi.printing.tables import CODE_WIDTH, Column, blank, grouped_table
from distribusi.printing.text import format_date_id, format_datetime_id, format_number_id
from distribusi.zones import to_office_time

PAGE = landscape(A4)
MARGINS = (12, 12, 27, 15)  # landscape A4 less these: 273 mm, the sum of the column widths


@dataclass(frozen=True, slots=True)
class RecapList:
    """A recap as its printed list shows it."""

    number: str
    status: str
    created_at: datetime
    partner: str
    letter_number: str
    groups: tuple[Group, ...]

    @property
    def rows(self) -> list[ParcelRecord]:
        return [row for group in self.groups for row in group.rows]

    @property
    def parcel_count(self) -> int:
        return sum(g.parcel_count for g in self.groups)

    @property
    def document_count(self) -> int:
        return sum(g.document_count for g in self.groups)


def recap_list_of(recap, *, status: str, partner: str = "", letter_number: str = "") -> RecapList:
    """The RecapList of a recap with parcels and documents loaded, grouped as recap_groups() groups them."""
    rows = [parcel_record(p) for p in recap.parcels]
    return RecapList(number=recap.number, status=status, created_at=recap.created_at, partner=partner,
                     letter_number=letter_number, groups=group_rows(rows, lambda r: doc_type_label(r.group_doc_type)))


COLUMNS = (
    Column("No", 9, lambda r: str(r.position), "RIGHT"),
    Column("Kode Kiriman", CODE_WIDTH, lambda r: r.code),
    Column("Nama Penerima", 44, lambda r: r.recipient_name),
    Column("Alamat", 57, lambda r: r.address),
    Column("Telepon", 27, lambda r: r.phone),
    Column("Jenis Dokumen", 38, lambda r: r.contents),
    Column("Jml Dok", 11, lambda r: str(r.document_count), "RIGHT"),
    Column("Paraf", 14, blank, parent="Serah"),
    Column("Tanggal", 15, blank, parent="Serah"),
    Column("Paraf", 14, blank, parent="Terima"),
    Column("Tanggal", 15, blank, parent="Terima"),
)
COUNT_COLUMN = 6


def render_recap_list(data: RecapList, office: OfficeInfo, out: BinaryIO, *, printed_at: datetime) -> None:
    """Write the recap list PDF to out."""
    width = frame_width(PAGE, MARGINS)
    story = [grouped_table(data.groups, COLUMNS, count_column=COUNT_COLUMN), Spacer(1, 6 * mm),
             _signatures(data, office, width)]

    def header(canvas, _doc) -> None:
        top, left, right = PAGE[1] - 11 * mm, MARGINS[0] * mm, PAGE[0] - MARGINS[1] * mm
        title = "DAFTAR REKAPAN DOKUMEN KEPENDUDUKAN"
        facts = [f"Nomor {data.number}", f"Tanggal {format_date_id(to_office_time(data.created_at, office.zone))}",
                 f"Status: {data.status}",
                 f"{format_number_id(data.parcel_count)} kiriman, {format_number_id(data.document_count)} dokumen"]
        partner = " · ".join(p for p in (f"Mitra kurir: {data.partner}" if data.partner else "",
                                         f"Surat pengantar {data.letter_number}" if data.letter_number else "") if p)
        canvas.saveState()
        draw_line(canvas, title, BOLD, 12, left, top, width)
        room = width - text_width(title, BOLD, 12) - 10 * mm
        draw_line(canvas, office.name, BOLD, 9, right, top, room, align="right")
        draw_line(canvas, " · ".join(facts), REGULAR, 9, left, top - 5 * mm, width)
        if partner:
            draw_line(canvas, partner, REGULAR, 9, left, top - 9.5 * mm, width)
        canvas.restoreState()

    build(out, story, title=f"Daftar Rekapan {data.number}", author=office.name, pagesize=PAGE, margins=MARGINS,
          footer_left=f"Daftar Rekapan {data.number} · dicetak {format_datetime_id(printed_at, office.zone)}",
          on_page=header)


def _signatures(data: RecapList, office: OfficeInfo, width: float) -> KeepTogether:
    place = f"{office.place}, " if office.place else ""
    blank_line = "(" + "\u00a0" * 40 + ")"
    rows = [
        ["", para(f"{place}........................", CENTER)],
        [para("Yang Menerima,", CENTER), para("Yang Menyerahkan,", CENTER)],
        [para(data.partner or "Mitra Kurir", CENTER), para(office.name, CENTER)],
        ["", ""],
        [para(blank_line, CENTER), para(blank_line, CENTER)],
    ]
    table = Table(rows, colWidths=[width / 2, width / 2], rowHeights=[None, None, None, 18 * mm, None])
    return KeepTogether([table])
