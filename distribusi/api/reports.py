"""Reports for a period: deliveries, the courier partner scorecard, time per step against the standard."""
from __future__ import annotations

from distribusi.api import bp
from distribusi.api.access import api_route, current_user, load_query
from distribusi.api.papers import _send
from distribusi.printing.services import PDF, XLSX
from distribusi.reports import papers
from distribusi.reports.couriers import courier_scorecard
from distribusi.reports.deliveries import delivery_report
from distribusi.reports.periods import Period, period_of
from distribusi.reports.schemas import CouriersOut, DeliveriesOut, PeriodQuery, StepsOut
from distribusi.reports.steps import step_times

PERIOD_HELP = " ?from=YYYY-MM-DD&to=YYYY-MM-DD (hari kantor, termasuk keduanya; kosong: bulan ini)"


def _period() -> Period:
    query = load_query(PeriodQuery())
    return period_of(current_user().office, query["from_"], query["to"])


@api_route(bp, "/reports/deliveries", verb="view_reports", query=PeriodQuery, response=DeliveriesOut,
           summary="Laporan pengiriman dokumen untuk satu periode." + PERIOD_HELP)
def report_deliveries():
    return DeliveriesOut().dump(delivery_report(current_user().office, _period()))


@api_route(bp, "/reports/deliveries.pdf", verb="view_reports", query=PeriodQuery, response=PDF,
           summary="Laporan pengiriman dokumen (PDF untuk Kepala Dinas)")
def report_deliveries_pdf():
    return _send(papers.deliveries_pdf(current_user(), _period()))


@api_route(bp, "/reports/deliveries.xlsx", verb="view_reports", query=PeriodQuery, response=XLSX,
           summary="Laporan pengiriman dokumen (XLSX)")
def report_deliveries_xlsx():
    return _send(papers.deliveries_xlsx(current_user(), _period()))


@api_route(bp, "/reports/couriers", verb="view_reports", query=PeriodQuery, response=CouriersOut,
           summary="Kinerja mitra kurir atas kiriman yang diserahkan dalam periode." + PERIOD_HELP)
def report_couriers():
    return CouriersOut().dump(courier_scorecard(current_user().office, _period()))


@api_route(bp, "/reports/couriers.pdf", verb="view_reports", query=PeriodQuery, response=PDF,
           summary="Kinerja mitra kurir (PDF)")
def report_couriers_pdf():
    return _send(papers.couriers_pdf(current_user(), _period()))


@api_route(bp, "/reports/couriers.xlsx", verb="view_reports", query=PeriodQuery, response=XLSX,
           summary="Kinerja mitra kurir (XLSX)")
def report_couriers_xlsx():
    return _send(papers.couriers_xlsx(current_user(), _period()))


@api_route(bp, "/reports/steps", verb="view_reports", query=PeriodQuery, response=StepsOut,
           summary="Waktu tiap langkah dibanding standar waktu SOP." + PERIOD_HELP)
def report_steps():
    return StepsOut().dump(step_times(current_user().office, _period()))


@api_route(bp, "/reports/steps.pdf", verb="view_reports", query=PeriodQuery, response=PDF,
           summary="Waktu tiap langkah dibanding standar (PDF)")
def report_steps_pdf():
    return _send(papers.steps_pdf(current_user(), _period()))


@api_route(bp, "/reports/steps.xlsx", verb="view_reports", query=PeriodQuery, response=XLSX,
           summary="Waktu tiap langkah dibanding standar (XLSX)")
def report_steps_xlsx():
    return _send(papers.steps_xlsx(current_user(), _period()))
