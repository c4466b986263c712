"""Shapes the API answers that no stage package owns: lists, the error of DESIGN.md §7, scan batches, photos."""
from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields

from distribusi.courier.schemas import ScanIn, ScanOut
from distribusi.schemas import BaseSchema


def items_of(schema: type[Schema], *, total: bool = False) -> type[Schema]:
    """The schema of a list answer {"items": [...]} of `schema` (and "total", the number of items, if it has one)."""
    shape: dict[str, fields.Field] = {"items": fields.List(fields.Nested(schema), required=True)}
    if total:
        shape["total"] = fields.Integer(required=True)
    return BaseSchema.from_dict(shape, name=schema.__name__.removesuffix("Out") + "List")


class ErrorRowOut(Schema):
    row = fields.Integer(allow_none=True)
    field = fields.String(allow_none=True)
    message = fields.String()


class ErrorDetailOut(Schema):
    """code, an Indonesian message, field messages; some errors add more (import rows, label layouts)."""

    class Meta:
        unknown = INCLUDE

    code = fields.String(required=True)
    message = fields.String(required=True)
    field_messages = fields.Dict(required=True, data_key="fields")
    errors = fields.List(fields.Nested(ErrorRowOut))
    layouts = fields.List(fields.String())


class ErrorOut(BaseSchema):
    error = fields.Nested(ErrorDetailOut, required=True)


class RevokeOut(BaseSchema):
    revoked = fields.Integer(required=True)


class PhotoOut(BaseSchema):
    id = fields.Integer()
    event_id = fields.Integer()
    width = fields.Integer()
    height = fields.Integer()
    size_bytes = fields.Integer()


class ScanBatchIn(BaseSchema):
    """The offline queue: {"scans": [...]} (a bare JSON array is accepted too)."""

    scans = fields.List(fields.Nested(ScanIn), required=True)


class ScanErrorOut(BaseSchema):
    code = fields.String()
    message = fields.String()
    field_messages = fields.Dict(data_key="fields")


class ScanResultOut(BaseSchema):
    index = fields.Integer(required=True)
    status = fields.Integer(required=True)
    result = fields.Nested(ScanOut)
    error = fields.Nested(ScanErrorOut)


class ScanBatchOut(BaseSchema):
    results = fields.List(fields.Nested(ScanResultOut), required=True)


class DocumentOfApiOut(Schema):
    """The OpenAPI 3 document itself."""

    class Meta:
        unknown = INCLUDE

    openapi = fields.String(required=True)
    paths = fields.Dict(required=True)
