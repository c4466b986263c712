"""Limits on failed logins, shared by the login page and the token API, that an attacker cannot turn into a lockout.

Only failed logins count, in three fixed windows (settings in config.py, described in the README):
- per account and address (LOGIN_LIMIT_PER_ACCOUNT_ADDRESS): the guesser's address is refused for that account;
- per address (LOGIN_LIMIT_PER_ADDRESS): one address guessing across many accounts is refused for all of them;
- per account (LOGIN_LIMIT_PER_ACCOUNT), against guesses spread over many addresses: past it, every address that
  has already failed for the account is refused, so each new address gets one guess, while the owner, logging in
  from an address with no failure, still gets in.
Counted by distribusi.ratelimit (RATELIMIT_STORAGE_URI, RATELIMIT_ENABLED).
"""
from __future__ import annotations

import math

from flask import current_app

from distribusi import ratelimit
from distribusi.auth.models import User
from distribusi.auth.services import AuthenticationFailed, authenticate
from distribusi.errors import ApiError


def _counters(username: str) -> tuple[tuple[str, str, str], ...]:
    """The (limit, scope, key) of the account-and-address, address and account counters of this attempt."""
    config, account, address = current_app.config, username.strip().lower()[:64], ratelimit.client_address()
    return (
        (config["LOGIN_LIMIT_PER_ACCOUNT_ADDRESS"], "login-account-address", f"{account}\n{address}"),
        (config["LOGIN_LIMIT_PER_ADDRESS"], "login-address", address),
        (config["LOGIN_LIMIT_PER_ACCOUNT"], "login-account", account),
    )


def ensure_login_allowed(username: str) -> None:
    """Refuse a login from this address for this account while a limit is reached; raises ApiError 429."""
    pair, address, account = _counters(username)
    waits = [ratelimit.wait(*pair), ratelimit.wait(*address)]
    if ratelimit.used(*pair):  # this address has failed for this account: the account's ceiling applies to it
        waits.append(ratelimit.wait(*account))
    seconds = max((w for w in waits if w is not None), default=None)
    if seconds is not None:
        message = f"Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {math.ceil(seconds / 60)} menit."
        raise ApiError(429, message, code="rate_limited", headers={"Retry-After": str(seconds)})


def count_failed_login(username: str) -> None:
    """Add one failed login to every counter of this account and address."""
    for counter in _counters(username):
        ratelimit.hit(*counter)


def log_in(username: str, password: str) -> User:
    """The user with these credentials, within the failed-login limits; raises ApiError 429 or AuthenticationFailed."""
    ensure_login_allowed(username)
    try:
        return authenticate(username, password)
    except AuthenticationFailed:
        count_failed_login(username)
        raise
