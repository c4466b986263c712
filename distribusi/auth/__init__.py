"""People and access: login pages, tokens, roles and permission checks."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from distribusi.auth import views  # noqa: E402,F401
