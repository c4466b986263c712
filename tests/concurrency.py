"""Run calls at the same moment from several threads, each with its own app context and database session."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from flask import current_app

from distribusi.extensions import db

T = TypeVar("T")


def race(n: int, fn: Callable[[int], T]) -> list[T]:
    """fn(0) … fn(n - 1), each in its own thread and app context, released together by a barrier; returns the
    results in order, and fails the test with every thread's exception if any raised."""
    app = current_app._get_current_object()
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list[BaseException | None] = [None] * n

    def run(index: int) -> None:
        try:
            with app.app_context():  # a session of its own, removed when the context ends
                barrier.wait(timeout=60)
                results[index] = fn(index)
        except BaseException as error:  # reported in the main thread
            errors[index] = error
            barrier.abort()  # no one waits for a thread that will not come

    db.session.commit()  # the test's own session holds no connection or snapshot meanwhile
    threads = [threading.Thread(target=run, args=(index,)) for index in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a racing thread did not finish in 120 s"
    failed = [(index, error) for index, error in enumerate(errors) if error is not None]
    assert not failed, failed
    return results


def post_as(token: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    """POST JSON with a bearer token from a test client of the current app; returns (status, body)."""
    response = current_app.test_client().post(path, json=body or {}, headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.get_json()
