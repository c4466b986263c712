"""Stage 6: parcels coming back to the office, reconciliation and the undelivered list."""
from flask import Blueprint

bp = Blueprint("returns", __name__, url_prefix="/retur")  # its pages: views.py, templates/returns/
