"""The complaint SOP's papers for a period: the complaint book (Buku Laporan Pengaduan) and the follow-up report
(Laporan Tindak Lanjut Penyelesaian), as PDF (kop surat, one ruled table) and XLSX (the same rows)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table

from distribusi.complaints.models import (CATEGORY_LABELS, CHANNEL_LABELS, LEVEL_LABELS, ROUTE_LABELS, STATUS_LABELS,
                                          Complaint)
from distribusi.complaints.services import complaints_in_period
from distribusi.models import Office, utcnow
from distribusi.printing.office import OfficeInfo
from distribusi.printing.services import PDF, XLSX, Paper, office_of
from distribusi.printing.pages import (CENTER, build, cell, frame_width, letterhead_flowables, para, style,
                                       table_style)
from distribusi.printing.text import format_date_id, format_datetime_id, format_number_id
from distribusi.workdays import working_days_between

PAGE = landscape(A4)
MARGINS = (12, 12, 12, 15)
BOOK_TITLE = "BUKU LAPORAN PENGADUAN"
FOLLOW_UP_TITLE = "LAPORAN TINDAK LANJUT PENYELESAIAN PENGADUAN"
SIZE = 7.5


@dataclass(frozen=True, slots=True)
class Row:
    """One ticket as both papers print it; plain text, already in the office's zone."""

    position: int
    number: str
    received: str
    channel: str
    complainant: str
    contact: str
    category: str
    description: str
    parcels: str
    level: str
    status: str
    answer: str
    route: str
    outcome: str
    resolved: str
    working_days: str
    escalations: int


def rows_of(complaints: Sequence[Complaint], office: Office, zone, now: datetime) -> list[Row]:
    """The tickets of the period as printed rows, numbered in the order they were received."""
    rows = []
    for position, c in enumerate(complaints, start=1):
        end = c.resolved_at or now
        rows.append(Row(
            position=position, number=c.ticket_number, received=format_datetime_id(c.received_at, zone, " "),
            channel=CHANNEL_LABELS[c.channel], complainant=c.complainant_name, contact=c.contact,
            category=CATEGORY_LABELS[c.category], description=c.description,
            parcels=", ".join(p.tracking_code for p in c.parcels), level=LEVEL_LABELS[c.level],
            status=STATUS_LABELS[c.status], answer=c.answer or "", route=ROUTE_LABELS[c.route] if c.route else "",
            outcome=c.outcome or "", resolved=format_datetime_id(c.resolved_at, zone, " ") if c.resolved_at else "",
            working_days=format_number_id(working_days_between(office, c.received_at, end), 1),
            escalations=sum(1 for e in c.events if e.action == "escalate"),
        ))
    return rows


Column = tuple[str, float, Callable[[Row], Any]]  # heading, width in mm (PDF) or characters (XLSX), value
BOOK_COLUMNS: tuple[Column, ...] = (
    ("No", 8, lambda r: r.position),
    ("Nomor Pengaduan", 35, lambda r: r.number),
    ("Diterima", 24, lambda r: r.received),
    ("Saluran", 22, lambda r: r.channel),
    ("Nama Pengadu", 30, lambda r: r.complainant),
    ("Kontak", 26, lambda r: r.contact),
    ("Kategori", 22, lambda r: r.category),
    ("Uraian", 55, lambda r: r.description),
    ("Kiriman", 22, lambda r: r.parcels),
    ("Tingkat", 18, lambda r: r.level),
    ("Status", 15, lambda r: r.status),
)
FOLLOW_UP_COLUMNS: tuple[Column, ...] = (
    ("No", 8, lambda r: r.position),
    ("Nomor Pengaduan", 35, lambda r: r.number),
    ("Diterima", 24, lambda r: r.received),
    ("Pokok Pengaduan", 40, lambda r: f"{r.category}: {r.description}"),
    ("Jawaban / Tindak Lanjut", 50, lambda r: " · ".join(p for p in (r.answer, r.route) if p)),
    ("Tingkat Akhir", 18, lambda r: f"{r.level} ({r.escalations}× naik)" if r.escalations else r.level),
    ("Hasil Penyelesaian", 45, lambda r: r.outcome),
    ("Selesai", 24, lambda r: r.resolved or r.status),
    ("Lama (hari kerja)", 13, lambda r: r.working_days),
)


@dataclass(frozen=True, slots=True)
class Period:
    first: date
    last: date

    @property
    def text(self) -> str:
        return f"Periode {format_date_id(self.first)} s.d. {format_date_id(self.last)}"


def render_pdf(title: str, columns: Sequence[Column], rows: Sequence[Row], period: Period, office: OfficeInfo,
               out: BinaryIO, *, printed_at: datetime) -> None:
    """Write one of the two papers as a landscape PDF: kop surat, title, period, the table, the signature."""
    width = frame_width(PAGE, MARGINS)
    scale = width / sum(c[1] * mm for c in columns)
    widths = [c[1] * mm * scale for c in columns]
    data = [[cell(c[0], w, SIZE, bold=True) for c, w in zip(columns, widths, strict=True)]]
    for row in rows:
        data.append([cell(str(c[2](row)), w, SIZE) for c, w in zip(columns, widths, strict=True)])
    if not rows:
        data.append([cell("Tidak ada pengaduan pada periode ini.", sum(widths), SIZE)] + [""] * (len(columns) - 1))
    extra = [("SPAN", (0, 1), (-1, 1))] if not rows else []
    table = Table(data, colWidths=widths, repeatRows=1, style=table_style(SIZE, 1, *extra))
    resolved = sum(1 for r in rows if r.resolved)
    summary = (f"{period.text} · {format_number_id(len(rows))} pengaduan, {format_number_id(resolved)} selesai, "
               f"{format_number_id(len(rows) - resolved)} dalam proses")
    story = [*letterhead_flowables(office.letterhead, width), Spacer(1, 3 * mm),
             para(title, style("paper-title", 12, bold=True, align=TA_CENTER, leading=15)),
             para(summary, style("paper-summary", 9, align=TA_CENTER, leading=12, space_after=4)), table,
             Spacer(1, 6 * mm), _signature(office, width)]
    build(out, story, title=title.title(), author=office.name, pagesize=PAGE, margins=MARGINS,
          footer_left=f"{title.title()} · {period.text} · dicetak {format_datetime_id(printed_at, office.zone)}")


def _signature(office: OfficeInfo, width: float) -> KeepTogether:
    head = office.officials.get("head")
    place = f"{office.place}, " if office.place else ""
    lines = [para(f"{place}........................", CENTER), para("Kepala Dinas,", CENTER), Spacer(1, 16 * mm),
             para(head.name if head else "(" + "\u00a0" * 40 + ")", CENTER)]
    if head and head.nip:
        lines.append(para(f"NIP. {head.nip}", CENTER))
    table = Table([["", line] for line in lines], colWidths=[width * 0.65, width * 0.35])
    return KeepTogether([table])


def render_xlsx(title: str, columns: Sequence[Column], rows: Sequence[Row], period: Period, office: OfficeInfo,
                out: BinaryIO, *, printed_at: datetime) -> None:
    """Write the same rows as a spreadsheet: title lines, a filterable header row, one ticket a row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Pengaduan"
    for index, line in enumerate((title, office.name, period.text,
                                  f"Dicetak {format_datetime_id(printed_at, office.zone)}"), start=1):
        _put(sheet, index, 1, line).font = Font(bold=index == 1, size=13 if index == 1 else 11)
    header = 6
    for column, (heading, width, _value) in enumerate(columns, start=1):
        target = _put(sheet, header, column, heading)
        target.font, target.fill = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
        target.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(column)].width = max(width * 0.6, 6)
    for offset, row in enumerate(rows, start=1):
        for column, (_heading, _width, value) in enumerate(columns, start=1):
            _put(sheet, header + offset, column, value(row))
    sheet.freeze_panes = sheet.cell(row=header + 1, column=1)
    sheet.auto_filter.ref = f"A{header}:{get_column_letter(len(columns))}{header + max(len(rows), 0)}"
    book.save(out)


def _put(sheet, row: int, column: int, value: Any):
    target = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        target.data_type = "s"  # a name or description starting with '=' stays text, never a formula
    return target


PAPERS = {"book": (BOOK_TITLE, BOOK_COLUMNS, "buku-pengaduan"),
          "follow-up": (FOLLOW_UP_TITLE, FOLLOW_UP_COLUMNS, "tindak-lanjut-pengaduan")}


def complaint_paper(user, kind: str, extension: str, first: date, last: date) -> Paper:
    """The complaint book or the follow-up report of the user's office for a period, as PDF or XLSX."""
    title, columns, slug = PAPERS[kind]
    office, now, period = office_of(user), utcnow(), Period(first, last)
    rows = rows_of(complaints_in_period(user, first, last), user.office, office.zone, now)
    render, mimetype = (render_pdf, PDF) if extension == "pdf" else (render_xlsx, XLSX)
    return Paper(lambda out: render(title, columns, rows, period, office, out, printed_at=now), mimetype,
                 f"{slug}-{first.isoformat()}-{last.isoformat()}.{extension}")
