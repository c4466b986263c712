"""Stage 3: the cover letter (Surat Pengantar), its signature and public verification."""
from flask import Blueprint

bp = Blueprint("letters", __name__, url_prefix="/surat")  # its pages: views.py, templates/letters/
