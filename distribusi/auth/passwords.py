"""Password hashing with Argon2id."""
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_default = PasswordHasher()
_fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # tests only


def _hasher() -> PasswordHasher:
    return _fast if current_app.config.get("ARGON2_FAST") else _default


def hash_password(password: str) -> str:
    """An Argon2id hash of the password."""
    return _hasher().hash(password)


def check_password(password_hash: str, password: str) -> bool:
    """Whether the password matches the stored hash."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash made once per process and hasher, with the same parameters as the users' hashes."""
    return hasher.hash("dummy-password-never-matches")


def dummy_check(password: str) -> None:
    """Spend the time of one real check (one verification, no hashing), so timing does not reveal unknown names."""
    check_password(_dummy_hash(_hasher()), password)
