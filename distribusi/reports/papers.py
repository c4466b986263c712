"""The reports as papers (PDF for the head of office, XLSX): the same figures as the API, laid out as tables."""
from __future__ import annotations

from datetime import date
from typing import Any

from distribusi.auth.models import User
from distribusi.models import utcnow
from distribusi.printing.report_pdf import Chart, ReportPaper, Section, render_report
from distribusi.printing.report_sheets import render_report_xlsx
from distribusi.printing.services import PDF, XLSX, Paper, office_of
from distribusi.printing.text import format_date_id
from distribusi.reports.couriers import courier_scorecard
from distribusi.reports.deliveries import FIGURE_LABELS, FIGURES, delivery_report
from distribusi.reports.periods import Period
from distribusi.reports.steps import step_times

DELIVERY_TITLE = "LAPORAN PENGIRIMAN DOKUMEN KEPENDUDUKAN"
COURIER_TITLE = "KINERJA MITRA KURIR (PIHAK KE III)"
STEPS_TITLE = "WAKTU TIAP LANGKAH DIBANDING STANDAR WAKTU SOP"
BREAKDOWNS = (("by_doc_type", "Jenis Dokumen"), ("by_kecamatan", "Kecamatan"), ("by_partner", "Mitra Kurir"))
ROW_FIGURES = ("handed_over", "delivered", "delivered_first", "delivered_later", "failed", "returned", "collected",
               "resent", "still_out")


def period_text(period: Period) -> str:
    first, last = date.fromisoformat(period.as_dict()["from"]), date.fromisoformat(period.as_dict()["to"])
    return f"Periode {format_date_id(first)} s.d. {format_date_id(last)}"


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 2)


def delivery_paper(report: dict[str, Any], period: Period) -> ReportPaper:
    """The delivery report's tables: the totals, failures by reason, and the three breakdowns (documents)."""
    totals = report["totals"]
    sections = [Section("Ringkasan", ["Uraian", "Kiriman", "Dokumen"],
                        [[FIGURE_LABELS[name], totals["parcels"][name], totals["documents"][name]]
                         for name in FIGURES], widths=[30, 30])]
    sections.append(Section("Percobaan antar gagal menurut alasan", ["Alasan", "Percobaan", "Dokumen"],
                            [[row["label"], row["attempts"], row["documents"]] for row in report["failed_by_reason"]],
                            widths=[30, 30]))
    for key, title in BREAKDOWNS:
        columns = [title, "Terdaftar (dok)", *(f"{FIGURE_LABELS[name]} (kiriman)" for name in ROW_FIGURES)]
        rows = [[row["label"], row["documents"]["registered"], *(row["parcels"][name] for name in ROW_FIGURES)]
                for row in report[key]]
        sections.append(Section(f"Menurut {title.lower()}", columns, rows, widths=[19] * (len(columns) - 1)))
    partners = report["by_partner"]
    chart = Chart("Kiriman menurut mitra kurir", [row["label"] for row in partners], {
        "Diserahkan": [row["parcels"]["handed_over"] for row in partners],
        "Diterima warga": [row["parcels"]["delivered"] for row in partners],
        "Dikembalikan": [row["parcels"]["returned"] for row in partners],
    })
    return ReportPaper(DELIVERY_TITLE, f"{report['office']} — {period_text(period)}", sections, chart)


COURIER_COLUMNS = (
    ("Diserahkan", "handed_over", None), ("Diterima kurir (pindai)", "accepted", None),
    ("Median jam serah→pindai", "median_hours_to_accept", None), ("Diterima warga", "delivered", None),
    ("Tingkat terkirim (%)", "delivery_rate", _percent), ("Antaran pertama", "first_attempt_delivered", None),
    ("Tingkat antaran pertama (%)", "first_attempt_rate", _percent),
    ("Median hari kerja serah→terima", "median_days_to_deliver", None),
    ("P90 hari kerja serah→terima", "p90_days_to_deliver", None), ("Percobaan gagal", "failed_attempts", None),
    ("Dikembalikan", "returned", None), ("Hilang saat rekonsiliasi", "missing", None),
    ("Dengan foto (%)", "photo_share", _percent), ("Dengan lokasi (%)", "location_share", _percent),
)


def courier_paper(report: dict[str, Any], period: Period) -> ReportPaper:
    """The scorecard: one row per partner, then the failures of each partner by reason."""
    rows = [[row["name"], *((convert or (lambda v: v))(row[key]) for _title, key, convert in COURIER_COLUMNS)]
            for row in report["partners"]]
    sections = [Section("Kinerja per mitra (kiriman yang diserahkan dalam periode)",
                        ["Mitra", *(title for title, _key, _convert in COURIER_COLUMNS)], rows,
                        widths=[16] * len(COURIER_COLUMNS),
                        note="Hari kerja tanpa Sabtu, Minggu, hari libur nasional, cuti bersama dan hari libur kantor.")]
    failures = [[row["name"], reason["label"], reason["attempts"]]
                for row in report["partners"] for reason in row["failed_by_reason"]]
    sections.append(Section("Percobaan gagal menurut alasan", ["Mitra", "Alasan", "Percobaan"], failures,
                            widths=[70, 30]))
    partners = report["partners"]
    chart = Chart("Kiriman per mitra kurir", [row["name"] for row in partners], {
        "Diserahkan": [row["handed_over"] for row in partners],
        "Diterima warga": [row["delivered"] for row in partners],
        "Antaran pertama": [row["first_attempt_delivered"] for row in partners],
        "Dikembalikan": [row["returned"] for row in partners],
    })
    return ReportPaper(COURIER_TITLE, f"{report['office']} — {period_text(period)}", sections, chart)


def steps_paper(report: dict[str, Any], period: Period) -> ReportPaper:
    """Each step's count, median and p90 against its standard; the figures over it shaded."""
    rows, over = [], set()
    for index, row in enumerate(report["steps"]):
        rows.append([row["label"], row["count"], row["median"], row["p90"], row["standard"], row["unit_label"],
                     row["standard_source"], row["median_over"] or row["p90_over"]])
        if row["median_over"]:
            over.add((index, 2))
        if row["p90_over"]:
            over.add((index, 3))
    section = Section("Waktu per langkah", ["Langkah", "Jumlah", "Median", "Persentil 90", "Standar", "Satuan",
                                            "Sumber standar", "Melebihi standar"], rows,
                      widths=[18, 22, 22, 20, 22, 24, 24], over=over,
                      note="Langkah yang melebihi standar diberi warna. Standar dalam hari dihitung dalam hari kerja.")
    chart = Chart("Median dan persentil 90 dibanding standar (satuan tiap langkah)",
                  [row["key"] for row in report["steps"]], {
                      "Median": [row["median"] or 0 for row in report["steps"]],
                      "Persentil 90": [row["p90"] or 0 for row in report["steps"]],
                      "Standar": [row["standard"] for row in report["steps"]],
                  })
    return ReportPaper(STEPS_TITLE, f"{report['office']} — {period_text(period)}", [section], chart)


def _slug(period: Period) -> str:
    return f"{period.first.isoformat()}_{period.last.isoformat()}"


def _pdf(user: User, paper: ReportPaper, name: str) -> Paper:
    office, printed_at = office_of(user), utcnow()
    return Paper(lambda out: render_report(paper, office, out, printed_at=printed_at), PDF, f"{name}.pdf")


def _xlsx(paper: ReportPaper, name: str) -> Paper:
    return Paper(lambda out: render_report_xlsx(paper, out), XLSX, f"{name}.xlsx")


def deliveries_pdf(user: User, period: Period) -> Paper:
    return _pdf(user, delivery_paper(delivery_report(user.office, period), period), f"laporan-pengiriman-{_slug(period)}")


def deliveries_xlsx(user: User, period: Period) -> Paper:
    return _xlsx(delivery_paper(delivery_report(user.office, period), period), f"laporan-pengiriman-{_slug(period)}")


def couriers_pdf(user: User, period: Period) -> Paper:
    return _pdf(user, courier_paper(courier_scorecard(user.office, period), period), f"kinerja-kurir-{_slug(period)}")


def couriers_xlsx(user: User, period: Period) -> Paper:
    return _xlsx(courier_paper(courier_scorecard(user.office, period), period), f"kinerja-kurir-{_slug(period)}")


def steps_pdf(user: User, period: Period) -> Paper:
    return _pdf(user, steps_paper(step_times(user.office, period), period), f"waktu-langkah-{_slug(period)}")


def steps_xlsx(user: User, period: Period) -> Paper:
    return _xlsx(steps_paper(step_times(user.office, period), period), f"waktu-langkah-{_slug(period)}")
