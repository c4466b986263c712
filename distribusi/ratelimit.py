"""Rate-limit counters kept in the worker process without a timer thread (RATELIMIT_STORAGE_URI=local://).

Flask-Limiter's `memory://` storage starts a new threading.Timer whenever its previous expiry pass has ended,
which on a busy public page meant a new thread for most requests (docs/benchmarks.md, public tracking). These
fixed-window counters expire when they are next touched instead. Like `memory://`, each worker counts alone;
several workers or servers that must share one count use `redis://`.
"""
from __future__ import annotations

import threading
import time

from limits.storage import Storage

MIN_PRUNE_AT = 10_000  # keys kept before expired windows are swept out


class LocalStorage(Storage):
    """Fixed-window counters of one process: key -> (count, end of window)."""

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
