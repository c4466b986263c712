"""marshmallow base schema with messages in Bahasa Indonesia, and shared schema pieces."""
from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import UTC
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

MESSAGES = {
    fields.Field: {
        "required": "Wajib diisi.",
        "null": "Tidak boleh kosong.",
        "validator_failed": "Nilai tidak sah.",
    },
    fields.String: {"invalid": "Harus berupa teks.", "invalid_utf8": "Bukan teks UTF-8 yang sah."},
    fields.Integer: {"invalid": "Harus berupa bilangan bulat.", "too_large": "Angka terlalu besar."},
    fields.Float: {"invalid": "Harus berupa angka.", "special": "Angka tidak sah."},
    fields.Boolean: {"invalid": "Harus berupa true atau false."},
    fields.DateTime: {"invalid": "Format waktu tidak sah (gunakan ISO 8601).", "invalid_awareness": "Zona waktu tidak sah."},
    fields.Date: {"invalid": "Format tanggal tidak sah (gunakan YYYY-MM-DD)."},
    fields.List: {"invalid": "Harus berupa daftar."},
    fields.Dict: {"invalid": "Harus berupa objek."},
    fields.Nested: {"type": "Harus berupa objek."},
    fields.Email: {"invalid": "Alamat e-mail tidak sah."},
    fields.URL: {"invalid": "URL tidak sah."},
}
LENGTH_MESSAGES = {"message_min": "Minimal {min} karakter.", "message_max": "Maksimal {max} karakter.",
                   "message_all": "Panjang harus {min} sampai {max} karakter.",
                   "message_equal": "Panjang harus {equal} karakter."}
RANGE_OPS = {"gte": "paling sedikit", "gt": "lebih dari", "lte": "paling banyak", "lt": "kurang dari"}
ONE_OF_MESSAGE = "Harus salah satu dari: {choices}."
REGEXP_MESSAGE = "Format tidak sah."
UNSTORABLE_MESSAGE = "Berisi karakter yang tidak sah."

# NUL and lone surrogates are legal in JSON but PostgreSQL and the UTF-8 encoder refuse them: a 422, not a 500.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

MAX_ID = 2**31 - 1  # ids are 32-bit integers; a larger one would fail the database query (a 500), not find nothing
ID_RANGE = validate.Range(min=1, max=MAX_ID)


def refuse_unstorable(value: Any) -> None:
    """Refuse text the database cannot store (NUL, lone surrogates)."""
    if isinstance(value, str) and _UNSTORABLE.search(value):
        raise ValidationError(UNSTORABLE_MESSAGE)


def _translated(validator: Any) -> Any:
    """A copy of one of marshmallow's validators speaking Bahasa Indonesia, unless it was given its own message."""
    kind = type(validator)
    if kind is validate.Length and validator.error is None:
        validator = copy.copy(validator)
        vars(validator).update(LENGTH_MESSAGES)
    elif kind is validate.Range and validator.error is None:
        validator = copy.copy(validator)
        low = RANGE_OPS["gte" if validator.min_inclusive else "gt"]
        high = RANGE_OPS["lte" if validator.max_inclusive else "lt"]
        validator.message_min = f"Harus {low} {{min}}."
        validator.message_max = f"Harus {high} {{max}}."
        validator.message_all = f"Harus {low} {{min}} dan {high} {{max}}."
    elif kind is validate.OneOf and validator.error == validate.OneOf.default_message:
        validator = copy.copy(validator)
        validator.error = ONE_OF_MESSAGE
    elif kind is validate.Regexp and validator.error == validate.Regexp.default_message:
        validator = copy.copy(validator)
        validator.error = REGEXP_MESSAGE
    return validator


def localize(field: fields.Field) -> None:
    """Give a bound field (and its inner fields) Indonesian messages and the storable-text rule, in place."""
    english: dict[str, str] = {}
    indonesian: dict[str, str] = {}
    for cls in reversed(type(field).__mro__):
        english.update(getattr(cls, "default_error_messages", {}))
        indonesian.update(MESSAGES.get(cls, {}))
    field.error_messages = {  # a new dict: bound fields are shallow copies sharing the declared field's
        **field.error_messages,
        **{key: text for key, text in indonesian.items() if field.error_messages.get(key) == english.get(key)},
    }
    field.validators = [_translated(v) for v in field.validators]
    if isinstance(field, fields.String) and not isinstance(field, Text):  # Text checks it before normalising
        field.validators.append(refuse_unstorable)
    for inner in (getattr(field, "inner", None), getattr(field, "key_field", None),
                  getattr(field, "value_field", None), *getattr(field, "tuple_fields", ())):
        if inner is not None:
            localize(inner)


class BaseSchema(Schema):
    """Refuses unknown fields and text the database cannot store; errors in Bahasa Indonesia."""

    class Meta:
        unknown = RAISE

    error_messages = {
        "unknown": "Kolom tidak dikenal.",
        "type": "Data harus berupa objek JSON.",
    }

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        localize(field_obj)


class Text(fields.String):
    """Text without surrounding spaces (and, on one line, without runs of spaces); blank counts as not given.

    The one way input text is trimmed. Lengths are checked here, on the trimmed text, so a blank optional value
    becomes None without a validator ever seeing it.
    """

    def __init__(self, max_length: int = 200, *, min_length: int = 1, multiline: bool = False, numbers: bool = False,
                 normalizer: Callable[[str], Any] | None = None, min_message: str | None = None, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_none", not kwargs["required"])
        if not kwargs["required"]:
            kwargs.setdefault("load_default", None)
        kwargs["metadata"] = {"maxLength": max_length, **kwargs.get("metadata", {})}  # for the OpenAPI document
        super().__init__(**kwargs)
        self.max_length, self.min_length, self.multiline, self.numbers = max_length, min_length, multiline, numbers
        self.normalizer = normalizer
        self.min_message = min_message or f"Minimal {min_length} karakter."

    def deserialize(self, value, attr=None, data=None, **kwargs):
        """A plain string goes straight to _deserialize when there are no validators or pre-load steps to run: what
        marshmallow's generic path would do for it, without its cost on the import's 150,000 cells per 10,000 rows."""
        if type(value) is str and not self.validators and not self.pre_load:
            return self._deserialize(value, attr, data, **kwargs)
        return super().deserialize(value, attr, data, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if self.numbers and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # spreadsheets hand over numbers for numeric-looking cells
        raw = value if type(value) is str else super()._deserialize(value, attr, data, **kwargs)
        if _UNSTORABLE.search(raw):  # before a normalizer reads it, so the message names the real fault
            raise ValidationError(UNSTORABLE_MESSAGE)
        text = raw.strip() if self.multiline else " ".join(raw.split())
        if not text:
            if self.required or not self.allow_none:
                raise ValidationError(self.error_messages["required"])
            return None
        if len(text) > self.max_length:  # the limit is on what was sent, not on what normalising leaves of it
            raise ValidationError(LENGTH_MESSAGES["message_max"].format(max=self.max_length))
        if len(text) < self.min_length:
            raise ValidationError(self.min_message)
        return self.normalizer(text) if self.normalizer else text


def text(max_length: int = 200, *, required: bool = True, **kwargs) -> fields.String:
    """A length-limited string kept as sent (passwords, names the user typed exactly)."""
    return fields.String(required=required, validate=validate.Length(min=1 if required else 0, max=max_length), **kwargs)


class Id(fields.Integer):
    """A row id: a strict integer within the database's 32-bit range."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, validate=ID_RANGE, **kwargs)


class PageQuery(BaseSchema):
    """Paging parameters of every list."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class DateRangeQuery(BaseSchema):
    """`from` and `to` (YYYY-MM-DD), whole days in the office's zone, both ends included; the end not before the start."""

    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")

    @validates_schema
    def _in_order(self, data: dict, **_kwargs) -> None:
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("Tanggal akhir tidak boleh sebelum tanggal awal.", "to")


class PageOut(BaseSchema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


class UtcDateTime(fields.DateTime):
    """Stored times are naive UTC; on the wire they carry their offset (2026-11-22T03:04:05+00:00)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)
