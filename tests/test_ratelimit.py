"""The local:// rate-limit storage: fixed windows per process, expired on access, no thread per request."""
from __future__ import annotations

import threading

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from distribusi import ratelimit
from distribusi.extensions import limiter
from distribusi.ratelimit import LocalStorage


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(ratelimit.time, "time", clock)
    monkeypatch.setattr("limits.strategies.time.time", clock, raising=False)
    return clock


def test_the_scheme_is_registered_and_is_the_apps_default(app):
    assert isinstance(storage_from_string("local://"), LocalStorage)
    assert isinstance(limiter.storage, LocalStorage)


def test_a_fixed_window_allows_the_limit_then_refuses_until_it_ends(clock, subtests):
    rate = parse("3 per minute")
    limits = FixedWindowRateLimiter(LocalStorage())
    # (seconds after the first hit, address, allowed?)
    table = [(0, "a", True), (1, "a", True), (2, "a", True), (3, "a", False), (59, "a", False),
             (59, "b", True), (60, "a", True), (61, "a", True), (62, "a", True), (63, "a", False)]
    start = clock.now
    for at, address, allowed in table:
        with subtests.test(at=at, address=address):
            clock.now = start + at
            assert limits.hit(rate, "public", address) is allowed


def test_window_stats_give_the_reset_time_and_what_remains(clock):
    rate = parse("5 per minute")
    limits = FixedWindowRateLimiter(LocalStorage())
    for _ in range(2):
        limits.hit(rate, "public", "a")

    stats = limits.get_window_stats(rate, "public", "a")

    assert stats.remaining == 3
    assert stats.reset_time == pytest.approx(clock.now + 60)
    clock.now += 61
    assert limits.get_window_stats(rate, "public", "a").remaining == 5


def test_clear_and_reset_forget_counts(clock):
    storage = LocalStorage()
    storage.incr("k1", 60)
    storage.incr("k2", 60, amount=4)
    storage.clear("k1")
    assert (storage.get("k1"), storage.get("k2")) == (0, 4)
    assert storage.reset() == 1 and storage.get("k2") == 0


def test_hits_start_no_threads(monkeypatch, clock):
    started = []
    original = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start", lambda self, *a, **k: (started.append(self), original(self, *a, **k)))
    limits = FixedWindowRateLimiter(LocalStorage())
    rate = parse("1000 per second")

    for step in range(300):
        clock.now += 0.02  # windows end and begin again, as on a busy server
        limits.hit(rate, "public", f"10.0.0.{step % 7}")

    assert started == []


def test_ended_windows_are_swept_out_without_growing_work(monkeypatch, clock):
    monkeypatch.setattr(ratelimit, "MIN_PRUNE_AT", 4)
    storage = LocalStorage()
    for key in ("old1", "old2", "old3"):
        storage.incr(key, 10)
    clock.now += 5
    storage.incr("live", 60)  # 4 keys now, none ended
    clock.now += 6  # the three old windows have ended

    storage.incr("new", 60)  # at the threshold: a sweep before adding

    assert set(storage._windows) == {"live", "new"}
    storage.incr("new2", 60)
    storage.incr("new3", 60)
    assert len(storage._windows) == 4, "below the threshold nothing is swept"
