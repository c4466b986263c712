"""Benchmark: the cost of one request in process (test_client): a bare Flask app, the app's /health, public tracking.

    .venv/bin/python bench/request_cost.py [--parcels 20000] [--requests 300] [--callgrind]

Runs on the data of `bench/tracking.py --parcels N` (run that first). Prints the CPU milliseconds of one request,
the best of 5 interleaved passes. With --callgrind each case runs again under `valgrind --tool=callgrind`, with
instrumentation switched on only for the timed requests: instructions per request, unaffected by other load on
the machine (the database server's own work is not counted).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

import common  # (also puts the project on sys.path)
import sqlalchemy as sa

CASES = {"bare": "/", "health": "/health", "track": "/api/v1/public/track/{}"}


def client_and_codes(case: str, url: str, count: int):
    """A test client for the case and `count` tracking codes from the database."""
    if case == "bare":
        from bare_app import app
    else:
        from distribusi import create_app

        app = create_app(common.bench_config(url, PUBLIC_RATE_LIMIT="100000000 per minute"))
    engine = sa.create_engine(url)
    with engine.connect() as c:
        codes = c.scalars(sa.text("SELECT tracking_code FROM parcels ORDER BY random() LIMIT :n"), {"n": count}).all()
    engine.dispose()
    return app.test_client(), codes


def requests(client, path: str, codes: list[str]) -> None:
    for code in codes:
        response = client.get(path.format(code))
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code}")


def under_callgrind(case: str, url: str, count: int) -> None:
    """The child run by valgrind: warm up, switch instrumentation on, make the requests, leave without shutdown."""
    client, codes = client_and_codes(case, url, count)
    requests(client, CASES[case], codes[:20])
    subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], capture_output=True, check=True)
    requests(client, CASES[case], codes)
    os._exit(0)  # the interpreter's shutdown would be counted too


def instructions(case: str, url: str, count: int) -> float:
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=/dev/null",
               sys.executable, __file__, "--child", case, "--url", url, "--requests", str(count)]
    output = subprocess.run(command, capture_output=True, text=True, cwd=common.ROOT)
    found = re.search(r"Collected : (\d+)", output.stderr)
    if not found:
        raise SystemExit(f"callgrind failed: {output.stderr[-800:]}")
    return int(found.group(1)) / count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parcels", type=int, default=20_000, help="the data of bench/tracking.py --parcels N")
    parser.add_argument("--requests", type=int, default=300, help="requests a pass (default 300)")
    parser.add_argument("--callgrind", action="store_true", help="also count instructions with valgrind")
    parser.add_argument("--child", choices=CASES, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        under_callgrind(args.child, args.url, args.requests)
    common.header("the cost of one request, in process")
    databases, message = common.PostgresDatabases.connect(f"bench_tracking_{args.parcels}")
    if databases is None:
        print(message)
        return 1
    clients = {case: client_and_codes(case, databases.url, args.requests) for case in CASES}
    best = {case: float("inf") for case in CASES}
    for _ in range(5):
        for case, (client, codes) in clients.items():
            start = time.process_time()
            requests(client, CASES[case], codes)
            best[case] = min(best[case], (time.process_time() - start) / len(codes))
    counts = {}
    if args.callgrind:
        if shutil.which("valgrind") is None:
            print("valgrind is missing: `apt-get install -y valgrind`")
        else:
            counts = {case: instructions(case, databases.url, args.requests) for case in CASES}
    print()
    common.print_rows(["request", "cpu ms", "x bare"] + (["instructions", "x bare "] if counts else []), [
        [f"{case} GET {CASES[case].format('<code>')}", f"{1000 * best[case]:.3f}", f"{best[case] / best['bare']:.1f}"]
        + ([f"{counts[case] / 1e6:.2f} M", f"{counts[case] / counts['bare']:.1f}"] if counts else [])
        for case in CASES])
    return 0


if __name__ == "__main__":
    sys.exit(main())
