"""Benchmark: public tracking under gunicorn against a bare Flask app, on a large PostgreSQL database.

    .venv/bin/python bench/tracking.py [--parcels 1000000] [--duration 30] [--connections 32] [--rebuild]

Data, in the benchmark's own database `bench_tracking_<parcels>` (kept and reused while it holds the current schema;
--rebuild forces a new one):
- a template made by the app's own services: the office, its partner and users, one recap handed over, and its
  parcels walked by the courier's scans (and the office's receipt of returns) along the paths of TEMPLATE, so
  states, actions, parties and event data are whatever the app writes;
- bulk copies of those template rows (INSERT ... SELECT from them), each copy with its own tracking code from
  `recap.codes.new_code()` (loaded with COPY) and its events renumbered in the office's sequence. The copies keep
  their template's hashes, so `custody verify` would refuse the chain; public tracking never reads it.
- a check: the app's `public_view` of sampled copies must show their template's status and timeline.

Load: gunicorn -w 4 -k sync serves bench/bare_app.py (a constant, and as a reference the app's timeline statement
run bare) and the app (production Config, DATABASE_URL the bench database, the public rate limit on with a limit
wrk cannot reach), started side by side. wrk -t2 -c32 then loads GET / of the bare app, its GET /track/<code>, the
app's GET /health and GET /api/v1/public/track/<random sampled code>, in alternating rounds so that other load on
the machine falls on all of them alike. Goal: tracking >= 0.5 x the bare app's GET / req/s and p99 < 50 ms.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import common  # (also puts the project on sys.path)
import sqlalchemy as sa

from distribusi import create_app

DATABASE = "bench_tracking_{}"  # one per size, so a quick run keeps the full-size data
GOAL_RATIO, GOAL_P99_MS = 0.5, 50.0
GUNICORN = ["-w", "4", "-k", "sync"]
PUBLIC_RATE_LIMIT = "100000000 per minute"  # counted on every request, never reached
# Template parcel i is copied to parcels i, i + len(TEMPLATE), ...: after the handover, the courier's scans
# (receive_return: the office takes a return back). Four handover events and these average 5 events a parcel.
TEMPLATE = [
    ["accept", "out_for_delivery", "delivered"],
    ["accept", "out_for_delivery", "failed", "out_for_delivery", "delivered"],
    ["accept", "out_for_delivery", "delivered"],
    ["accept", "out_for_delivery", "failed", "return", "receive_return"],
]
SCAN_FACTS = {"delivered": {"recipient_name": "Siti Aminah", "recipient_relation": "self"},
              "failed": {"failure_reason": "recipient_absent"}}
LUA = r"""
local codes = {}
init = function(args)
  local file = os.getenv("BENCH_CODES")
  if file and #file > 0 then for line in io.lines(file) do codes[#codes + 1] = line end end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000) + #tostring({}))
end
request = function()
  if #codes == 0 then return wrk.format("GET", wrk.path) end
  return wrk.format("GET", wrk.path .. codes[math.random(#codes)])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCHJSON {"requests": %d, "us": %d, "errors": %d, "p50": %d, "p99": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


# --------------------------------------------------------------------------- data


def build_template(url: str) -> None:
    """The office, a handed-over recap of len(TEMPLATE) parcels, and each parcel's scans, all by the services."""
    from distribusi.courier.services import record_scan
    from distribusi.extensions import db
    from distribusi.returns.services import receive_returns

    app = create_app(common.bench_config(url))
    with app.app_context():
        people = common.create_people()
        codes = common.handed_over_recap(people, len(TEMPLATE))
        for code, path in zip(codes, TEMPLATE, strict=True):
            for action in path:
                if action == "receive_return":
                    receive_returns(people.user("kasubbag"), people.partner_id, [code])
                else:
                    record_scan(people.user("courier"), {"tracking_code": code, "action": action,
                                                         "idempotency_key": uuid.uuid4().hex,
                                                         **SCAN_FACTS.get(action, {})})
                db.session.commit()
        db.session.remove()
        db.engine.dispose()


def copy_template(url: str, parcels: int) -> None:
    """Copy the template parcels and their events in bulk until the office holds `parcels` parcels."""
    from distribusi.custody import CustodyEvent
    from distribusi.recap import codes
    from distribusi.recap.models import Parcel

    engine = sa.create_engine(url)
    try:
        with engine.begin() as c:
            template = c.scalars(sa.select(Parcel.id).order_by(Parcel.id)).all()
            taken, fresh = set(c.scalars(sa.select(Parcel.tracking_code))), []
            while len(fresh) < parcels - len(template):
                code = codes.new_code()
                if code not in taken:
                    taken.add(code)
                    fresh.append(code)
            c.exec_driver_sql("SET session_replication_role = replica")  # the copies' keys are right by construction
            c.exec_driver_sql("CREATE TEMP TABLE bench_copies (n bigint PRIMARY KEY, code text, template int)")
            with c.connection.driver_connection.cursor().copy("COPY bench_copies FROM STDIN") as copy:
                for n, code in enumerate(fresh, start=1):
                    copy.write_row((n, code, template[(len(template) - 1 + n) % len(template)]))
            restore = drop_secondary_indexes(c, ("parcels", "custody_events"))
            base = max(template)
            made = {"id": f"{base} + k.n", "tracking_code": "k.code", "position": f"{len(template)} + k.n"}
            columns = [col.name for col in Parcel.__table__.columns]
            c.exec_driver_sql(f"INSERT INTO parcels ({', '.join(columns)}) SELECT "
                              + ", ".join(made.get(name, f"t.{name}") for name in columns)
                              + " FROM bench_copies k JOIN parcels t ON t.id = k.template")
            last = c.scalar(sa.select(sa.func.max(CustodyEvent.seq)))
            made = {"seq": f"{last} + row_number() OVER (ORDER BY k.n, e.seq)", "subject_id": f"{base} + k.n"}
            columns = [col.name for col in CustodyEvent.__table__.columns if col.name != "id"]
            c.exec_driver_sql(f"INSERT INTO custody_events ({', '.join(columns)}) SELECT "
                              + ", ".join(made.get(name, f"e.{name}") for name in columns)
                              + " FROM bench_copies k JOIN custody_events e"
                              " ON e.subject_type = 'parcel' AND e.subject_id = k.template")
            c.exec_driver_sql("UPDATE custody_chain_heads h SET last_seq = e.seq, last_hash = e.hash "
                              "FROM custody_events e WHERE e.seq = (SELECT max(seq) FROM custody_events)")
            c.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('parcels', 'id'), {base + len(fresh)})")
            for statement in restore:
                c.exec_driver_sql(statement)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE")
    finally:
        engine.dispose()


def drop_secondary_indexes(c, tables: tuple[str, ...]) -> list[str]:
    """Drop the tables' unique constraints and indexes (not primary keys); return the statements that remake them."""
    constraints = c.execute(sa.text(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid::regclass::text = ANY(:t) AND contype = 'u'"), {"t": list(tables)}).all()
    indexes = c.execute(sa.text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(:t) "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))"),
        {"t": list(tables)}).all()
    for table, name, _definition in constraints:
        c.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        c.exec_driver_sql(f'DROP INDEX "{name}"')
    return ([f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition in constraints]
            + [definition for _name, definition in indexes])


def check_copies(url: str, samples: int = 200) -> str:
    """Sampled copies show, through the app's public_view, the status and timeline of their template parcel."""
    from distribusi.extensions import db
    from distribusi.recap.models import Parcel
    from distribusi.tracking.services import public_view

    app = create_app(common.bench_config(url))
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Parcel))
        template = db.session.scalars(sa.select(Parcel.tracking_code).order_by(Parcel.id).limit(len(TEMPLATE))).all()
        first = db.session.scalar(sa.select(sa.func.min(Parcel.id)))
        shape = lambda view: (view["status"], [(e["status"], e["place"]) for e in view["timeline"]])  # noqa: E731
        expected = [shape(public_view(code, None)) for code in template]
        rng, wrong = random.Random(3), []
        for _ in range(samples):
            offset = rng.randrange(count)
            code = db.session.scalar(sa.select(Parcel.tracking_code).where(Parcel.id == first + offset))
            view = public_view(code, None)
            if view is None or shape(view) != expected[offset % len(TEMPLATE)]:
                wrong.append(code)
        events = db.session.execute(sa.text("SELECT count(*) FROM custody_events")).scalar()
        db.session.remove()
        db.engine.dispose()
    if wrong:
        raise SystemExit(f"copies differ from their template in public_view: {wrong[:5]}")
    return f"{count:,} parcels, {events:,} custody events; {samples} sampled copies track like their template"


def ensure_data(databases, parcels: int, rebuild: bool) -> str:
    """Build the data unless the database already holds `parcels` parcels on the current schema."""
    url = databases.url
    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            have = c.scalar(sa.text("SELECT count(*) FROM parcels")) if c.scalar(
                sa.text("SELECT to_regclass('public.parcels') IS NOT NULL")) else None
            version = c.scalar(sa.text("SELECT version_num FROM alembic_version")) if have is not None else None
    finally:
        engine.dispose()
    head = subprocess.run([sys.executable, "-c", "from alembic.script import ScriptDirectory;from alembic.config "
                           "import Config;c=Config();c.set_main_option('script_location','migrations');"
                           "print(ScriptDirectory.from_config(c).get_current_head())"],
                          cwd=common.ROOT, capture_output=True, text=True).stdout.strip()
    if have == parcels and version == head and not rebuild:
        return f"kept ({parcels:,} parcels at migration {head}; --rebuild to make them again)"
    start = time.perf_counter()
    databases.fresh()
    build_template(url)
    copy_template(url, parcels)
    return f"built in {time.perf_counter() - start:.0f} s"


# --------------------------------------------------------------------------- load


def serve(app_spec: str, env: dict[str, str], cwd: Path) -> tuple[subprocess.Popen, str]:
    """A gunicorn with the benchmark's settings on a free port, once it answers."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([str(common.ROOT / ".venv/bin/gunicorn"), "--bind", f"127.0.0.1:{port}", *GUNICORN,
                                "--log-level", "warning", app_spec], cwd=cwd, env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with urllib.request.urlopen(base + "/", timeout=2):
                return process, base
        except urllib.error.HTTPError:  # the app answers / with a redirect to the login or a 404: it is up
            return process, base
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn {app_spec} exited with {process.returncode}")
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"gunicorn {app_spec} did not answer")


def wrk(url: str, seconds: int, connections: int, lua: Path, codes: Path | None) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(lua), url]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60,
                            env={**os.environ, "BENCH_CODES": str(codes or "")})
    line = next((line for line in output.stdout.splitlines() if line.startswith("BENCHJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk failed: {output.stdout[-800:]} {output.stderr[-800:]}")
    data = json.loads(line.removeprefix("BENCHJSON "))
    return {"requests": data["requests"], "seconds": data["us"] / 1e6, "errors": data["errors"],
            "p50": data["p50"] / 1000, "p99": data["p99"] / 1000}


def load(url: str, args) -> dict[str, dict[str, float]]:
    """Round-robin wrk runs over the three targets; req/s over all rounds, median p50, worst p99."""
    with tempfile.TemporaryDirectory(prefix="bench-tracking-") as tmp:
        lua, codes = Path(tmp) / "bench.lua", Path(tmp) / "codes.txt"
        lua.write_text(LUA)
        engine = sa.create_engine(url)
        with engine.connect() as c:
            codes.write_text("\n".join(c.scalars(sa.text(
                "SELECT tracking_code FROM parcels TABLESAMPLE SYSTEM (5) LIMIT 20000"))) + "\n")
        engine.dispose()
        env = {"DATABASE_URL": url, "SECRET_KEY": "bench", "PUBLIC_RATE_LIMIT": PUBLIC_RATE_LIMIT}
        bare, bare_url = serve("bare_app:app", {"BENCH_DATABASE_URL": url, "PYTHONPATH": str(common.ROOT)},
                               common.ROOT / "bench")
        app, app_url = serve("wsgi:app", env, common.ROOT)
        targets = {"bare Flask app: GET /": (bare_url + "/", None),
                   "bare Flask app + the same read: GET /track/<code>": (bare_url + "/track/", codes),
                   "app: GET /health": (app_url + "/health", None),
                   "app: GET /api/v1/public/track/<code>": (app_url + "/api/v1/public/track/", codes)}
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
        try:
            for name, (target, sample) in targets.items():
                wrk(target, args.warmup, args.connections, lua, sample)
            slice_seconds = max(1, round(args.duration / args.rounds))
            for number in range(args.rounds):
                for name, (target, sample) in targets.items():
                    runs[name].append(wrk(target, slice_seconds, args.connections, lua, sample))
                print(f"round {number + 1}/{args.rounds}: " + ", ".join(
                    f"{r[-1]['requests'] / r[-1]['seconds']:,.0f}" for r in runs.values())
                    + f" req/s  (load {common.load_average()})", flush=True)
        finally:
            for process in (bare, app):
                process.terminate()
                process.wait(timeout=30)
    return {name: {"rps": sum(r["requests"] for r in parts) / sum(r["seconds"] for r in parts),
                   "p50": sorted(r["p50"] for r in parts)[len(parts) // 2], "p99": max(r["p99"] for r in parts),
                   "errors": sum(r["errors"] for r in parts)} for name, parts in runs.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parcels", type=int, default=1_000_000, help="parcels, 5 events each (default 1,000,000)")
    parser.add_argument("--rebuild", action="store_true", help="make the data again even if it is there")
    parser.add_argument("--duration", type=int, default=30, help="seconds of load per target (default 30)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds the duration is cut into")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per target (default 3)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    args = parser.parse_args()
    if args.parcels < 10 * len(TEMPLATE) or not 1 <= args.rounds <= args.duration:
        parser.error(f"--parcels at least {10 * len(TEMPLATE)}; 1 <= --rounds <= --duration")
    common.header("public tracking vs a bare Flask app, gunicorn " + " ".join(GUNICORN))
    if shutil.which("wrk") is None:
        print("wrk is missing: install it with `apt-get install -y wrk` (Debian); the load test is skipped")
        return 1
    database = DATABASE.format(args.parcels)
    databases, message = common.PostgresDatabases.connect(database)
    if databases is None:
        print(f"database    {message}")
        return 1
    print(f"database    postgresql {databases.server}, {database} on {common.make_url(databases.url).host}")
    print(f"data        {ensure_data(databases, args.parcels, args.rebuild)}", flush=True)
    print(f"check       {check_copies(databases.url)}", flush=True)
    print(f"load        wrk -t2 -c{args.connections}, {args.duration} s a target in {args.rounds} rounds after "
          f"{args.warmup} s warm-up; public rate limit on ({PUBLIC_RATE_LIMIT})\n", flush=True)
    results = load(databases.url, args)
    bare = results["bare Flask app: GET /"]["rps"]
    print()
    common.print_rows(["server: request", "req/s", "x bare", "p50 ms", "p99 ms", "errors"], [
        [name, f"{r['rps']:,.0f}", f"{r['rps'] / bare:.2f}", f"{r['p50']:.1f}", f"{r['p99']:.1f}", str(r["errors"])]
        for name, r in results.items()])
    track = results["app: GET /api/v1/public/track/<code>"]
    met = track["rps"] >= GOAL_RATIO * bare and track["p99"] < GOAL_P99_MS
    print(f"\ngoal        tracking >= {GOAL_RATIO} x bare and p99 < {GOAL_P99_MS:.0f} ms: "
          f"{track['rps'] / bare:.2f} x, p99 {track['p99']:.1f} ms -> {'MET' if met else 'NOT MET'}")
    print(f"load        {common.load_average()} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
