"""Tracking codes: nine random Crockford base32 characters and a check character."""
from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
# Crockford's reading rules: lower case allowed, I and L read as 1, O as 0; hyphens and spaces ignored.
_ALIASES = str.maketrans({"I": "1", "L": "1", "O": "0"})
BODY_LENGTH = 9
CODE_LENGTH = BODY_LENGTH + 1


def check_character(body: str) -> str:
    """Position-weighted sum modulo 31 (a prime): catches every single substitution except 0↔Z and every adjacent swap except 0↔Z."""
    total = sum((position + 1) * _VALUES[ch] for position, ch in enumerate(body))
    return ALPHABET[total % 31]


def new_code() -> str:
    """A fresh random code (45 bits from the OS CSPRNG) with its check character."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_character(body)


def _clean(raw: str) -> str:
    text = "".join((raw or "").split()).replace("-", "").upper().translate(_ALIASES)
    if "/K/" in text:  # a scanned label URL: <base>/k/<code>
        text = text.rsplit("/K/", 1)[1].strip("/")
    return text


def normalize(raw: str) -> str | None:
    """The canonical form of a typed or scanned code, or None when it is not a valid code."""
    text = _clean(raw)
    if len(text) != CODE_LENGTH or any(ch not in _VALUES for ch in text):
        return None
    return text if check_character(text[:BODY_LENGTH]) == text[-1] else None


def mistyped(raw: str) -> bool:
    """Whether the text has a code's shape but a wrong check character: a slip of the hand or of the reader."""
    text = _clean(raw)
    return (len(text) == CODE_LENGTH and all(ch in _VALUES for ch in text)
            and check_character(text[:BODY_LENGTH]) != text[-1])


def display(code: str) -> str:
    """The code grouped for reading aloud: ABCDE-FGHIJ."""
    return f"{code[:5]}-{code[5:]}"
