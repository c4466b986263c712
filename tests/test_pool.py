"""Pooled connections: one the server closed while it sat idle is replaced before a request uses it."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from distribusi import database
from distribusi.extensions import db


def test_a_connection_closed_while_idle_is_replaced(app, client, backend, monkeypatch):
    if backend != "postgresql":
        pytest.skip("SQLite has no server to close a connection")
    with app.app_context():
        with db.engine.connect() as connection:  # the one connection the pool holds afterwards
            pid = connection.scalar(sa.text("SELECT pg_backend_pid()"))
        killer = sa.create_engine(db.engine.url)
        with killer.connect() as other:
            assert other.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        killer.dispose()
    monkeypatch.setattr(database, "PING_AFTER_IDLE", 0.0)  # as if it had sat idle past the threshold

    assert client.get("/health").status_code == 200
    assert client.get("/api/v1/public/track/TIDAKADA1").status_code == 404
