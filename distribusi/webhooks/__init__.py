"""Webhooks of outside services: the WhatsApp Cloud API (PANDAWA)."""
from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")  # its views: views.py
