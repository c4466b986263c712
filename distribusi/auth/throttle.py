"""Limits on failed logins, shared by the login page and the token API, that an attacker cannot turn into a lockout.

Only failed logins count, in three fixed windows (settings in config.py, described in the README):
- per account and address (LOGIN_LIMIT_PER_ACCOUNT_ADDRESS): the guesser's address is refused for that account;
- per address (LOGIN_LIMIT_PER_ADDRESS): one address guessing across many accounts is refused for all of them;
- per account (LOGIN_LIMIT_PER_ACCOUNT), against guesses spread over many addresses: past it, every address that
  has already failed for the account is refused, so each new address gets one guess, while the owner, logging in
  from an address with no failure, still gets in.
Counted with Flask-Limiter's strategy and storage (RATELIMIT_STORAGE_URI, RATELIMIT_ENABLED).
"""
from __future__ import annotations

import functools
import math
import time

from flask import current_app
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse

from distribusi.auth.models import User
from distribusi.auth.services import AuthenticationFailed, authenticate
from distribusi.errors import ApiError
from distribusi.extensions import limiter


@functools.lru_cache(maxsize=8)
def _rate(text: str) -> RateLimitItem:
    return parse(text)


def _counters(username: str) -> tuple[tuple[RateLimitItem, tuple[str, ...]], ...]:
    """The (limit, key) of the account-and-address, address and account counters of this attempt."""
    config, account, address = current_app.config, username.strip().lower()[:64], get_remote_address()
    return (
        (_rate(config["LOGIN_LIMIT_PER_ACCOUNT_ADDRESS"]), ("login-account-address", account, address)),
        (_rate(config["LOGIN_LIMIT_PER_ADDRESS"]), ("login-address", address)),
        (_rate(config["LOGIN_LIMIT_PER_ACCOUNT"]), ("login-account", account)),
    )


def ensure_login_allowed(username: str) -> None:
    """Refuse a login from this address for this account while a limit is reached; raises ApiError 429."""
    if not limiter.enabled:
        return
    strategy = limiter.limiter
    pair, address, account = _counters(username)
    reached = [(rate, key) for rate, key in (pair, address) if not strategy.test(rate, *key)]
    pair_rate, pair_key = pair
    failed_here = strategy.get_window_stats(pair_rate, *pair_key).remaining < pair_rate.amount
    if failed_here and not strategy.test(account[0], *account[1]):
        reached.append(account)
    if reached:
        reset_at = max(strategy.get_window_stats(rate, *key).reset_time for rate, key in reached)
        wait = max(1, math.ceil(reset_at - time.time()))
        message = f"Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {math.ceil(wait / 60)} menit."
        raise ApiError(429, message, code="rate_limited", headers={"Retry-After": str(wait)})


def count_failed_login(username: str) -> None:
    """Add one failed login to every counter of this account and address."""
    if limiter.enabled:
        for rate, key in _counters(username):
            limiter.limiter.hit(rate, *key)


def log_in(username: str, password: str) -> User:
    """The user with these credentials, within the failed-login limits; raises ApiError 429 or AuthenticationFailed."""
    ensure_login_allowed(username)
    try:
        return authenticate(username, password)
    except AuthenticationFailed:
        count_failed_login(username)
        raise
