"""The Text field's shortcut for plain strings answers exactly what marshmallow's generic path answers."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError, fields, validate

from distribusi.schemas import BaseSchema, Text

VALUES = ["Siti  Aminah", "  Jl. Melati\tNo. 3 ", "", "   ", "x" * 41, "ab\x00c", "\ud800", "é", "0812 3456 789",
          12345, 1.5, True, None, ["a"], b"bytes"]


def _outcome(call):
    try:
        return "ok", call()
    except ValidationError as error:
        return "refused", error.messages


class Person(BaseSchema):
    name = Text(40, required=True)
    nickname = Text(40)
    code = Text(10, numbers=True, normalizer=str.upper)
    note = Text(40, multiline=True)


@pytest.mark.parametrize("name", ["name", "nickname", "code", "note"])
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_shortcut_matches_the_generic_path(name, value):
    field = Person().load_fields[name]
    generic = _outcome(lambda: fields.Field.deserialize(field, value, name, {name: value}))
    assert _outcome(lambda: field.deserialize(value, name, {name: value})) == generic


def test_a_text_field_with_validators_still_runs_them():
    class Coded(BaseSchema):
        code = Text(10, validate=validate.OneOf(["A", "B"]))

    with pytest.raises(ValidationError) as refused:
        Coded().load({"code": "C"})
    assert refused.value.messages == {"code": ["Harus salah satu dari: A, B."]}
    assert Coded().load({"code": " A "}) == {"code": "A"}
