"""The report pages for the Kasubbag, the Secretary and the heads: a period form, the figures as tables, one
chart each (Chart.js, fed from a data attribute) and links to the PDF and XLSX the API prints."""
from __future__ import annotations

from datetime import timedelta

from flask import render_template, request
from flask_login import current_user, login_required
from marshmallow import ValidationError

from distribusi.auth.permissions import ensure
from distribusi.models import utcnow
from distribusi.reports import bp
from distribusi.reports.couriers import courier_scorecard
from distribusi.reports.deliveries import FIGURE_LABELS, FIGURES, delivery_report
from distribusi.reports.papers import BREAKDOWNS, COURIER_COLUMNS, ROW_FIGURES, period_text
from distribusi.reports.periods import Period, month_of, period_of
from distribusi.reports.steps import step_times
from distribusi.web.pages import refused


def _period() -> tuple[Period, dict]:
    """The asked period (the current month when blank) and the form's messages; a bad one falls back to the month."""
    office = current_user.office
    try:
        return period_of(office, request.args.get("from"), request.args.get("to")), {}
    except ValidationError as error:
        return period_of(office), refused(error)


def _shortcuts(period: Period) -> dict[str, dict[str, str]]:
    """This month and last month, for one-click links."""
    today = (utcnow() + period.offset).date()
    this_first, this_last = month_of(today)
    last_first, last_last = month_of(this_first - timedelta(days=1))
    return {"Bulan ini": {"from": this_first.isoformat(), "to": this_last.isoformat()},
            "Bulan lalu": {"from": last_first.isoformat(), "to": last_last.isoformat()}}


def _page(template: str, report: dict, period: Period, errors: dict, status: int = 200, **extra):
    status = 422 if errors else status
    return render_template(template, report=report, period=period, query=period.as_dict(), errors=errors,
                           values={**period.as_dict(), **request.args.to_dict()}, title_period=period_text(period),
                           shortcuts=_shortcuts(period), **extra), status


@bp.route("/")
@login_required
def index():
    ensure(current_user, "view_reports")
    period, errors = _period()
    return _page("reports/index.html", {}, period, errors)


@bp.route("/pengiriman")
@login_required
def deliveries():
    ensure(current_user, "view_reports")
    period, errors = _period()
    report = delivery_report(current_user.office, period)
    chart = {"labels": [row["label"] for row in report["by_kecamatan"]],
             "series": {FIGURE_LABELS[name]: [row["parcels"][name] for row in report["by_kecamatan"]]
                        for name in ("handed_over", "delivered", "returned", "still_out")}}
    return _page("reports/deliveries.html", report, period, errors, figures=FIGURES, labels=FIGURE_LABELS,
                 breakdowns=BREAKDOWNS, row_figures=ROW_FIGURES, chart=chart)


@bp.route("/kurir")
@login_required
def couriers():
    ensure(current_user, "view_reports")
    period, errors = _period()
    report = courier_scorecard(current_user.office, period)
    chart = {"labels": [row["name"] for row in report["partners"]],
             "series": {"Diserahkan": [row["handed_over"] for row in report["partners"]],
                        "Diterima warga": [row["delivered"] for row in report["partners"]],
                        "Antaran pertama": [row["first_attempt_delivered"] for row in report["partners"]],
                        "Dikembalikan": [row["returned"] for row in report["partners"]]}}
    return _page("reports/couriers.html", report, period, errors, columns=COURIER_COLUMNS, chart=chart)


@bp.route("/waktu-langkah")
@login_required
def steps():
    ensure(current_user, "view_reports")
    period, errors = _period()
    report = step_times(current_user.office, period)
    chart = {"labels": [row["label"] for row in report["steps"]],
             "series": {"Median / standar": [_ratio(row["median"], row["standard"]) for row in report["steps"]],
                        "P90 / standar": [_ratio(row["p90"], row["standard"]) for row in report["steps"]]}}
    return _page("reports/steps.html", report, period, errors, chart=chart)


def _ratio(value: float | None, standard: float) -> float | None:
    """How many times its standard a wait took (1 = just at the standard)."""
    return None if value is None or not standard else round(value / standard, 2)


