"""The OpenAPI document of the API."""
from flask import current_app

from distribusi.api import bp
from distribusi.api.access import api_route
from distribusi.api.openapi import build_spec
from distribusi.api.schemas import DocumentOfApiOut


@api_route(bp, "/openapi.json", summary="Dokumen OpenAPI", response=DocumentOfApiOut)
def openapi_document():
    return build_spec(current_app)
