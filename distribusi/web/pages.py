"""What every staff page does the same way: read a list's page and filters, show a service's refusal on the form."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, request
from flask_login import current_user
from marshmallow import ValidationError
from werkzeug.routing import IntegerConverter

from distribusi.auth.permissions import same_office
from distribusi.extensions import db
from distribusi.problems import Problem
from distribusi.schemas import MAX_ID

PER_PAGE = 50
MAX_PER_PAGE = 1_000  # a whole day of documents on one page (bench/pages.py renders 1,000 in well under 200 ms)


class RowIdConverter(IntegerConverter):
    """<int:...> in every URL stops at the database's 32-bit ids: a larger number is a 404, not a database error."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def in_office(model: type, object_id: int) -> Any:
    """The row if it belongs to the user's office (and partner, for couriers); 404 otherwise, as if it did not exist."""
    found = db.session.get(model, object_id)
    if not same_office(current_user, found):
        abort(404)
    return found


def paginate(stmt, *, per_page: int = PER_PAGE):
    """One page of a select() from ?page= and ?per_page= (bad numbers fall back, never a 500)."""
    page = request.args.get("page", type=int) or 1
    size = request.args.get("per_page", type=int) or per_page
    return db.paginate(stmt, page=max(page, 1), per_page=min(max(size, 1), MAX_PER_PAGE), error_out=False,
                       count=True)


def form_payload(*names: str) -> dict[str, Any]:
    """The named fields of the posted form as the API's JSON would carry them: absent or blank means not given."""
    payload: dict[str, Any] = {}
    for name in names:
        value = request.form.get(name)
        if value is not None and value.strip() != "":
            payload[name] = value
    return payload


def nested_form(*names: str) -> dict[str, Any]:
    """The named dotted fields of the posted form as the API's nested JSON (`retention.phone_months` under
    `retention`), each group holding only its filled fields; a group with none filled is left out."""
    payload: dict[str, Any] = {}
    for dotted, value in form_payload(*names).items():
        *parents, last = dotted.split(".")
        target = payload
        for key in parents:
            target = target.setdefault(key, {})
        target[last] = value
    return payload


def field_errors(error: ValidationError | Problem) -> dict[str, list[str]]:
    """The messages per field, flattened to "field" or "field.sub" keys, for showing next to each input."""
    messages = error.messages if isinstance(error, ValidationError) else getattr(error, "fields", None) or {}
    flat: dict[str, list[str]] = {}

    def walk(value: Any, prefix: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, f"{prefix}.{key}" if prefix else str(key))
        elif isinstance(value, list) and value and all(isinstance(item, str) for item in value):
            flat.setdefault(prefix or "_schema", []).extend(value)
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(inner, f"{prefix}.{index}")
        else:
            flat.setdefault(prefix or "_schema", []).append(str(value))

    walk(messages if isinstance(messages, dict) else {"_schema": messages}, "")
    return flat


def refused(error: ValidationError | Problem) -> dict[str, list[str]]:
    """Roll back what the request wrote, flash the service's message and return the field messages for the form."""
    db.session.rollback()
    message = "Data tidak valid. Periksa isian yang ditandai." if isinstance(error, ValidationError) else error.message
    flash(message, "error")
    return field_errors(error)
