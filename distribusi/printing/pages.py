"""What the A4 papers share: styles, kop surat, table cells that wrap, and pages numbered 'Halaman i dari N'."""
from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, TableStyle

from distribusi.printing.fitting import cut, text_width, wrap
from distribusi.printing.fonts import BOLD, REGULAR, register_fonts
from distribusi.printing.office import Letterhead

CELL_PADDING = 2.0
FOOTER_SIZE = 7.5
GRID = colors.Color(0.25, 0.25, 0.25)
SHADE = colors.Color(0.9, 0.9, 0.9)
GROUP_SHADE = colors.Color(0.95, 0.95, 0.95)


def style(name: str, size: float = 10, *, bold: bool = False, align: int = TA_LEFT, leading: float | None = None,
          space_after: float = 0, space_before: float = 0) -> ParagraphStyle:
    """A paragraph style in DejaVu Sans."""
    return ParagraphStyle(name, fontName=BOLD if bold else REGULAR, fontSize=size, leading=leading or size * 1.3,
                          alignment=align, spaceAfter=space_after, spaceBefore=space_before)


BODY = style("body", 11, align=TA_JUSTIFY, leading=15)
BODY_LEFT = style("body-left", 11, leading=15)
SMALL = style("small", 8.5)
TITLE = style("title", 13, bold=True, align=TA_CENTER, leading=17)
SUBTITLE = style("subtitle", 10, align=TA_CENTER, leading=13)
CENTER = style("center", 11, align=TA_CENTER, leading=15)
RIGHT = style("right", 11, align=TA_RIGHT, leading=15)


def para(text: str, paragraph_style: ParagraphStyle = BODY, *, markup: bool = False) -> Paragraph:
    """A paragraph of plain text (escaped) or of trusted markup."""
    register_fonts()
    return Paragraph(text if markup else escape(text), paragraph_style)


def cell(text: str, width: float, size: float = 7.5, *, bold: bool = False, max_lines: int = 12) -> str:
    """Plain text wrapped to a table column (less its padding) as lines joined by newlines; cut with '…' if longer."""
    font = BOLD if bold else REGULAR
    room = width - 2 * CELL_PADDING - 0.5
    lines = wrap(" ".join(str(text or "").split()), font, size, room)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = cut(lines[-1], font, size, room)
    return "\n".join(lines)


def table_style(size: float = 7.5, header_rows: int = 1, *extra) -> TableStyle:
    """A ruled table in DejaVu Sans with shaded, bold header rows and tight padding."""
    return TableStyle([
        ("FONT", (0, 0), (-1, -1), REGULAR, size, size * 1.2),
        ("FONT", (0, 0), (-1, header_rows - 1), BOLD, size, size * 1.2),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), SHADE),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, header_rows - 1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, header_rows - 1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        *extra,
    ])


class DoubleRule(Flowable):
    """The thick-and-thin line under a kop surat."""

    def __init__(self, width: float):
        super().__init__()
        self.width, self.height = width, 4

    def draw(self) -> None:
        self.canv.setLineWidth(1.8)
        self.canv.line(0, 3, self.width, 3)
        self.canv.setLineWidth(0.6)
        self.canv.line(0, 0, self.width, 0)


def letterhead_flowables(letterhead: Letterhead, width: float) -> list[Flowable]:
    """Kop surat: government, agency, address and contacts centred over a double rule."""
    lines = []
    if letterhead.government:
        lines.append(para(letterhead.government.upper(), style("kop-gov", 13, bold=True, align=TA_CENTER, leading=16)))
    lines.append(para(letterhead.agency.upper(), style("kop-agency", 14, bold=True, align=TA_CENTER, leading=18)))
    for text in (letterhead.address, letterhead.contact_line):
        if text:
            lines.append(para(text, style("kop-line", 9, align=TA_CENTER, leading=11.5)))
    return [*lines, DoubleRule(width)]


def numbered_canvas(footer_left: str, left: float, right: float) -> type[Canvas]:
    """A canvas class that, when saved, writes footer_left and 'Halaman i dari N' at the foot of every page."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802  (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                width = self._pagesize[0]
                label = f"Halaman {number} dari {total}"
                room = width - left - right - text_width(label, REGULAR, FOOTER_SIZE) - 6 * mm
                self.setFont(REGULAR, FOOTER_SIZE)
                self.setFillGray(0.3)
                text = footer_left if text_width(footer_left, REGULAR, FOOTER_SIZE) <= room \
                    else cut(footer_left, REGULAR, FOOTER_SIZE, room)
                self.drawString(left, 8 * mm, text)
                self.drawRightString(width - right, 8 * mm, label)
                super().showPage()
            super().save()

    return NumberedCanvas


def build(out: BinaryIO, story: list[Flowable], *, title: str, author: str, footer_left: str,
          pagesize: tuple[float, float] = A4, margins: tuple[float, float, float, float] = (20, 20, 15, 18),
          on_page: Callable | None = None) -> None:
    """Lay out the story on numbered pages; margins (left, right, top, bottom) in mm; on_page draws a page header."""
    register_fonts()
    left, right, top, bottom = (m * mm for m in margins)
    doc = BaseDocTemplate(out, pagesize=pagesize, leftMargin=left, rightMargin=right, topMargin=top,
                          bottomMargin=bottom, title=title, author=author, creator="Distribusi", invariant=0)
    frame = Frame(left, bottom, pagesize[0] - left - right, pagesize[1] - top - bottom, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate("page", [frame], onPage=on_page or (lambda canvas, document: None))])
    doc.build(story, canvasmaker=numbered_canvas(footer_left, left, right))


def frame_width(pagesize: tuple[float, float], margins: tuple[float, float, float, float]) -> float:
    """The width between the left and right margins (mm) of a page."""
    return pagesize[0] - (margins[0] + margins[1]) * mm


def draw_line(canvas: Canvas, text: str, font: str, size: float, x: float, y: float, max_width: float,
              align: str = "left") -> None:
    """One line of a page header, cut with '…' rather than run past max_width."""
    if text_width(text, font, size) > max_width:
        text = cut(text, font, size, max_width)
    canvas.setFont(font, size)
    if align == "right":
        canvas.drawRightString(x, y, text)
    else:
        canvas.drawString(x, y, text)
