"""Benchmark: courier scans per second through the JSON API, single and batch, on SQLite and PostgreSQL.

    .venv/bin/python bench/scans.py [--parcels 2000] [--backends sqlite,postgresql] [--modes single,batch]
        [--phase-budget 120] [--profile]

Each (backend, mode) starts from a fresh database (common.open_backends) holding one recap of --parcels household
parcels handed over by the services (common.handed_over_recap). Timed through app.test_client() with the
courier's bearer token: `single` is one POST /api/v1/scans per scan, `batch` POST /api/v1/scans/batch with 500
scans a request. Three phases over every parcel, in flow order: accept, out_for_delivery, delivered. A phase stops
after --phase-budget seconds; later phases then use only the parcels it reached.
"""
from __future__ import annotations

import argparse
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import common  # (also puts the project on sys.path)

from distribusi import create_app

MODES = ("single", "batch")
ACTIONS = ("accept", "out_for_delivery", "delivered")
BATCH_SIZE = 500


def scan_body(code: str, action: str) -> dict:
    body = {"tracking_code": code, "action": action, "idempotency_key": uuid.uuid4().hex,
            "at": datetime.now(UTC).isoformat(), "lat": 0.5071, "lon": 101.4478, "device_id": "bench-phone-1"}
    if action == "delivered":
        body.update(recipient_name="Siti Aminah", recipient_relation="self")
    return body


def post_scans(client, headers, codes: list[str], action: str, mode: str) -> None:
    if mode == "single":
        for code in codes:
            response = client.post("/api/v1/scans", json=scan_body(code, action), headers=headers)
            if response.status_code != 201:
                raise RuntimeError(f"{action} {code}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        return
    response = client.post("/api/v1/scans/batch", json={"scans": [scan_body(c, action) for c in codes]},
                           headers=headers)
    refused = [r for r in response.get_json()["results"] if r["status"] != 201] if response.status_code == 200 else [1]
    if refused:
        raise RuntimeError(f"batch {action}: {response.status_code}, first refusal {refused[0]}")


def run_case(url: str, mode: str, args) -> list[list[str]]:
    """The table rows of one case: one per phase and a total."""
    from distribusi.extensions import db

    app = create_app(common.bench_config(url))
    with app.app_context():
        people = common.create_people()
        codes = common.handed_over_recap(people, args.parcels)
        headers = common.bearer(people.user("courier"))
        engine = db.engine
    client, rows, totals = app.test_client(), [], [0, 0.0, 0]
    step = 1 if mode == "single" else BATCH_SIZE
    with common.QueryCounter(engine) as counter:
        for action in ACTIONS:
            done, cut, before, start = [], False, counter.count, time.perf_counter()
            for first in range(0, len(codes), step):
                post_scans(client, headers, codes[first:first + step], action, mode)
                done += codes[first:first + step]
                if time.perf_counter() - start > args.phase_budget:
                    cut = len(done) < len(codes)
                    break
            seconds, queries = time.perf_counter() - start, counter.count - before
            rows.append([action + (" (cut)" if cut else ""), str(len(done)), f"{seconds:.2f}",
                         f"{len(done) / seconds:,.0f}", f"{1000 * seconds / len(done):.2f}",
                         f"{queries / len(done):.1f}"])
            totals = [totals[0] + len(done), totals[1] + seconds, totals[2] + queries]
            codes = done
    rows.append(["all", str(totals[0]), f"{totals[1]:.2f}", f"{totals[0] / totals[1]:,.0f}",
                 f"{1000 * totals[1] / totals[0]:.2f}", f"{totals[2] / totals[0]:.1f}"])
    if args.profile:
        common.profile(lambda: post_scans(client, headers, codes[:200], "out_for_delivery", "single"))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parcels", type=int, default=2000, help="parcels in the handed-over recap (default 2000)")
    parser.add_argument("--backends", default=",".join(common.BACKENDS), help="subset of sqlite,postgresql")
    parser.add_argument("--modes", default=",".join(MODES), help="subset of single,batch")
    parser.add_argument("--phase-budget", type=float, default=120.0, help="seconds per phase at most (default 120)")
    parser.add_argument("--profile", action="store_true", help="cProfile 200 single scans after each case")
    args = parser.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    if not modes or set(modes) - set(MODES) or not 1 <= args.parcels <= 2500:
        parser.error("--modes: single,batch; --parcels: 1..2500 (one recap holds at most 5000 documents)")
    common.header(f"courier scans: POST /api/v1/scans and /api/v1/scans/batch ({BATCH_SIZE} a request)")
    print(f"workload    {args.parcels} parcels in one handed-over recap; accept, out_for_delivery, delivered "
          f"({3 * args.parcels} scans a case); test_client, no network")
    rows = []
    with common.workdir() as tmp:
        backends, lines = common.open_backends(common.parse_backends(parser, args.backends), Path(tmp))
        for line in lines:
            print(f"database    {line}")
        for backend in backends:
            for mode in modes:
                rows += [[backend.name, mode, *row] for row in run_case(backend.fresh(), mode, args)]
    print()
    common.print_rows(["backend", "mode", "action", "scans", "seconds", "scans/s", "ms/scan", "SQL/scan"], rows)
    print(f"\nload        {common.load_average()} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
