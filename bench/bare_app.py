"""A bare Flask app for bench/tracking.py.

`GET /` answers a constant: the floor the app is compared against. `GET /track/<code>` runs the app's own public
timeline statement (tracking.services.PUBLIC_TIMELINE, compiled for psycopg) on one driver connection per process
(BENCH_DATABASE_URL) and answers the rows as JSON, with no rate limit, headers, metrics or view: the least a Flask
app that reads a parcel must do, printed as a reference beside the goal.
"""
import os

import psycopg
from flask import Flask

app = Flask(__name__)
_read: dict = {}


@app.get("/")
def constant():
    return "ok"


@app.get("/track/<code>")
def track(code: str):
    if not _read:
        from sqlalchemy.dialects.postgresql import psycopg as dialect

        from distribusi.tracking.services import PUBLIC_TIMELINE

        compiled = PUBLIC_TIMELINE.statement.compile(dialect=dialect.dialect())
        url = os.environ["BENCH_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
        _read.update(sql=compiled.string, fixed={k: v for k, v in compiled.params.items() if v is not None},
                     connection=psycopg.connect(url, autocommit=True))
    rows = _read["connection"].execute(_read["sql"], {**_read["fixed"], "code": code}).fetchall()
    return {"tracking_code": rows[0][1], "status": rows[0][2],
            "timeline": [{"at": row[11].isoformat(), "status": row[12]} for row in rows if row[12]]}
