"""Office IT: users, courier partners and office settings."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")  # its pages: views.py, templates/admin/
