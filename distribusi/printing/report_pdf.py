"""Report papers for the head of office: kop surat, a title with the period, ruled tables of figures (cells over
their standard shaded) and one bar chart drawn with reportlab graphics."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from distribusi.printing.fonts import BOLD, REGULAR
from distribusi.printing.office import OfficeInfo
from distribusi.printing.pages import (
    SUBTITLE, TITLE, build, cell, frame_width, letterhead_flowables, para, style, table_style,
)
from distribusi.printing.text import format_datetime_id, format_number_id

PAGE = landscape(A4)
MARGINS = (15, 15, 12, 16)
OVER = colors.Color(1, 0.82, 0.82)
HEADING = style("report-heading", 10.5, bold=True, space_before=8, space_after=3)
SERIES_COLORS = (colors.Color(0.16, 0.38, 0.67), colors.Color(0.87, 0.45, 0.13), colors.Color(0.3, 0.6, 0.3),
                 colors.Color(0.6, 0.2, 0.2))


@dataclass
class Section:
    """One table: a heading, column titles, rows of cells (text or numbers) and the (row, column) cells to shade."""

    heading: str
    columns: list[str]
    rows: list[list[Any]]
    widths: list[float] | None = None  # mm; the first column takes the rest
    over: set[tuple[int, int]] = field(default_factory=set)
    note: str = ""


@dataclass
class Chart:
    """A grouped bar chart: category labels and named series of numbers."""

    title: str
    labels: list[str]
    series: dict[str, list[float]]


@dataclass
class ReportPaper:
    """What a report paper shows, in order."""

    title: str
    subtitle: str
    sections: list[Section]
    chart: Chart | None = None


def show(value: Any) -> str:
    """A figure as the paper prints it: 1.234, 12,5, 85,0% is made by the caller; None as a dash."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, int):
        return format_number_id(value)
    if isinstance(value, float):
        return format_number_id(value, 2)
    return str(value)


def _table(section: Section, width: float) -> Table:
    size = 7.5
    fixed = [w * mm for w in (section.widths or [22] * (len(section.columns) - 1))]
    widths = [max(width - sum(fixed), 40 * mm), *fixed]
    data = [[cell(title, widths[i], size, bold=True) for i, title in enumerate(section.columns)]]
    for row in section.rows:
        data.append([cell(show(value), widths[i], size) for i, value in enumerate(row)])
    extra = [("ALIGN", (1, 1), (-1, -1), "RIGHT")]
    extra += [("BACKGROUND", (column, row + 1), (column, row + 1), OVER) for row, column in section.over]
    return Table(data, colWidths=widths, repeatRows=1, style=table_style(size, 1, *extra), hAlign="LEFT")


def _chart(chart: Chart, width: float) -> Drawing:
    height = 70 * mm
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 10, chart.title, fontName=BOLD, fontSize=9))
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = 30, 28, width - 200, height - 50
    bars.data = [tuple(values) or (0,) for values in chart.series.values()]
    bars.categoryAxis.categoryNames = [label[:18] for label in chart.labels] or ["-"]
    bars.categoryAxis.labels.fontName = REGULAR
    bars.categoryAxis.labels.fontSize = 6.5
    bars.categoryAxis.labels.angle = 20 if len(chart.labels) > 6 else 0
    bars.categoryAxis.labels.boxAnchor = "ne" if len(chart.labels) > 6 else "n"
    bars.valueAxis.labels.fontName = REGULAR
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.valueMin = 0
    for index in range(len(chart.series)):
        bars.bars[index].fillColor = SERIES_COLORS[index % len(SERIES_COLORS)]
    drawing.add(bars)
    legend = Legend()
    legend.x, legend.y = width - 160, height - 25
    legend.fontName, legend.fontSize = REGULAR, 7.5
    legend.colorNamePairs = [(SERIES_COLORS[i % len(SERIES_COLORS)], name) for i, name in enumerate(chart.series)]
    drawing.add(legend)
    return drawing


def render_report(paper: ReportPaper, office: OfficeInfo, out: BinaryIO, *, printed_at: datetime) -> None:
    """Write the report PDF to out."""
    width = frame_width(PAGE, MARGINS)
    story = [*letterhead_flowables(office.letterhead, width), Spacer(1, 4 * mm), para(paper.title, TITLE),
             para(paper.subtitle, SUBTITLE), Spacer(1, 2 * mm)]
    if paper.chart is not None:
        story.append(_chart(paper.chart, width))
    for section in paper.sections:
        story.append(para(section.heading, HEADING))
        story.append(_table(section, width))
        if section.note:
            story.append(para(section.note, style("report-note", 7.5, space_before=2)))
    story.append(Spacer(1, 4 * mm))
    story.append(para(f"Dicetak {format_datetime_id(printed_at, office.zone)}", style("printed", 8, align=TA_CENTER)))
    build(out, story, title=paper.title, author=office.name, pagesize=PAGE, margins=MARGINS,
          footer_left=f"{paper.title} — {paper.subtitle}")

