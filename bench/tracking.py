"""Benchmark: public tracking under gunicorn on a large PostgreSQL database, against the trivial /health endpoint.

    cd /work/main && .venv/bin/python bench/tracking.py [--rebuild] [--parcels 1000000] [--recaps 1000]
        [--duration 15] [--connections 32] [--configs sync4,gthread2x8] [--diagnose] [--skip-load]

Database: the benchmark's own `bench_engine_tracking` on the server of BENCH_POSTGRES_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres), created when missing; the suite's `test` is never touched.
It holds one office (PKU) with its users and courier partner, --recaps handed-over recaps, --parcels parcels with
unique random-looking tracking codes (10 Crockford characters whose last is codes.check_character of the first
nine, made in SQL from a bijection of the parcel id) and 5 custody events per parcel on average (subject_type
'parcel', a valid path through the parcel state table, seq unique and gap-free per office, dummy 64-hex hashes
chained prev_hash -> hash) plus the chain head. Built with INSERT ... SELECT generate_series (FK triggers off for
the session), then VACUUM ANALYZE. A build is skipped when the database already holds exactly that data
(--rebuild forces it); the build time is printed.

Load: gunicorn (.venv/bin/gunicorn wsgi:app; env DATABASE_URL=<bench db>, SECRET_KEY=bench,
PUBLIC_RATE_LIMIT very high) on a free port of 127.0.0.1, driven by wrk from a second process on 127.0.0.1
(Lua script choosing a random existing tracking code per request from a file of sampled codes). Per gunicorn
configuration: warm-up, then GET /health and GET /api/v1/public/track/<code>, --duration seconds each at
--connections connections. Goal: tracking >= 70 % of /health's requests/s and p99 < 50 ms.

--diagnose (automatic when the goal is missed): EXPLAIN ANALYZE of public_view's one statement, a cProfile of
the tracking request in-process (test_client), and the best configuration re-run with the limiter disabled and
with pool_pre_ping off (app factory arguments to gunicorn; the app's code is not changed).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _engine_setup as setup  # noqa: E402  (also puts the project on sys.path)
import sqlalchemy as sa  # noqa: E402

from distribusi import create_app  # noqa: E402

ROOT = setup.ROOT
PG_DATABASE = "bench_engine_tracking"
GOAL_RATIO = 0.70
GOAL_P99_MS = 50.0
EVENTS_PER_PARCEL = 5  # average of the three paths below
SAMPLE_CODES = 50_000
CONFIGS = {
    "sync4": ["-w", "4", "-k", "sync"],
    "gthread2x8": ["-w", "2", "--threads", "8", "-k", "gthread"],
}
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
MASK45 = (1 << 45) - 1

# Paths of a parcel through the state table (workflow.TRANSITIONS): (step, action, from_state, to_state, actor role).
PATHS = {
    "delivered": [(1, "pack", None, "packed", "clerk"), (2, "accept", "packed", "with_courier", "courier"),
                  (3, "out_for_delivery", "with_courier", "out_for_delivery", "courier"),
                  (4, "delivered", "out_for_delivery", "delivered", "courier")],
    "retry_delivered": [(1, "pack", None, "packed", "clerk"), (2, "accept", "packed", "with_courier", "courier"),
                        (3, "out_for_delivery", "with_courier", "out_for_delivery", "courier"),
                        (4, "failed", "out_for_delivery", "failed_attempt", "courier"),
                        (5, "out_for_delivery", "failed_attempt", "out_for_delivery", "courier"),
                        (6, "delivered", "out_for_delivery", "delivered", "courier")],
    "returned": [(1, "pack", None, "packed", "clerk"), (2, "accept", "packed", "with_courier", "courier"),
                 (3, "out_for_delivery", "with_courier", "out_for_delivery", "courier"),
                 (4, "failed", "out_for_delivery", "failed_attempt", "courier"),
                 (5, "return", "failed_attempt", "returning", "courier"),
                 (6, "receive_return", "returning", "returned", "kasubbag")],
}
# parcel id % 4 -> path: two of four delivered at once (4 events), one after a retry (6), one returned (6): avg 5.
PATH_OF = {0: "delivered", 1: "retry_delivered", 2: "delivered", 3: "returned"}


# --------------------------------------------------------------------------- building the database


def code_sql(g: str) -> str:
    """SQL text of the tracking code of parcel id `g`: 45 bits from a bijection of g, as 9 chars + check char.

    x = ((g * 25214903917) mod 2^45); x ^= x >> 17; x = (x * 181783) mod 2^45; x ^= C  -- every step is a bijection
    on 45-bit integers (odd multipliers, xorshift, xor), so distinct ids give distinct codes.
    """
    x1 = f"(({g})::bigint * 25214903917 & {MASK45})"
    x2 = f"({x1} # ({x1} >> 17))"
    x3 = f"(({x2} * 181783) & {MASK45})"
    x = f"({x3} # 19876543210987)"
    return x  # the caller binds it to a column `x` (LATERAL) and uses code_from_x


def code_from_x(x: str = "x") -> str:
    digits = [f"(({x} >> {5 * (8 - i)}) & 31)" for i in range(9)]
    body = " || ".join(f"substr('{ALPHABET}', {d}::int + 1, 1)" for d in digits)
    check = " + ".join(f"{i + 1} * {d}" for i, d in enumerate(digits))
    return f"{body} || substr('{ALPHABET}', (({check}) % 31)::int + 1, 1)"


def python_code(g: int) -> str:
    """The same code computed in Python, to check the SQL (and codes.check_character) on samples."""
    from distribusi.recap import codes

    x1 = (g * 25214903917) & MASK45
    x2 = x1 ^ (x1 >> 17)
    x3 = (x2 * 181783) & MASK45
    x = x3 ^ 19876543210987
    body = "".join(ALPHABET[(x >> (5 * (8 - i))) & 31] for i in range(9))
    return body + codes.check_character(body)


def expected_counts(parcels: int) -> dict[str, int]:
    per_cycle = sum(len(PATHS[PATH_OF[r]]) for r in range(4))
    events = sum(len(PATHS[PATH_OF[g % 4]]) for g in range(1, parcels % 4 + 1)) + (parcels // 4) * per_cycle
    return {"parcels": parcels, "events": events}


def existing_counts(url: str) -> dict[str, int] | None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            if not connection.scalar(sa.text("SELECT to_regclass('public.custody_chain_heads') IS NOT NULL")):
                return None
            head = connection.execute(sa.text("SELECT last_seq FROM custody_chain_heads")).all()
            return {
                "parcels": connection.scalar(sa.text("SELECT count(*) FROM parcels")),
                "events": connection.scalar(sa.text("SELECT count(*) FROM custody_events")),
                "recaps": connection.scalar(sa.text("SELECT count(*) FROM recaps")),
                "head": head[0][0] if len(head) == 1 else -1,
            }
    except sa.exc.SQLAlchemyError:
        return None
    finally:
        engine.dispose()


def build(url: str, parcels: int, recaps: int) -> dict[str, float]:
    """Reset the schema, migrate, create people through the services, then bulk-generate everything else in SQL."""
    from distribusi.auth.models import User
    from distribusi.extensions import db

    phases: dict[str, float] = {}

    def mark(name: str, start: float) -> float:
        now = time.perf_counter()
        phases[name] = now - start
        print(f"  build: {name:<38} {phases[name]:7.1f} s", flush=True)
        return now

    t = time.perf_counter()
    setup.reset_pg_schema(url)
    setup.migrate(url)
    t = mark("schema (flask_migrate.upgrade)", t)
    app = create_app(setup.bench_config(url))
    with app.app_context():
        people = setup.create_people()
        users = {role: db.session.get(User, uid) for role, uid in people.user_ids.items()}
        party = {role: u.party for role, u in users.items()}
        office_id, partner_id = people.office_id, people.partner_id
        user_ids = dict(people.user_ids)
        db.session.remove()
        db.engine.dispose()
    t = mark("office, partner, users (services)", t)

    per_recap = -(-parcels // recaps)
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as c:
            def run(sql: str, **params) -> None:
                c.execute(sa.text(sql), params)

            run("SET synchronous_commit = off")
            run("SET work_mem = '512MB'")
            run("SET maintenance_work_mem = '1GB'")
            try:  # skip FK triggers while loading rows consistent by construction (needs a superuser)
                run("SET session_replication_role = replica")
            except sa.exc.SQLAlchemyError:
                print("  build: (session_replication_role not allowed; FK checks stay on, slower)")
            saved = drop_secondary_indexes(c, ("parcels", "custody_events"))
            base = "date_trunc('hour', now() AT TIME ZONE 'UTC') - make_interval(hours => :recaps * 8 + 48)"
            run(f"""
                INSERT INTO recaps (id, number, year, seq, status, created_by_id, courier_partner_id, submitted_at,
                                    closed_at, created_at, updated_at, office_id)
                SELECT r, 'RKP/' || extract(year FROM t)::int || '/' || lpad(r::text, 4, '0'), extract(year FROM t)::int,
                       r, 'handed_over', :clerk, :partner, t + interval '1 hour', NULL, t, t + interval '5 hours', :office
                FROM generate_series(1, :recaps) r, LATERAL (SELECT {base} + make_interval(hours => r * 8) AS t) b
            """, recaps=recaps, clerk=user_ids["clerk"], partner=partner_id, office=office_id)
            run("SELECT setval(pg_get_serial_sequence('recaps', 'id'), :n)", n=recaps)
            run("""INSERT INTO counters (office_id, name, year, value)
                   SELECT :office, 'recap', year, max(seq) FROM recaps GROUP BY year""", office=office_id)
            t = mark(f"{recaps:,} recaps", t)

            kec = "(ARRAY['Sukajadi','Marpoyan Damai','Tampan','Bukit Raya','Rumbai'])"
            kel = ("(ARRAY['Kampung Melayu','Jadirejo','Tangkerang Tengah','Sidomulyo Timur','Simpang Baru',"
                   "'Sidomulyo Barat','Simpang Tiga','Tangkerang Labuai','Umban Sari','Rumbai Bukit'])")
            postal = "(ARRAY['28122','28121','28282','28289','28293','28294','28284','28281','28266','28261'])"
            first = ("(ARRAY['Siti','Ahmad','Dewi','Budi','Rina','Andi','Nur','Agus','Putri','Rizky','Fitri','Hendra',"
                     "'Wahyu','Ayu','Dedi','Intan','Yusuf','Sri','Eko','Maya'])")
            last = ("(ARRAY['Aminah','Saputra','Lestari','Santoso','Hidayat','Ma''ruf','Nasution','Siregar','Harahap',"
                    "'Wulandari','Pratama','Rahmawati','Syahputra','Lubis','Kurniawan','Handayani'])")
            street = ("(ARRAY['Jl. Sudirman','Jl. Tuanku Tambusai','Jl. Soekarno-Hatta','Jl. Arifin Achmad',"
                      "'Jl. HR. Soebrantas','Jl. Paus','Jl. Durian','Jl. Garuda Sakti','Jl. Kaharuddin Nasution',"
                      "'Jl. Delima'])")
            doc_types = "(ARRAY['KK','KTP_EL','KIA','AKTA_KELAHIRAN','AKTA_KEMATIAN','AKTA_PERKAWINAN'])"
            name = f"{first}[1 + g % 20] || ' ' || {last}[1 + (g / 20) % 16]"
            run(f"""
                INSERT INTO parcels (id, recap_id, position, tracking_code, status, group_doc_type, kk_number,
                    recipient_name, phone, street, rt, rw, kelurahan, kecamatan, city, postal_code,
                    courier_partner_id, previous_parcel_id, failed_attempts, last_failure_reason, delivered_to,
                    delivered_relation, delivered_at, created_at, updated_at, office_id)
                SELECT g, (g - 1) / :per + 1, (g - 1) % :per + 1, {code_from_x('x')},
                       CASE WHEN g % 4 = 3 THEN 'returned' ELSE 'delivered' END,
                       {doc_types}[1 + (g / 7) % 6],
                       '1471' || lpad(((g::bigint * 7919) % 1000000000000)::text, 12, '0'),
                       {name},
                       '+62812' || lpad(((g::bigint * 104729) % 100000000)::text, 8, '0'),
                       {street}[1 + g % 10] || ' No. ' || (1 + (g / 10) % 250),
                       lpad((1 + g % 12)::text, 3, '0'), lpad((1 + g % 9)::text, 3, '0'),
                       {kel}[1 + (g / 3) % 10], {kec}[1 + ((g / 3) % 10) / 2], 'Pekanbaru', {postal}[1 + (g / 3) % 10],
                       :partner, NULL,
                       CASE WHEN g % 4 IN (1, 3) THEN 1 ELSE 0 END,
                       CASE WHEN g % 4 IN (1, 3) THEN 'recipient_absent' END,
                       CASE WHEN g % 4 <> 3 THEN {name} END,
                       CASE WHEN g % 4 <> 3 THEN 'self' END,
                       CASE WHEN g % 4 <> 3 THEN r.t + make_interval(hours => CASE WHEN g % 4 = 1 THEN 18 ELSE 12 END,
                                                         secs => (g - 1) % :per + 1) END,
                       r.t, r.t + interval '40 hours', :office
                FROM generate_series(1, :parcels) g
                JOIN recaps r0 ON r0.id = (g - 1) / :per + 1
                CROSS JOIN LATERAL (SELECT r0.created_at AS t) r
                CROSS JOIN LATERAL (SELECT {code_sql('g')} AS x) c
            """, per=per_recap, parcels=parcels, partner=partner_id, office=office_id)
            run("SELECT setval(pg_get_serial_sequence('parcels', 'id'), :n)", n=parcels)
            t = mark(f"{parcels:,} parcels", t)

            steps = ", ".join(
                f"({p}, {step}, '{action}', {repr(frm) if frm else 'NULL'}, '{to}', '{role}')"
                for p, path in ((k, PATHS[v]) for k, v in PATH_OF.items())
                for step, action, frm, to, role in path
            )
            courier_to = {
                "delivered": "'Penerima: ' || p.delivered_to || ' (self)'",
                "out_for_delivery": "'Menuju alamat penerima, Kec. ' || p.kecamatan",
                "return": "'Dinas (Kasubbag Umum)'",
            }
            to_party = "CASE s.action " + " ".join(f"WHEN '{a}' THEN {e}" for a, e in courier_to.items()) + \
                " WHEN 'receive_return' THEN :kasubbag_party ELSE NULL END"
            from_party = "CASE s.role WHEN 'clerk' THEN :clerk_party WHEN 'courier' THEN :courier_party " \
                "ELSE 'Mitra kurir' END"
            data = ("CASE s.action WHEN 'pack' THEN json_build_object('recap', r.number) "
                    "WHEN 'delivered' THEN json_build_object('recipient_name', p.delivered_to, "
                    "'recipient_relation', 'self') "
                    "WHEN 'failed' THEN json_build_object('failure_reason', 'recipient_absent') "
                    "ELSE '{}'::json END")
            actor = "CASE s.role WHEN 'clerk' THEN :clerk WHEN 'courier' THEN :courier ELSE :kasubbag END"
            hash_of = "md5(({n})::text) || reverse(md5(({n})::text))"  # dummy: verify is not run
            run(f"""
                INSERT INTO custody_events (office_id, seq, subject_type, subject_id, action, from_state, to_state,
                    actor_id, from_party, to_party, recorded_at, device_at, lat, lon, device_id, idempotency_key,
                    data, prev_hash, hash)
                SELECT :office, e.seq, 'parcel', e.pid, e.action, e.from_state, e.to_state, e.actor, e.from_party,
                       e.to_party, e.at, CASE WHEN e.role = 'courier' THEN e.at - interval '20 seconds' END,
                       CASE WHEN e.role = 'courier' THEN 0.45 + (e.pid % 1000) / 10000.0 END,
                       CASE WHEN e.role = 'courier' THEN 101.40 + (e.pid % 997) / 10000.0 END,
                       CASE WHEN e.role = 'courier' THEN 'bench-phone-' || (e.pid % 40) END,
                       CASE WHEN e.role = 'courier' THEN reverse(h.m) END,
                       e.data,
                       CASE WHEN e.seq = 1 THEN repeat('0', 64) ELSE h.pm || reverse(h.pm) END,
                       h.m || reverse(h.m)
                FROM (
                    SELECT row_number() OVER (ORDER BY p.recap_id, s.step, p.position) AS seq, p.id AS pid,
                           s.action, s.from_state, s.to_state, s.role, {actor} AS actor, {from_party} AS from_party,
                           {to_party} AS to_party, {data} AS data,
                           r.created_at + make_interval(hours => s.step * 3, secs => p.position) AS at
                    FROM parcels p
                    JOIN recaps r ON r.id = p.recap_id
                    JOIN (VALUES {steps}) AS s(path, step, action, from_state, to_state, role) ON s.path = p.id % 4
                ) e
                CROSS JOIN LATERAL (SELECT md5(e.seq::text) AS m, md5((e.seq - 1)::text) AS pm OFFSET 0) h
            """, office=office_id, clerk=user_ids["clerk"], courier=user_ids["courier"],
                kasubbag=user_ids["kasubbag"], clerk_party=party["clerk"], courier_party=party["courier"],
                kasubbag_party=party["kasubbag"])
            events = c.scalar(sa.text("SELECT max(seq) FROM custody_events"))
            run(f"""INSERT INTO custody_chain_heads (office_id, last_seq, last_hash)
                    VALUES (:office, :n, {hash_of.format(n=':n')})""", office=office_id, n=events)
            t = mark(f"{events:,} custody events + chain head", t)
            run("RESET session_replication_role")
            for statement in saved:
                run(statement)
            t = mark(f"{len(saved)} indexes and unique constraints", t)
            run("VACUUM ANALYZE")
            t = mark("VACUUM ANALYZE", t)
    finally:
        engine.dispose()
    return phases


def drop_secondary_indexes(c, tables: tuple[str, ...]) -> list[str]:
    """Drop the unique constraints and plain indexes (not the primary keys) of the tables; return the statements
    that recreate them exactly as the migrations made them (bulk loading then building is much faster)."""
    names = list(tables)
    constraints = c.execute(sa.text(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid::regclass::text = ANY(:t) AND contype = 'u' ORDER BY conname"), {"t": names}).all()
    indexes = c.execute(sa.text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(:t) "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u')) ORDER BY indexname"),
        {"t": names}).all()
    for table, name, _definition in constraints:
        c.execute(sa.text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for name, _definition in indexes:
        c.execute(sa.text(f'DROP INDEX "{name}"'))
    return ([f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition in constraints]
            + [definition for _name, definition in indexes])


def check_sample(url: str) -> str:
    """Codes in the database match the Python computation and codes.normalize (check character)."""
    from distribusi.recap import codes

    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            rows = c.execute(sa.text("SELECT id, tracking_code FROM parcels WHERE id % 9973 = 1 ORDER BY id")).all()
            dupes = c.scalar(sa.text("SELECT count(*) - count(DISTINCT tracking_code) FROM parcels"))
    finally:
        engine.dispose()
    bad = [(i, code) for i, code in rows if code != python_code(i) or codes.normalize(code) != code]
    if bad or dupes:
        raise SystemExit(f"tracking codes wrong: {bad[:5]} duplicates={dupes}")
    return f"{len(rows)} sampled codes valid (check character), no duplicates"


def write_codes(url: str, path: Path, count: int) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            codes = c.scalars(sa.text("SELECT tracking_code FROM parcels ORDER BY random() LIMIT :n"), {"n": count}).all()
    finally:
        engine.dispose()
    path.write_text("\n".join(codes) + "\n")
    return len(codes)


# --------------------------------------------------------------------------- load


LUA_COMMON = r"""
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
                 + summary.errors.timeout
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "errors": %d, "status_errors": %d, "timeouts": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, errors, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""

LUA_TRACK = r"""
local codes = {}
init = function(args)
  for line in io.lines(os.getenv("BENCH_CODES_FILE")) do
    if #line > 0 then codes[#codes + 1] = line end
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000) + #tostring({}))
end
request = function()
  return wrk.format("GET", "/api/v1/public/track/" .. codes[math.random(#codes)])
end
""" + LUA_COMMON


@dataclass
class LoadResult:
    name: str
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    errors: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """One gunicorn master on 127.0.0.1, started in its own process group and always stopped."""

    def __init__(self, args: list[str], url: str, app_spec: str = "wsgi:app"):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "PUBLIC_RATE_LIMIT": setup.HIGH_RATE_LIMIT,
               "RATELIMIT_ENABLED": "False"}  # Flask does not read the last one from the environment; see report
        command = [str(ROOT / ".venv/bin/gunicorn"), "--bind", f"127.0.0.1:{self.port}", *args,
                   "--log-level", "warning", "--timeout", "60", app_spec]
        self.command = command
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 40.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}: {self.log_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.base + "/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn not ready after {timeout:.0f} s: {self.log_text()[-2000:]}")

    def log_text(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the master stops its workers
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the group we created: master and its workers
                self.process.wait(timeout=5)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def wrk(base: str, path: str, lua: Path, duration: float, connections: int, threads: int,
        codes_file: Path | None = None) -> LoadResult:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{int(duration)}s", "--timeout", "5s", "-s", str(lua),
               base + path]
    env = {**os.environ, "BENCH_CODES_FILE": str(codes_file or "")}
    output = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, env=env)
    line = next((l for l in output.stdout.splitlines() if l.startswith("BENCHJSON ")), None)
    if output.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({output.returncode}): {output.stdout[-1500:]} {output.stderr[-1500:]}")
    data = json.loads(line.removeprefix("BENCHJSON "))
    seconds = data["duration_us"] / 1e6
    return LoadResult(path, data["requests"] / seconds, data["p50_us"] / 1000, data["p90_us"] / 1000,
                      data["p99_us"] / 1000, data["max_us"] / 1000, data["requests"], data["errors"])


def python_load(base: str, codes: list[str], path_kind: str, duration: float, connections: int) -> LoadResult:
    """Fallback when wrk is missing: threads with keep-alive HTTP connections (slower client; figures lower)."""
    import http.client
    import threading

    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    host, port = base.removeprefix("http://").split(":")
    stop_at = time.monotonic() + duration

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        connection = http.client.HTTPConnection(host, int(port), timeout=5)
        mine, bad = [], 0
        while time.monotonic() < stop_at:
            path = "/health" if path_kind == "health" else f"/api/v1/public/track/{rng.choice(codes)}"
            start = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = http.client.HTTPConnection(host, int(port), timeout=5)
            except OSError:
                bad += 1
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=5)
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    start = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 30)
    elapsed = time.monotonic() - start
    latencies.sort()

    def pct(q: float) -> float:
        return 1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else float("nan")

    return LoadResult(path_kind, len(latencies) / elapsed, pct(0.5), pct(0.9), pct(0.99), pct(1.0), len(latencies),
                      errors[0])


def merge(name: str, parts: list[LoadResult]) -> LoadResult:
    """Rounds of one endpoint as one result: rate over all rounds, request-weighted p50/p90, worst round's p99/max."""
    requests = sum(p.requests for p in parts)
    seconds = sum(p.requests / p.rps for p in parts if p.rps)
    weight = lambda attr: sum(getattr(p, attr) * p.requests for p in parts) / max(requests, 1)  # noqa: E731
    return LoadResult(name, requests / seconds if seconds else 0.0, weight("p50_ms"), weight("p90_ms"),
                      max(p.p99_ms for p in parts), max(p.max_ms for p in parts), requests,
                      sum(p.errors for p in parts))


def measure_config(name: str, gunicorn_args: list[str], url: str, args, files: dict[str, Path], codes: list[str],
                   app_spec: str = "wsgi:app") -> tuple[LoadResult, LoadResult]:
    """Warm up, then alternate /health and tracking in --rounds slices of --duration/--rounds seconds each, so
    that load from other processes on the machine falls on both endpoints alike."""
    server = Gunicorn(gunicorn_args, url, app_spec)
    try:
        server.wait_ready()
        print(f"  {name}: gunicorn {' '.join(gunicorn_args)} {app_spec} on {server.base} "
              f"(pid {server.process.pid})", flush=True)

        def load(kind: str, seconds: float) -> LoadResult:
            if files.get("wrk"):
                path = "/health" if kind == "health" else "/api/v1/public/track/"
                lua = files["health_lua"] if kind == "health" else files["track_lua"]
                return wrk(server.base, path, lua, seconds, args.connections, args.wrk_threads,
                           None if kind == "health" else files["codes"])
            return python_load(server.base, codes, kind, seconds, args.connections)

        for kind in ("health", "track"):
            load(kind, args.warmup)
        parts: dict[str, list[LoadResult]] = {"health": [], "track": []}
        slice_seconds = max(1, round(args.duration / args.rounds))
        for round_number in range(1, args.rounds + 1):
            line = []
            for kind in ("health", "track"):
                result = load(kind, slice_seconds)
                parts[kind].append(result)
                line.append(f"{kind} {result.rps:6,.0f} req/s p50 {result.p50_ms:5.1f} p99 {result.p99_ms:6.1f} ms")
            print(f"    round {round_number}/{args.rounds} ({slice_seconds} s each): " + " | ".join(line)
                  + f" | ratio {parts['track'][-1].rps / parts['health'][-1].rps:.0%}  load {setup.load_average()}",
                  flush=True)
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn died during the run: {server.log_text()[-2000:]}")
        return (merge("GET /health", parts["health"]), merge("GET /api/v1/public/track/<code>", parts["track"]))
    finally:
        server.stop()


# --------------------------------------------------------------------------- diagnosis


def explain(url: str, code: str) -> None:
    """EXPLAIN ANALYZE of the one statement public_view runs (services.PUBLIC_TIMELINE), with this code."""
    from distribusi.tracking.services import PUBLIC_TIMELINE

    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            sql = str(PUBLIC_TIMELINE.params(code=code).compile(engine, compile_kwargs={"literal_binds": True}))
            c.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")  # warm
            plan = c.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {sql}").scalars().all()
            print("\n-- EXPLAIN ANALYZE services.PUBLIC_TIMELINE (parcel beside its events, one statement)")
            for line in plan:
                print("   " + line)
            sizes = c.execute(sa.text(
                "SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class "
                "WHERE relname IN ('parcels', 'custody_events') ORDER BY relname")).all()
            print("\n   table sizes (with indexes): " + ", ".join(f"{n} {s}" for n, s in sizes))
    finally:
        engine.dispose()


def prewarm(url: str) -> str:
    """Read the tables and indexes into memory once, as a running server has them: a fresh machine otherwise
    measures its disk for the first minutes (a timeline row is a random heap page of a 2 GB table)."""
    engine = sa.create_engine(url)
    start = time.perf_counter()
    try:
        with engine.connect() as c:
            try:
                c.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_prewarm"))
                c.commit()
            except sa.exc.SQLAlchemyError:
                c.rollback()
                c.execute(sa.text("SELECT count(*) FROM custody_events"))  # at least the OS page cache
                return f"sequential scan (no pg_prewarm) in {time.perf_counter() - start:.1f} s"
            blocks = c.scalar(sa.text(
                "SELECT sum(pg_prewarm(c.oid::regclass, 'read')) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')"))
            return f"{blocks * 8 // 1024:,} MB read by pg_prewarm in {time.perf_counter() - start:.1f} s"
    finally:
        engine.dispose()


def _app(url: str, **extra):
    """The app as gunicorn serves it (production Config from the environment, high public limit), plus overrides."""
    from distribusi.config import Config

    settings = {name: getattr(Config, name) for name in dir(Config) if name.isupper()}
    return create_app({**settings, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                       "PUBLIC_RATE_LIMIT": setup.HIGH_RATE_LIMIT, "RATELIMIT_ENABLED": True, **extra})


def _use(app) -> None:
    """Flask-Limiter keeps `enabled` on its one global Limiter (the last init_app wins, and a False sticks for later
    apps); several apps in one process must set it back before their requests."""
    from distribusi.extensions import limiter

    limiter.enabled = app.config["RATELIMIT_ENABLED"]


def breakdown(url: str, codes: list[str], per_pass: int = 200, repeats: int = 7) -> None:
    """Where the time of one tracking request goes, in-process (one thread, no HTTP, no gunicorn), against /health.

    The cases are interleaved: every repetition runs one pass of `per_pass` requests of each case, and each case
    keeps its best pass, so that other processes on the machine disturb all cases alike and as little as possible.
    """
    import threading

    import psycopg

    from distribusi.api.tracking import PUBLIC_TRACK, TRACK_QUERY
    from distribusi.extensions import db
    from distribusi.tracking import services

    rng = random.Random(11)
    sample = [rng.choice(codes) for _ in range(per_pass)]
    track_path = lambda code: f"/api/v1/public/track/{code}"  # noqa: E731
    health_path = lambda code: "/health"  # noqa: E731
    apps = {
        "served": _app(url),
        "no_limiter": _app(url, RATELIMIT_ENABLED=False),
        "no_ping": _app(url, RATELIMIT_ENABLED=False, SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": False}),
        "health_no_ping": _app(url, SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": False}),
    }
    clients = {key: app.test_client() for key, app in apps.items()}
    view_app = apps["no_limiter"]
    with view_app.app_context():
        views = [services.public_view(code, None) for code in sample]
        db.session.remove()
    conninfo = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = psycopg.connect(conninfo, autocommit=True)

    def view_once(code):
        with view_app.app_context():
            services.public_view(code, None)

    def raw_one_query(code):
        connection.execute(
            "SELECT p.status, p.recipient_name, p.kecamatan, p.city, p.kelurahan, p.phone, e.recorded_at, "
            "e.action, e.to_state FROM parcels p LEFT JOIN custody_events e ON e.subject_type = 'parcel' "
            "AND e.subject_id = p.id WHERE p.tracking_code = %s ORDER BY e.seq", (code,)).fetchall()

    cases = [  # (label, app whose limiter setting applies or None, action, items)
        ("GET /health (as served)", "served", lambda code: clients["served"].get(health_path(code)), sample),
        ("GET /health, pool_pre_ping off", "health_no_ping",
         lambda code: clients["health_no_ping"].get(health_path(code)), sample),
        ("GET /public/track (as served: limiter on, high limit)", "served",
         lambda code: clients["served"].get(track_path(code)), sample),
        ("GET /public/track, RATELIMIT_ENABLED=False", "no_limiter",
         lambda code: clients["no_limiter"].get(track_path(code)), sample),
        ("GET /public/track, limiter off + pool_pre_ping off", "no_ping",
         lambda code: clients["no_ping"].get(track_path(code)), sample),
        ("  services.public_view() (prebuilt statement, autocommit, pool checkout + pre-ping)", None, view_once,
         sample),
        ("  PUBLIC_TRACK.dump(view)", None, lambda v: PUBLIC_TRACK.dump(v), views),
        ("  TRACK_QUERY.load(request.args)", None, lambda _c: TRACK_QUERY.load({}), sample),
        ("  raw psycopg: one JOIN query, needed columns only, autocommit", None, raw_one_query, sample),
        ("  raw psycopg: SELECT 1 (one round trip)", None, lambda _c: connection.execute("SELECT 1").fetchall(),
         sample),
    ]
    best = {label: float("inf") for label, _, _, _ in cases}
    started = [0]
    original_start = threading.Thread.start

    def counting_start(self, *args, **kwargs):
        started[0] += 1
        return original_start(self, *args, **kwargs)

    try:
        for label, app_key, action, items in cases:  # warm every path once
            if app_key:
                _use(apps[app_key])
            for item in items[:30]:
                action(item)
        for _ in range(repeats):
            for label, app_key, action, items in cases:
                if app_key:
                    _use(apps[app_key])
                counting = label.startswith("GET /public/track (as served")
                if counting:
                    threading.Thread.start = counting_start
                start = time.perf_counter()
                for item in items:
                    action(item)
                best[label] = min(best[label], (time.perf_counter() - start) / len(items))
                threading.Thread.start = original_start
    finally:
        threading.Thread.start = original_start
        connection.close()
        for app in apps.values():
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    ms = {label: 1000 * seconds for label, seconds in best.items()}
    print(f"\n-- in-process breakdown (test_client, one thread, no HTTP): best of {repeats} interleaved passes of "
          f"{per_pass} requests, ms per request")
    width = max(len(label) for label in ms)
    for label, value in ms.items():
        print(f"   {label:<{width}}  {value:6.2f} ms")
    health, health_np = ms["GET /health (as served)"], ms["GET /health, pool_pre_ping off"]
    track = ms["GET /public/track (as served: limiter on, high limit)"]
    no_limiter = ms["GET /public/track, RATELIMIT_ENABLED=False"]
    no_ping = ms["GET /public/track, limiter off + pool_pre_ping off"]
    print(f"   => in-process tracking runs at {health / track:.0%} of /health's rate; the limiter costs "
          f"{track - no_limiter:.2f} ms/request and the rate-limit storage started "
          f"{started[0] / (repeats * per_pass):.2f} threads per request (threading.Timer); pool_pre_ping costs "
          f"{health - health_np:.2f} ms on /health and {no_limiter - no_ping:.2f} ms on tracking")


def profile_in_process(url: str, codes: list[str], requests: int) -> None:
    """cProfile the tracking request through test_client, as served (limiter on with a high limit)."""
    from distribusi.extensions import db

    app = _app(url)
    _use(app)
    client = app.test_client()
    rng = random.Random(5)
    sample = [rng.choice(codes) for _ in range(requests)]
    with app.app_context():
        engine = db.engine
    for code in sample[:100]:
        client.get(f"/api/v1/public/track/{code}")
    with setup.QueryCounter(engine) as counter:
        for code in sample[:100]:
            client.get(f"/api/v1/public/track/{code}")
    print(f"\n-- {counter.count / 100:.1f} SQL statements per tracking request (plus the pool's pre-ping; "
          "no BEGIN or ROLLBACK: read_only runs it in autocommit)")
    profiler = cProfile.Profile()
    profiler.enable()
    for code in sample:
        client.get(f"/api/v1/public/track/{code}")
    profiler.disable()
    for order, top in (("tottime", 25), ("cumulative", 45)):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(top)
        text = out.getvalue()
        print(f"\n-- cProfile of {requests} tracking requests, top {top} by {order}")
        print(text[text.find("   ncalls"):].rstrip())
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --------------------------------------------------------------------------- main


def print_results(rows: list[tuple[str, LoadResult, LoadResult]]) -> None:
    table = []
    for config, health, track in rows:
        for result in (health, track):
            table.append([config, result.name, f"{result.rps:,.0f}", f"{result.p50_ms:.1f}", f"{result.p90_ms:.1f}",
                          f"{result.p99_ms:.1f}", f"{result.max_ms:.1f}", str(result.errors)])
        table.append([config, "ratio track/health", f"{track.rps / health.rps:.0%}", "", "", "", "", ""])
    setup.print_table(["gunicorn", "endpoint", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors"], table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="rebuild the database even when it holds the data")
    parser.add_argument("--parcels", type=int, default=1_000_000, help="parcels (5 custody events each on average)")
    parser.add_argument("--recaps", type=int, default=1_000, help="recaps (default 1000)")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of load per endpoint (default 15)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of warm-up per endpoint (default 3)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternate the endpoints in this many slices of duration/rounds seconds (default 3)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--configs", default=",".join(CONFIGS), help=f"subset of {','.join(CONFIGS)}")
    parser.add_argument("--diagnose", action="store_true", help="explain, profile and variants even if the goal is met")
    parser.add_argument("--skip-load", action="store_true", help="build/check the database only")
    parser.add_argument("--profile-requests", type=int, default=2000, help="requests profiled in-process")
    args = parser.parse_args()
    configs = [c for c in args.configs.split(",") if c]
    if not configs or set(configs) - set(CONFIGS):
        parser.error("--configs: unknown configuration")
    if not (1 <= args.recaps <= args.parcels <= 20_000_000) or not 1 <= args.duration <= 120 \
            or not 1 <= args.connections <= 1000 or not 1 <= args.rounds <= args.duration:
        parser.error("out of range: 1 <= recaps <= parcels <= 20M, 1 <= duration <= 120, 1 <= connections <= 1000")

    setup.header("public tracking under gunicorn vs GET /health (PostgreSQL, 127.0.0.1 only)")
    url = setup.pg_url(PG_DATABASE)
    problem = setup.ensure_pg_database(url)
    if problem:
        print(f"postgresql  skipped: {problem}; this benchmark needs PostgreSQL")
        return 0
    wrk_path = shutil.which("wrk")
    print(f"database    {setup.shown(url)}")
    print(f"load tool   {wrk_path or 'python threads (wrk not found: apt-get install -y wrk)'}; "
          f"{args.connections} connections, {args.duration:.0f} s per endpoint after {args.warmup:.0f} s warm-up, "
          f"in {args.rounds} alternating rounds; p99 and max are the worst round's")

    want = expected_counts(args.parcels)
    have = existing_counts(url)
    fits = have is not None and have["parcels"] == want["parcels"] and have["events"] == want["events"] \
        and have["recaps"] == args.recaps and have["head"] == want["events"]
    if fits and not args.rebuild:
        print(f"data        kept: {have['parcels']:,} parcels, {have['events']:,} custody events, "
              f"{have['recaps']:,} recaps (--rebuild to build again)")
    else:
        reason = "--rebuild" if args.rebuild else f"found {have}" if have else "empty"
        print(f"data        building {want['parcels']:,} parcels, {want['events']:,} custody events, "
              f"{args.recaps:,} recaps ({reason})", flush=True)
        start = time.perf_counter()
        build(url, args.parcels, args.recaps)
        print(f"build time  {time.perf_counter() - start:.1f} s", flush=True)
    print(f"check       {check_sample(url)}", flush=True)
    if args.skip_load:
        return 0
    print(f"cache       {prewarm(url)}", flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-tracking-") as tmp:
        files = {"codes": Path(tmp) / "codes.txt", "health_lua": Path(tmp) / "health.lua",
                 "track_lua": Path(tmp) / "track.lua", "wrk": wrk_path}
        count = write_codes(url, files["codes"], SAMPLE_CODES)
        codes = files["codes"].read_text().split()
        files["health_lua"].write_text(LUA_COMMON)
        files["track_lua"].write_text(LUA_TRACK)
        print(f"codes       {count:,} random existing tracking codes in {files['codes']}")
        print(f"load avg    {setup.load_average()} before the load\n", flush=True)

        rows = []
        for name in configs:
            health, track = measure_config(name, CONFIGS[name], url, args, files, codes)
            rows.append((name, health, track))
        print()
        print_results(rows)
        best = max(rows, key=lambda row: row[2].rps)
        name, health, track = best
        ratio = track.rps / health.rps
        met = ratio >= GOAL_RATIO and track.p99_ms < GOAL_P99_MS
        print(f"\nbest        {name} ({' '.join(CONFIGS[name])}): tracking {track.rps:,.0f} req/s = {ratio:.0%} of "
              f"/health ({health.rps:,.0f} req/s), tracking p99 {track.p99_ms:.1f} ms")
        print(f"goal        >= {GOAL_RATIO:.0%} of /health and p99 < {GOAL_P99_MS:.0f} ms at {args.connections} "
              f"connections: {'MET' if met else 'MISSED'}")
        print(f"load avg    {setup.load_average()} after the load", flush=True)

        if args.diagnose or not met:
            print("\n== diagnosis ==")
            explain(url, codes[0])
            breakdown(url, codes)
            profile_in_process(url, codes, args.profile_requests)
            variants = [
                ("limiter off", '{"RATELIMIT_ENABLED": False}'),
                ("no pre-ping", '{"SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False}}'),
                ("limiter off + no pre-ping",
                 '{"RATELIMIT_ENABLED": False, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False}}'),
            ]
            print(f"\n-- {name} again, with app factory arguments (distribusi:create_app({{...}}); app code unchanged)")
            variant_rows = [(name + " (as served)", health, track)]
            for label, mapping in variants:
                h, t = measure_config(f"{name} {label}", CONFIGS[name], url, args, files, codes,
                                      app_spec=f"distribusi:create_app({mapping})")
                variant_rows.append((f"{name} {label}", h, t))
            print()
            print_results(variant_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
