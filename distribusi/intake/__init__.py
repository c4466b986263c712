"""Stage 1: register finished documents, one by one or from the day's export."""
from flask import Blueprint

bp = Blueprint("intake", __name__, url_prefix="/dokumen")  # its pages: views.py, templates/intake/
