"""The citizen's processing trail (UU PDP Pasal 32): staff reads of personal data, written requests and their answers."""
from flask import Blueprint

bp = Blueprint("privacy", __name__, url_prefix="/pdp")
