"""Benchmark: courier scans per second through the JSON API, single and batch, on SQLite and PostgreSQL.

    cd /work/main && .venv/bin/python bench/scans.py [--parcels 2000] [--backends sqlite,postgresql]
        [--modes single,batch] [--phase-budget 120] [--profile]

Every (backend, mode) starts from a fresh database: SQLite a new temp file copied from a template migrated with
flask_migrate.upgrade(); PostgreSQL the benchmark's own database `bench_engine` on the server of
BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres), created when missing and reset
with DROP SCHEMA public CASCADE; CREATE SCHEMA public + upgrade(). The database `test` is never touched.

Set-up (not timed): the PKU office, a courier partner, a clerk, kasubbag, secretary and courier; N parcels imported
(intake.services.import_documents, two documents per household), packed in one recap (recap.services.create_recap),
submitted, cover letter issued and signed, handed over (handover.services.hand_over); a courier bearer token.

Timed, through app.test_client() with the courier's bearer token, the rate limiter off:
- single: POST /api/v1/scans, one request per scan;
- batch:  POST /api/v1/scans/batch with 500 scans per request (the API's maximum).
Three phases over every parcel, in flow order: accept, out_for_delivery, delivered (3 x N scans). Each phase is
bounded by --phase-budget seconds; a phase cut short is marked and later phases use only the parcels it reached.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _engine_setup as setup  # noqa: E402  (also puts the project on sys.path)
import sqlalchemy as sa  # noqa: E402

from distribusi import create_app  # noqa: E402

BACKENDS = ("sqlite", "postgresql")
MODES = ("single", "batch")
ACTIONS = ("accept", "out_for_delivery", "delivered")
BATCH_SIZE = 500
PG_DATABASE = "bench_engine"


def scan_body(code: str, action: str) -> dict:
    body = {"tracking_code": code, "action": action, "idempotency_key": uuid.uuid4().hex,
            "at": datetime.now(UTC).isoformat(), "lat": 0.5071, "lon": 101.4478, "device_id": "bench-phone-1"}
    if action == "delivered":
        body.update(recipient_name="Siti Aminah", recipient_relation="self")
    return body


class PhaseResult:
    def __init__(self, action: str):
        self.action = action
        self.scans = 0
        self.seconds = 0.0
        self.queries = 0
        self.cut = False
        self.done: list[str] = []


def run_phase(client, headers, codes: list[str], action: str, mode: str, budget: float, counter) -> PhaseResult:
    """Scan every code with one action; bounded by len(codes) and by `budget` seconds."""
    result = PhaseResult(action)
    start = time.perf_counter()
    before = counter.count
    if mode == "single":
        for code in codes:
            response = client.post("/api/v1/scans", json=scan_body(code, action), headers=headers)
            if response.status_code != 201:
                raise RuntimeError(f"{action} {code}: {response.status_code} {response.get_data(as_text=True)[:300]}")
            result.done.append(code)
            if time.perf_counter() - start > budget:
                result.cut = True
                break
    else:
        for first in range(0, len(codes), BATCH_SIZE):
            chunk = codes[first:first + BATCH_SIZE]
            response = client.post("/api/v1/scans/batch", json={"scans": [scan_body(c, action) for c in chunk]},
                                   headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"batch {action}: {response.status_code} {response.get_data(as_text=True)[:300]}")
            bad = [r for r in response.get_json()["results"] if r["status"] != 201]
            if bad:
                raise RuntimeError(f"batch {action}: {len(bad)} items refused, first {bad[0]}")
            result.done.extend(chunk)
            if time.perf_counter() - start > budget:
                result.cut = len(result.done) < len(codes)
                break
    result.seconds = time.perf_counter() - start
    result.scans = len(result.done)
    result.queries = counter.count - before
    return result


def fresh_url(backend: str, name: str, work: Path, template: list[Path], pg: str | None) -> str:
    if backend == "sqlite":
        return setup.fresh_sqlite(work, name, template)
    return setup.fresh_postgres(pg)


def prepared(url: str, parcels: int):
    """(app, client, headers, codes, setup seconds) with a handed-over recap of `parcels` parcels."""
    app = create_app(setup.bench_config(url))
    start = time.perf_counter()
    with app.app_context():
        people = setup.create_people()
        _recap_id, codes, steps = setup.handed_over_recap(people, parcels)
        token = setup.courier_token(people)
    return app, app.test_client(), {"Authorization": f"Bearer {token}"}, codes, time.perf_counter() - start, steps


def check_final(app, codes: list[str]) -> str:
    """Parcel states and event counts after the run, as a sanity line."""
    from distribusi.custody import CustodyEvent
    from distribusi.extensions import db
    from distribusi.recap.models import Parcel

    with app.app_context():
        states = {status: n for status, n in db.session.execute(
            sa.select(Parcel.status, sa.func.count()).group_by(Parcel.status)).all()}
        events = db.session.scalar(sa.select(sa.func.count()).select_from(CustodyEvent)
                                   .where(CustodyEvent.subject_type == "parcel"))
        db.session.remove()
    shown_states = ", ".join(f"{k.value}={v}" for k, v in sorted(states.items(), key=lambda kv: kv[0].value))
    return f"parcels {shown_states}; parcel custody events {events}"


def one_case(backend: str, mode: str, args, work: Path, template: list[Path], pg: str | None) -> list[PhaseResult]:
    url = fresh_url(backend, f"{mode}", work, template, pg)
    app, client, headers, codes, setup_seconds, steps = prepared(url, args.parcels)
    print(f"  {backend}/{mode}: set-up {setup_seconds:.1f} s for {len(codes)} parcels ("
          + ", ".join(f"{k} {v:.2f}s" for k, v in steps.items()) + ")")
    from distribusi.extensions import db

    with app.app_context():
        engine = db.engine
    results = []
    with setup.QueryCounter(engine) as counter:
        todo = codes
        for action in ACTIONS:
            result = run_phase(client, headers, todo, action, mode, args.phase_budget, counter)
            results.append(result)
            todo = result.done
            if result.cut:
                print(f"  {backend}/{mode}: {action} cut at {result.scans} scans by --phase-budget "
                      f"{args.phase_budget:.0f}s")
    print(f"  {backend}/{mode}: after the run: {check_final(app, codes)}")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    sys.stdout.flush()
    return results


def profile_case(backend: str, args, work: Path, template: list[Path], pg: str | None) -> None:
    """cProfile `--profile-scans` single scans of each action on a fresh recap of --parcels parcels."""
    url = fresh_url(backend, "profile", work, template, pg)
    app, client, headers, codes, _s, _steps = prepared(url, args.parcels)
    todo = codes[: args.profile_scans]
    for action in ACTIONS:
        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.enable()
        for code in todo:
            response = client.post("/api/v1/scans", json=scan_body(code, action), headers=headers)
            assert response.status_code == 201, response.get_data(as_text=True)[:300]
        profiler.disable()
        seconds = time.perf_counter() - start
        print(f"\n-- cProfile {backend} single {action}: {len(todo)} scans in {seconds:.2f} s under the profiler "
              f"({len(todo) / seconds:,.0f}/s)")
        for title, order, restrict in (("the app's own functions by cumulative time", "cumulative", ("distribusi", 22)),
                                       ("all functions by own time", "tottime", (15,))):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(*restrict)
            text = out.getvalue().replace(str(setup.ROOT) + "/", "")
            print(f"   {title}:")
            print(text[text.find("   ncalls"):].rstrip())
    from distribusi.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def commit_latency(url: str, count: int = 200) -> str:
    """Milliseconds of one tiny INSERT + COMMIT on this server, with synchronous_commit on (the default) and off:
    every scan is one commit, so this is the floor of a PostgreSQL scan."""
    engine = sa.create_engine(url)
    figures = []
    try:
        with engine.connect() as c:
            # a regular table: a temporary one writes no WAL, so its commit would not wait for the disk
            c.execute(sa.text("DROP TABLE IF EXISTS bench_commit_probe; CREATE TABLE bench_commit_probe (x int)"))
            c.commit()
            for mode in ("on", "off"):
                c.execute(sa.text(f"SET synchronous_commit = {mode}"))
                c.commit()
                start = time.perf_counter()
                for _ in range(count):
                    c.execute(sa.text("INSERT INTO bench_commit_probe VALUES (1)"))
                    c.commit()
                figures.append(f"{mode} {1000 * (time.perf_counter() - start) / count:.2f} ms")
            c.execute(sa.text("DROP TABLE bench_commit_probe"))
            c.commit()
    finally:
        engine.dispose()
    return "insert+commit with synchronous_commit " + ", ".join(figures)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parcels", type=int, default=2000, help="parcels in the handed-over recap (default 2000)")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="subset of sqlite,postgresql")
    parser.add_argument("--modes", default=",".join(MODES), help="subset of single,batch")
    parser.add_argument("--phase-budget", type=float, default=120.0,
                        help="seconds after which one phase (one action over all parcels) stops (default 120)")
    parser.add_argument("--profile", action="store_true",
                        help="after the table, cProfile single scans of each action on each backend")
    parser.add_argument("--profile-scans", type=int, default=300, help="scans per action profiled (default 300)")
    args = parser.parse_args()
    backends = [b for b in args.backends.split(",") if b]
    modes = [m for m in args.modes.split(",") if m]
    if not backends or set(backends) - set(BACKENDS) or not modes or set(modes) - set(MODES):
        parser.error("unknown backend or mode")
    if not 1 <= args.parcels <= 2500:
        parser.error("--parcels must be between 1 and 2500 (one recap holds at most 5000 documents)")

    setup.header(f"courier scans: single POST /api/v1/scans and batch POST /api/v1/scans/batch ({BATCH_SIZE}/request)")
    print(f"workload    {args.parcels} parcels in one handed-over recap; phases accept, out_for_delivery, delivered "
          f"({3 * args.parcels} scans per case); rate limiter off; test_client, no network")
    pg = None
    if "postgresql" in backends:
        pg = setup.pg_url(PG_DATABASE)
        problem = setup.ensure_pg_database(pg)
        if problem:
            print(f"postgresql  skipped: {problem}")
            backends.remove("postgresql")
        else:
            print(f"postgresql  {setup.shown(pg)} (schema reset per case); {commit_latency(pg)}")
    rows = []
    with setup.workdir() as tmp:
        work, template = Path(tmp), []
        for backend in backends:
            for mode in modes:
                results = one_case(backend, mode, args, work, template, pg)
                for r in results:
                    rows.append([backend, mode, r.action + (" (cut)" if r.cut else ""), str(r.scans),
                                 f"{r.seconds:.2f}", f"{r.scans / r.seconds:,.0f}" if r.seconds else "-",
                                 f"{1000 * r.seconds / max(r.scans, 1):.2f}", f"{r.queries / max(r.scans, 1):.1f}"])
                total_scans = sum(r.scans for r in results)
                total_seconds = sum(r.seconds for r in results)
                total_queries = sum(r.queries for r in results)
                rows.append([backend, mode, "all", str(total_scans), f"{total_seconds:.2f}",
                             f"{total_scans / total_seconds:,.0f}", f"{1000 * total_seconds / total_scans:.2f}",
                             f"{total_queries / total_scans:.1f}"])
        print()
        setup.print_table(["backend", "mode", "action", "scans", "seconds", "scans/s", "ms/scan", "SQL/scan"], rows)
        print(f"\nload avg after: {setup.load_average()}")
        if args.profile:
            for backend in backends:
                profile_case(backend, args, work, template, pg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
