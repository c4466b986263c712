"""Stage 4: handing a signed recap over to the courier partner (Berita Acara Serah Terima)."""
from flask import Blueprint

bp = Blueprint("handover", __name__, url_prefix="/serah-terima")  # its pages: views.py, templates/handover/
