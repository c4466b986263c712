"""Authentication, permission and office scoping for API handlers, and their OpenAPI description."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import g, request
from flask_login import current_user as session_user
from flask_wtf.csrf import validate_csrf
from marshmallow import Schema
from wtforms import ValidationError as WTFormsValidationError

from distribusi.auth.models import User
from distribusi.auth.permissions import ensure, same_office
from distribusi.auth.services import resolve_token
from distribusi.errors import ApiError
from distribusi.extensions import db
from distribusi.problems import NotFound
from distribusi.schemas import MAX_ID

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _authenticate() -> User:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, raw = header.partition(" ")
        user = resolve_token(raw.strip()) if scheme.lower() == "bearer" and raw.strip() else None
        if user is None:
            raise ApiError(401, "Token tidak sah, kedaluwarsa, atau telah dicabut.", code="invalid_token")
        return user
    if session_user.is_authenticated:  # the staff pages call the API with their session
        if request.method not in SAFE_METHODS:
            try:
                validate_csrf(request.headers.get("X-CSRFToken"))
            except WTFormsValidationError:  # what validate_csrf raises for a missing, expired or forged token
                raise ApiError(400, "Token CSRF tidak ada atau tidak sah.", code="csrf") from None
        return session_user._get_current_object()
    raise ApiError(401, "Silakan masuk: kirim header Authorization: Bearer <token>.")


def current_user() -> User:
    """The user of this API request (set by api_route)."""
    return g.api_user


def api_route(
    bp: Any,
    rule: str,
    *,
    methods: tuple[str, ...] = ("GET",),
    verb: str | None = None,
    summary: str,
    body: type[Schema] | None = None,
    query: type[Schema] | None = None,
    response: type[Schema] | str | None = None,  # str: the mimetype of a file answer
    status: int | tuple[int, ...] = 200,
    content_type: str | None = None,
) -> Callable:
    """Register an API handler that requires a user allowed to do `verb` (None: public), and describe it."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if verb is not None:
                g.api_user = _authenticate()
                ensure(g.api_user, verb)
            if any(isinstance(value, int) and value > MAX_ID for value in kwargs.values()):
                raise NotFound()  # a larger id in a URL is simply not found (the database would fail on it)
            return view(*args, **kwargs)

        wrapper.__openapi__ = {
            "summary": summary, "body": body, "query": query, "response": response,
            "status": status, "public": verb is None, "content_type": content_type, "verb": verb,
        }
        bp.add_url_rule(rule, view_func=wrapper, methods=list(methods))
        return wrapper

    return decorator


def parsed_json() -> Any:
    """The request's JSON body, or None when it is missing, malformed or nested too deeply to parse."""
    try:
        return request.get_json(silent=True)
    except RecursionError:  # silent=True only covers ValueError
        return None


def json_body() -> Any:
    """The parsed JSON body; 400 when it is missing or malformed."""
    data = parsed_json()
    if data is None:
        raise ApiError(400, "Isi permintaan harus JSON yang sah (Content-Type: application/json).", code="invalid_json")
    return data


def load_body(schema: Schema) -> Any:
    """The JSON body validated by a schema; ValidationError becomes 422."""
    return schema.load(json_body())


def load_query(schema: Schema) -> Any:
    """Query-string parameters validated by a schema."""
    return schema.load(request.args.to_dict())


def get_in_office(model: type, object_id: int, user: User | None = None) -> Any:
    """The object if it belongs to the user's office (and partner, for couriers); 404 otherwise."""
    user = user or current_user()
    obj = db.session.get(model, object_id)
    if not same_office(user, obj):
        raise NotFound()
    return obj
