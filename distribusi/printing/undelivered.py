"""The undelivered list (Daftar Rekapan Dokumen yang Belum Diserahkan): returned parcels grouped by failure reason
and kecamatan, with columns for collection at the counter."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import BinaryIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm

from distribusi.printing.data import Group, ParcelRecord, group_rows, parcel_record
from distribusi.printing.fonts import BOLD, REGULAR
from distribusi.printing.office import OfficeInfo
from distribusi.printing.fitting import text_width
from distribusi.printing.pages import build, draw_line
from distribusi.printing.tables import CODE_WIDTH, Column, blank, grouped_table
from distribusi.printing.text import format_datetime_id, format_number_id

PAGE = landscape(A4)
MARGINS = (12, 12, 24, 15)
TITLE = "DAFTAR REKAPAN DOKUMEN YANG BELUM DISERAHKAN"


@dataclass(frozen=True, slots=True)
class UndeliveredList:
    """Returned parcels as the list shows them, numbered 1..n in print order."""

    groups: tuple[Group, ...]

    @property
    def rows(self) -> list[ParcelRecord]:
        return [row for group in self.groups for row in group.rows]


def undelivered_list_of(parcels, failure_label) -> UndeliveredList:
    """The list of parcels already sorted by failure reason and kecamatan (returns.services.undelivered_parcels)."""
    rows = [replace(parcel_record(p, failure=failure_label(p)), position=i) for i, p in enumerate(parcels, start=1)]
    return UndeliveredList(group_rows(rows, lambda r: r.failure))


COLUMNS = (
    Column("No", 9, lambda r: str(r.position), "RIGHT"),
    Column("Kode Kiriman", CODE_WIDTH, lambda r: r.code),
    Column("Rekapan", 23, lambda r: r.recap_number),
    Column("Nama Penerima", 40, lambda r: r.recipient_name),
    Column("Alamat", 55, lambda r: r.address),
    Column("Telepon", 27, lambda r: r.phone),
    Column("Jenis Dokumen", 34, lambda r: r.contents),
    Column("Jml Dok", 10, lambda r: str(r.document_count), "RIGHT"),
    Column("Perco-baan", 12, lambda r: str(r.failed_attempts), "RIGHT"),
    Column("Tanggal", 18, blank, parent="Diambil di loket"),
    Column("Paraf", 16, blank, parent="Diambil di loket"),
)
COUNT_COLUMN = 7


def render_undelivered(data: UndeliveredList, office: OfficeInfo, out: BinaryIO, *, printed_at: datetime) -> None:
    """Write the undelivered list PDF to out."""
    rows = data.rows
    summary = (f"Per {format_datetime_id(printed_at, office.zone)} · {format_number_id(len(rows))} kiriman, "
               f"{format_number_id(sum(r.document_count for r in rows))} dokumen")

    def header(canvas, _doc) -> None:
        top, left, right = PAGE[1] - 11 * mm, MARGINS[0] * mm, PAGE[0] - MARGINS[1] * mm
        width = right - left
        canvas.saveState()
        draw_line(canvas, TITLE, BOLD, 12, left, top, width)
        room = width - text_width(TITLE, BOLD, 12) - 10 * mm
        draw_line(canvas, office.name, BOLD, 9, right, top, room, align="right")
        draw_line(canvas, summary, REGULAR, 9, left, top - 5 * mm, width)
        canvas.restoreState()

    build(out, [grouped_table(data.groups, COLUMNS, count_column=COUNT_COLUMN)], title=TITLE.title(),
          author=office.name, pagesize=PAGE, margins=MARGINS, on_page=header,
          footer_left=f"Dokumen belum diserahkan · dicetak {format_datetime_id(printed_at, office.zone)}")
