"""Rate limits counted by the app itself, only on the views that have one: public pages and the logins.

Nothing runs on other requests (no before/after-request hooks): a staff API call or /health pays no limiter cost.
Counts are `limits` fixed windows in the storage of RATELIMIT_STORAGE_URI. The default `local://` (LocalStorage
below) keeps them in the worker process without a timer thread; like `memory://`, each worker counts alone, and
several workers or servers that must share one count use `redis://`.
"""
from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Callable

from flask import Flask, current_app, request
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

PUBLIC_SCOPE = "public"
COUNTED = "distribusi.public_hit_counted"  # in a request's WSGI environ: its public hit is already counted
MIN_PRUNE_AT = 10_000  # keys kept before expired windows are swept out


class LocalStorage(Storage):
    """Fixed-window counters of one process: key -> (count, end of window), expired when next touched."""

    STORAGE_SCHEME = ["local"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        self._windows: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()
        self._prune_at = MIN_PRUNE_AT
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return ValueError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._lock:
            count, ends = self._windows.get(key, (0, 0.0))
            if ends <= now:
                if len(self._windows) >= self._prune_at:
                    self._prune(now)
                count, ends = 0, now + expiry
            count += amount
            self._windows[key] = (count, ends)
            return count

    def get(self, key: str) -> int:
        count, ends = self._windows.get(key, (0, 0.0))
        return count if ends > time.time() else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        _count, ends = self._windows.get(key, (0, 0.0))
        return ends if ends > now else now

    def check(self) -> bool:
        return True

    def reset(self) -> int:
        with self._lock:
            count = len(self._windows)
            self._windows.clear()
            return count

    def clear(self, key: str) -> None:
        with self._lock:
            self._windows.pop(key, None)

    def _prune(self, now: float) -> None:
        """Drop ended windows; sweep again only when the live ones have doubled (no O(n) per request)."""
        self._windows = {key: window for key, window in self._windows.items() if window[1] > now}
        self._prune_at = max(MIN_PRUNE_AT, 2 * len(self._windows))


class Limiter:
    """The app's rate limits: a fixed-window strategy over the configured storage, kept in app.extensions."""

    def init_app(self, app: Flask) -> None:
        enabled = app.config.get("RATELIMIT_ENABLED", True)
        storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
        app.extensions["ratelimit"] = FixedWindowRateLimiter(storage) if enabled else None


def client_address() -> str:
    """The client's address (from X-Forwarded-For only behind a trusted proxy: PROXY_FIX_X_FOR)."""
    return request.remote_addr or "127.0.0.1"


@functools.lru_cache(maxsize=16)
def _rate(text: str) -> RateLimitItem:
    return parse(text)


def hit(rate: str, scope: str, key: str) -> int | None:
    """Count one request of `key` against `rate` (e.g. "10 per 15 minutes") in `scope`; the seconds to wait if over."""
    limits = current_app.extensions["ratelimit"]
    if limits is None or limits.hit(_rate(rate), scope, key):
        return None
    return _seconds_left(limits, rate, scope, key)


def wait(rate: str, scope: str, key: str) -> int | None:
    """The seconds `key` must wait because `rate` is used up in `scope`, without counting; None when it may go on."""
    limits = current_app.extensions["ratelimit"]
    if limits is None or limits.test(_rate(rate), scope, key):
        return None
    return _seconds_left(limits, rate, scope, key)


def used(rate: str, scope: str, key: str) -> int:
    """How many times `key` was counted against `rate` in `scope` in the current window (0 with limits off)."""
    limits = current_app.extensions["ratelimit"]
    if limits is None:
        return 0
    stats = limits.get_window_stats(_rate(rate), scope, key)
    return _rate(rate).amount - stats.remaining


def _seconds_left(limits: FixedWindowRateLimiter, rate: str, scope: str, key: str) -> int:
    reset_at = limits.get_window_stats(_rate(rate), scope, key).reset_time
    return max(1, math.ceil(reset_at - time.time()))


def refuse(seconds: int | None) -> None:
    """Raise 429 with Retry-After when there are seconds to wait."""
    if seconds is not None:
        from distribusi.errors import ApiError  # here: errors imports extensions, which imports this module

        raise ApiError(429, f"Terlalu banyak permintaan. Coba lagi dalam {seconds} detik.",
                       headers={"Retry-After": str(seconds)})


def public_limit() -> Callable:
    """Limit a public view to PUBLIC_RATE_LIMIT per client address, one budget shared by every public view."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not request.environ.get(COUNTED):  # tracking.fastpath counted it before handing the request on
                refuse(hit(current_app.config["PUBLIC_RATE_LIMIT"], PUBLIC_SCOPE, client_address()))
            return view(*args, **kwargs)

        return wrapper

    return decorator
