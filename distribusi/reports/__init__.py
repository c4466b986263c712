"""Figures read from the records by aggregate SQL: the staff dashboard, and the period reports (deliveries, the
courier partner scorecard, time per step against the standard) as pages, API answers and papers."""
from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/laporan")  # its pages: views.py, templates/reports/
