"""Stage 2: pack registered documents into parcels and numbered recap lists."""
from flask import Blueprint

bp = Blueprint("recap", __name__, url_prefix="/rekap")  # its pages: views.py, templates/recap/

from distribusi.recap import guards  # noqa: E402,F401  (registers the freeze on every session)
