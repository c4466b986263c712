"""The JSON API at /api/v1, over the same services as the pages."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from distribusi.api import (  # noqa: E402,F401  (routes register on import, in flow order)
    auth, documents, recaps, letters, handover, scans, returns, tracking, complaints, reports, admin, meta,
    papers, privacy, delivery_codes,
)
