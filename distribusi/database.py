"""Engine settings per database: SQLite gets foreign keys, WAL, a busy timeout and write-locking transactions;
a server database pings a connection before reuse only when it has been idle."""
import time
from typing import Any

from flask import Flask
from sqlalchemy import Engine, Executable, Row, event, func, insert, select
from sqlalchemy.exc import DisconnectionError

from distribusi.extensions import db

PING_AFTER_IDLE = 10.0  # seconds; a connection reused sooner needs no ping


def configure_engine(app: Flask) -> None:
    """Attach connection settings once the engine exists."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin_immediate)
        else:
            _ping_when_idle(engine)


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection at checkout only when it sat idle, and let the pool replace it if the ping fails.

    pool_pre_ping pinged at every checkout: one more round trip on every request, which on the public tracking
    page was half of its database time. A connection in steady use has just answered; one that sat idle may have
    been closed by the server or a firewall meanwhile, so only that one is checked.
    """

    @event.listens_for(engine, "checkin")
    def mark_idle(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError("idle connection closed by the server") from error  # the pool reconnects


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate(connection) -> None:
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return  # a read_only() statement: no transaction, no lock
    # Take the write lock at the start: two writers then queue (busy_timeout) instead of one failing
    # with SQLITE_BUSY when it upgrades a read transaction that another writer has overtaken.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def read_only(statement: Executable, params: dict[str, Any]) -> list[Row]:
    """The rows of one read-only statement, run outside any transaction.

    For the busiest public reads: one statement sees a consistent snapshot by itself, so it needs neither the
    session nor the BEGIN and ROLLBACK round trips around it.
    """
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return connection.execute(statement, params).all()


def insert_rows(model: type, rows: list[dict[str, Any]]) -> list[int]:
    """Bulk-insert rows with ids known beforehand and return those ids in row order, on either database.

    The ids are given explicitly, so the insert needs no RETURNING: the driver sends one small prepared statement
    per row (psycopg pipelines them) instead of multi-row VALUES statements too large for its query cache.
    """
    if not rows:
        return []
    session = db.session
    if session.get_bind().dialect.name == "sqlite":
        # The transaction holds the write lock (BEGIN IMMEDIATE), so the next ids are known.
        first = (session.scalar(select(func.max(model.id))) or 0) + 1
        ids = list(range(first, first + len(rows)))
    else:
        sequence = func.pg_get_serial_sequence(model.__table__.name, "id")
        ids = list(session.scalars(select(func.nextval(sequence)).select_from(func.generate_series(1, len(rows)))))
    session.execute(insert(model), [{**row, "id": id_} for row, id_ in zip(rows, ids, strict=True)])
    return ids


def contains_text(column: Any, text: str) -> Any:
    """Whether the column contains the text, ignoring case; the text's `%`, `_` and `/` are matched literally."""
    return column.icontains(text, autoescape=True)  # LIKE '%' || :text || '%' ESCAPE '/', the text escaped
