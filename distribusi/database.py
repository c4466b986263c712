"""Engine settings per database: SQLite gets foreign keys, WAL, a busy timeout and write-locking transactions;
a server database pings a connection before reuse only when it has been idle."""
import time
from collections import namedtuple
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import Engine, Executable, Row, Select, event, func, insert, select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, DisconnectionError

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


class PreparedRead:
    """One read-only SELECT, compiled once per dialect and run straight on a pooled driver connection, outside any
    transaction; its rows come back as named tuples, typed as SQLAlchemy would type them (enums, dates on SQLite).

    For the busiest public read (tracking): SQLAlchemy's execution context and result objects cost more client CPU
    than the statement itself (bench/request_cost.py). Here the SQL text, its fixed parameters and the columns'
    result processors are made once; a call checks a connection out of the engine's pool (so the idle ping and the
    pool's limits still apply), runs the statement in autocommit (one round trip, prepared on the server on each
    connection's first call) and gives the connection back. Driver errors come out as SQLAlchemy's DBAPIError,
    and a connection the server dropped is invalidated, as SQLAlchemy's own execution does.
    """

    def __init__(self, statement: Select) -> None:
        self.statement = statement
        self.row = namedtuple("Row", [column.key for column in statement.selected_columns])  # type: ignore[misc]
        self._compiled: dict[str, tuple[str, Callable[[dict[str, Any]], Any], list[tuple[int, Callable]]]] = {}

    def _compile(self, dialect: Dialect):
        compiled = self.statement.compile(dialect=dialect)
        binders = {name: process for bind, name in compiled.bind_names.items()
                   if (process := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None}
        fixed = {name: binders[name](value) if name in binders else value
                 for name, value in compiled.params.items() if value is not None}  # e.g. a JSON path on SQLite
        given_binders = [(name, process) for name, process in binders.items() if name not in fixed]

        def bound(given: dict[str, Any]) -> dict[str, Any]:
            values = {**fixed, **given}
            for name, process in given_binders:
                values[name] = process(values[name])
            return values

        if compiled.positiontup is not None:  # SQLite: qmark parameters in their order
            order = list(compiled.positiontup)

            def parameters(given: dict[str, Any]) -> Any:
                values = bound(given)
                return tuple(values[name] for name in order)
        else:
            parameters = bound
        processors = []
        for index, column in enumerate(self.statement.selected_columns):
            process = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if process is not None:
                processors.append((index, process))
        found = self._compiled[dialect.name] = (compiled.string, parameters, processors)
        return found

    def rows(self, **given: Any) -> list[Any]:
        engine = db.engine
        dialect = engine.dialect
        sql, parameters, processors = self._compiled.get(dialect.name) or self._compile(dialect)
        connection = engine.raw_connection()
        driver = connection.driver_connection
        server = dialect.name != "sqlite"  # SQLite connections already run without a transaction (see above)
        cursor = None
        try:
            cursor = driver.cursor()
            if server:
                driver.autocommit = True
                cursor.execute(sql, parameters(given), prepare=True)  # psycopg: prepared on the server at once
            else:
                cursor.execute(sql, parameters(given))
            raw = cursor.fetchall()
        except dialect.loaded_dbapi.Error as error:
            dropped = dialect.is_disconnect(error, driver, cursor)
            if dropped:
                connection.invalidate(error)
            raise DBAPIError.instance(sql, given, error, dialect.loaded_dbapi.Error,
                                      connection_invalidated=dropped, dialect=dialect) from error
        finally:
            if cursor is not None:
                cursor.close()
            if server and connection.is_valid:
                driver.autocommit = False  # the pool's other users expect SQLAlchemy's default
            connection.close()
        make = self.row
        if not processors:
            return [make(*values) for values in raw]
        rows = []
        for values in raw:
            values = list(values)
            for index, process in processors:
                values[index] = process(values[index])
            rows.append(make(*values))
        return rows


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
