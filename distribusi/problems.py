"""Domain exceptions that carry their own answer: HTTP status, code, Indonesian message and the fields at fault.

Services raise them without knowing about Flask; `errors.py` renders every one the same way. A subclass only
sets class attributes (status, code, message, field); the raise site may give a more precise message or fields.
"""
from __future__ import annotations

from typing import Any


class Problem(Exception):
    """Base of every refusal the web edge turns into a 4xx answer with the JSON error shape."""

    status: int = 400
    code: str = "bad_request"
    message: str = "Permintaan tidak dapat diproses."
    field: str | None = None  # when set, the message is also reported against this input field

    def __init__(self, message: str | None = None, *, code: str | None = None, fields: dict | None = None,
                 headers: dict[str, str] | None = None, **extra: Any):
        self.message = message or type(self).message
        super().__init__(self.message)
        if code:
            self.code = code
        self.fields = fields if fields is not None else ({self.field: [self.message]} if self.field else {})
        self.headers = headers or {}
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The inside of the contract's {"error": ...} object."""
        return {"code": self.code, "message": self.message, "fields": self.fields, **self.extra}


class Refused(Problem):
    """The input breaks a rule the user can fix; 422."""

    status = 422
    code = "validation_error"
    message = "Data tidak valid."


class NotFound(Problem):
    """The object does not exist or is not the user's to see; 404."""

    status = 404
    code = "not_found"
    message = "Data tidak ditemukan."


class Conflict(Problem):
    """The object's current state does not allow the operation; 409."""

    status = 409
    code = "conflict"
    message = "Permintaan bertentangan dengan keadaan data."


class Forbidden(Problem):
    """The user's role or office may not do this; 403."""

    status = 403
    code = "forbidden"
    message = "Anda tidak berwenang melakukan tindakan ini."


class Unauthorized(Problem):
    """Who is asking is unknown: no, wrong or expired credentials; 401."""

    status = 401
    code = "unauthorized"
    message = "Silakan masuk terlebih dahulu."
