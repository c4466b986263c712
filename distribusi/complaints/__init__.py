"""Stage 8: complaints and questions from every channel, their escalation ladder and the complaint book."""
from flask import Blueprint

bp = Blueprint("complaints", __name__, url_prefix="/pengaduan")  # its pages: views.py, templates/complaints/
