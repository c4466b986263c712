"""The staff home page and the health check."""
from flask import Blueprint

bp = Blueprint("web", __name__)

from distribusi.web import views  # noqa: E402,F401
