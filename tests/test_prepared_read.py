"""database.PreparedRead: the public tracking read run straight on the driver gives SQLAlchemy's rows and types,
leaves pooled connections as it found them, and fails like SQLAlchemy when the server drops the connection."""
from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from distribusi.extensions import db
from distribusi.tracking.services import PUBLIC_TIMELINE
from distribusi.workflow import ParcelStatus

from flow import drive, handed_over_recap


@pytest.fixture
def delivered_code(crew, documents) -> str:
    parcel = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2)["parcels"][0]
    drive(crew, parcel, "delivered")
    return parcel["tracking_code"]


def test_rows_and_types_are_sqlalchemys(app, delivered_code):
    expected = db.session.execute(PUBLIC_TIMELINE.statement, {"code": delivered_code}).all()

    rows = PUBLIC_TIMELINE.rows(code=delivered_code)

    assert len(rows) == len(expected) >= 4  # packed, accept, out for delivery, delivered
    assert [tuple(row) for row in rows] == [tuple(row) for row in expected]
    first = rows[0]
    assert isinstance(first.status, ParcelStatus) and first.status is ParcelStatus.delivered
    assert isinstance(first.handed_over_at, datetime) and isinstance(rows[-1].recorded_at, datetime)
    assert first.timezone == "Asia/Jakarta"  # the JSON path parameter is bound as each database wants it
    assert PUBLIC_TIMELINE.rows(code="NOSUCHCODE") == []


def test_a_pooled_connection_goes_back_as_sqlalchemy_expects_it(app, backend, delivered_code):
    PUBLIC_TIMELINE.rows(code=delivered_code)

    with db.engine.connect() as connection:  # the pool's one idle connection: the one just used
        driver = connection.connection.driver_connection
        if backend == "postgresql":
            assert driver.autocommit is False
        assert connection.scalar(sa.text("SELECT count(*) FROM parcels")) >= 1
        connection.rollback()


def test_a_connection_the_server_dropped_fails_like_sqlalchemy_and_is_replaced(app, backend, delivered_code):
    if backend != "postgresql":
        pytest.skip("SQLite has no server to drop a connection")
    with db.engine.connect() as connection:
        pid = connection.scalar(sa.text("SELECT pg_backend_pid()"))
    killer = sa.create_engine(db.engine.url)
    with killer.connect() as other:
        assert other.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()

    with pytest.raises(DBAPIError) as raised:
        PUBLIC_TIMELINE.rows(code=delivered_code)  # reused within the idle limit, so not pinged first

    assert raised.value.connection_invalidated
    assert PUBLIC_TIMELINE.rows(code=delivered_code)  # a new connection
