"""The staff home page (dashboard), the control card, the health check, and what every staff page shares."""
from flask import Blueprint

bp = Blueprint("web", __name__)

from distribusi.web import card, filters, views  # noqa: E402,F401
