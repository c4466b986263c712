"""marshmallow base schema with messages in Bahasa Indonesia, and shared schema pieces."""
from __future__ import annotations

import re
from datetime import UTC

from marshmallow import RAISE, Schema, fields, validate

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
for _field_cls, _messages in MESSAGES.items():
    _field_cls.default_error_messages = {**_field_cls.default_error_messages, **_messages}

# NUL and lone surrogates are legal in JSON but PostgreSQL and the UTF-8 encoder refuse them: a 422, not a 500.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_string_deserialize = fields.String._deserialize


def _storable_string(self, value, attr, data, **kwargs):
    text = _string_deserialize(self, value, attr, data, **kwargs)
    if _UNSTORABLE.search(text):
        raise self.make_error("unstorable")
    return text


fields.String._deserialize = _storable_string
fields.String.default_error_messages = {**fields.String.default_error_messages,
                                        "unstorable": "Berisi karakter yang tidak sah."}

validate.Length.message_min = "Minimal {min} karakter."
validate.Length.message_max = "Maksimal {max} karakter."
validate.Length.message_all = "Panjang harus {min} sampai {max} karakter."
validate.Length.message_equal = "Panjang harus {equal} karakter."
validate.OneOf.default_message = "Harus salah satu dari: {choices}."
validate.Range.message_min = "Harus {min_op} {{min}}."
validate.Range.message_max = "Harus {max_op} {{max}}."
validate.Range.message_all = "Harus {min_op} {{min}} dan {max_op} {{max}}."
validate.Range.message_gte = "paling sedikit"
validate.Range.message_gt = "lebih dari"
validate.Range.message_lte = "paling banyak"
validate.Range.message_lt = "kurang dari"
validate.Regexp.default_message = "Format tidak sah."


class BaseSchema(Schema):
    """Refuses unknown fields; errors in Bahasa Indonesia."""

    class Meta:
        unknown = RAISE

    error_messages = {
        "unknown": "Kolom tidak dikenal.",
        "type": "Data harus berupa objek JSON.",
    }


def text(max_length: int = 200, *, required: bool = True, **kwargs) -> fields.String:
    """A trimmed, length-limited string field."""
    return fields.String(required=required, validate=validate.Length(min=1 if required else 0, max=max_length), **kwargs)


class PageQuery(BaseSchema):
    """Paging parameters of every list."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class PageOut(Schema):
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
