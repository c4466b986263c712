"""Rate limits: counted only on the views that have one; the local:// storage keeps fixed windows per process."""
from __future__ import annotations

import threading

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from conftest import test_config as config_for
from distribusi import create_app, ratelimit
from distribusi.extensions import db
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
    assert isinstance(app.extensions["ratelimit"].storage, LocalStorage)


@pytest.fixture
def counted(monkeypatch) -> list[tuple[str, str]]:
    """The (scope, key) of every count the app makes."""
    calls = []
    original = LocalStorage.incr

    def incr(self, key, expiry, amount=1):
        calls.append(key)
        return original(self, key, expiry, amount)

    monkeypatch.setattr(LocalStorage, "incr", incr)
    return calls


def test_only_limited_views_count_and_no_request_hook_runs(app, client, make_user, counted):
    """A staff API call and /health pay nothing for the limiter: no hook, no count, no storage access."""
    assert not any("limit" in repr(hook) for hooks in app.before_request_funcs.values() for hook in hooks)
    assert not any("limit" in repr(hook) for hooks in app.after_request_funcs.values() for hook in hooks)
    make_user("clerk", username="ani.fo")
    token = client.post("/api/v1/auth/token", json={"username": "ani.fo", "password": "rahasia-sekali-123"})
    assert token.status_code == 201 and counted == [], "a successful login is not counted"
    staff = {"Authorization": f"Bearer {token.get_json()['token']}"}

    assert client.get("/health").status_code == 200
    assert client.get("/api/v1/documents", headers=staff).status_code == 200
    assert counted == []
    assert client.get("/api/v1/public/track/TIDAKADA1").status_code == 404
    assert len(counted) == 1 and "/public/" in counted[0]


def test_hit_counts_and_wait_only_looks(app, clock):
    with app.test_request_context():
        assert [ratelimit.hit("2 per minute", "s", "k") for _ in range(2)] == [None, None]
        assert ratelimit.wait("2 per minute", "s", "k") == 60
        assert ratelimit.hit("2 per minute", "s", "k") == 60
        assert ratelimit.wait("2 per minute", "s", "other") is None, "each key has its own budget"
        assert ratelimit.wait("2 per minute", "other", "k") is None, "each scope has its own budget"
        clock.now += 45
        assert ratelimit.wait("2 per minute", "s", "k") == 15


def test_disabled_limits_never_refuse(database_url):
    app = create_app(config_for(database_url, RATELIMIT_ENABLED=False, PUBLIC_RATE_LIMIT="1 per minute"))
    client = app.test_client()
    try:
        assert [client.get("/api/v1/public/track/TIDAKADA1").status_code for _ in range(3)] == [404] * 3
    finally:
        with app.app_context():
            db.engine.dispose()


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
