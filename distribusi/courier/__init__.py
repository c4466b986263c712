"""Stage 5: the courier's scans (accept, out for delivery, delivered, failed, return) and proof of delivery."""
from flask import Blueprint

bp = Blueprint("courier", __name__, url_prefix="/kurir")  # its pages: views.py, templates/courier/
