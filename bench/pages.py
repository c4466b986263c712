"""Benchmark: server render time of the heaviest staff pages, against a bare page of the same app as the floor.

    cd /work/main && .venv/bin/python bench/pages.py [--parcels 1000] [--requests 40] [--warmup 5]
        [--backends sqlite,postgresql] [--profile]

Per backend, one fresh database gets an office, its people and one recap of --parcels household parcels (two
documents each, so 2,000 documents for 1,000 parcels) walked to `handed_over` by the app's services
(bench/common.py `handed_over_recap`, as bench/scans.py does). Then the clerk logs in through the login form (CSRF
on, HTTPS cookies: the production Config) on `app.test_client()`, and each page is requested --warmup times
untimed, then --requests times timed, round-robin over the pages so a busy spell of the machine touches all of
them. The time is the wall time of `client.get()`, in process: routing, the session and user load, the queries,
the template, the security headers; no network and no gzip. The pages:

- floor (login):     GET /login, anonymous: the app stack and a small template, no user.
- floor (logged in): GET /password, the clerk's change-password page: the stack, the session's user, the menu.
- documents x N:     GET /dokumen?per_page=N, the clerk's document list showing N documents of the office.
- recap of N:        GET /rekap/<id>, the recap page of the N-parcel recap (every parcel and its documents).

The table gives median, p95 and best wall milliseconds, the median CPU milliseconds of this process (steadier when
other processes load the machine; on PostgreSQL it leaves out the server's work), the SQL statements of one request,
the page size and its table rows. Goal (issue 15):
under 200 ms for both big pages ("ok": p95 under it; "median ok, p95 over": the median is, the slowest 5 % are
not, as happens when other processes load the cores). --profile adds cProfile hotspots of one request of each big page on SQLite.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402  (also puts the project on sys.path)

import sqlalchemy as sa  # noqa: E402

DEFAULT_PARCELS = 1_000
GOAL_MS = 200
PG_DATABASE = "bench_pages"  # on the server of BENCH_POSTGRES_URL; not `bench`, which other scripts rebuild
BASE_URL = "https://localhost"  # the production Config sends Secure cookies only over HTTPS


def log_in(client, username: str, password: str) -> None:
    """Through the login form as a browser does: the CSRF token from the page, the Referer of the same site."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token.group(1)},
                           headers={"Referer": f"{BASE_URL}/login"})
    if response.status_code != 302:
        raise RuntimeError(f"login failed: {response.status_code} {response.get_data(as_text=True)[:300]}")


def pages(recap_id: int, parcels: int, documents: int) -> list[tuple[str, str, str]]:
    """(name, client, path) of every measured page; client is "anonymous" or "clerk"."""
    return [
        ("floor (login)", "anonymous", "/login"),
        ("floor (logged in)", "clerk", "/password"),
        (f"documents x {documents:,}", "clerk", f"/dokumen?per_page={documents}"),
        (f"recap of {parcels:,} parcels", "clerk", f"/rekap/{recap_id}"),
    ]


def measure(backend, parcels: int, requests: int, warmup: int, profile: bool) -> list[list[str]]:
    """The rows of the table for one backend."""
    from distribusi.extensions import db
    from distribusi.recap.models import Parcel

    app = common.create_app(common.bench_config(backend.fresh()))
    with app.app_context():
        people = common.create_people()
        codes = common.handed_over_recap(people, parcels)
        recap_id = db.session.scalar(sa.select(Parcel.recap_id).where(Parcel.tracking_code == codes[0]))
        clerk = people.user("clerk")
        username = clerk.username
        db.session.remove()
    documents = min(parcels, 1_000)
    clients = {"anonymous": app.test_client(), "clerk": app.test_client()}
    targets = pages(recap_id, len(codes), documents)
    with app.app_context():
        log_in(clients["clerk"], username, common.CLERK["password"])
        db.session.remove()

    def get(who: str, path: str):
        response = clients[who].get(path, base_url=BASE_URL)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        return response

    sizes, statements, rows_shown = {}, {}, {}
    for name, who, path in targets:  # warm-up: template compilation, first queries, caches
        for _ in range(warmup):
            get(who, path)
        with app.app_context():
            engine = db.engine
        with common.QueryCounter(engine) as counter:
            body = get(who, path).get_data(as_text=True)
        sizes[name], statements[name] = len(body.encode()), counter.count
        rows_shown[name] = body.count("<tr")
    times: dict[str, list[float]] = {name: [] for name, _, _ in targets}
    cpu: dict[str, list[float]] = {name: [] for name, _, _ in targets}
    for _ in range(requests):
        for name, who, path in targets:
            start, start_cpu = time.perf_counter(), time.process_time()
            get(who, path)
            times[name].append((time.perf_counter() - start) * 1000)
            cpu[name].append((time.process_time() - start_cpu) * 1000)

    rows = []
    for name, _, _ in targets:
        ms = sorted(times[name])
        p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
        median = statistics.median(ms)
        verdict = "" if name.startswith("floor") else (
            "ok" if p95 < GOAL_MS else "median ok, p95 over" if median < GOAL_MS else "MISSES")
        rows.append([backend.name, name, str(len(ms)), f"{median:.1f}", f"{p95:.1f}", f"{ms[0]:.1f}",
                     f"{statistics.median(cpu[name]):.1f}", str(statements[name]), f"{sizes[name] / 1024:,.0f}", str(rows_shown[name]), verdict])
    if profile:
        print(f"\n== cProfile: {backend.name}, one request of each big page ==")
        for name, who, path in targets[2:]:
            print(f"\n-- {name} ({path})")
            common.profile(lambda: get(who, path), top=20)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parcels", type=int, default=DEFAULT_PARCELS,
                        help=f"parcels in the recap, documents on the list page (default {DEFAULT_PARCELS:,})")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page (default 40)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first (default 5)")
    parser.add_argument("--backends", default=",".join(common.BACKENDS),
                        help="comma-separated subset of sqlite,postgresql (default both)")
    parser.add_argument("--profile", action="store_true", help="cProfile one request of each big page per backend")
    args = parser.parse_args(argv)
    backends_wanted = common.parse_backends(parser, args.backends)
    if not 1 <= args.parcels <= 2_500 or args.requests < 1 or args.warmup < 0:
        parser.error("--parcels must be 1..2500, --requests at least 1, --warmup at least 0")

    common.header("Render time of the staff pages")
    print(f"data        one recap of {args.parcels:,} parcels ({args.parcels * 2:,} documents), handed over "
          f"(services, untimed); the list shows {min(args.parcels, 1_000):,} documents")
    print(f"requests    {args.warmup} untimed then {args.requests} timed per page, round-robin, app.test_client(), "
          "clerk logged in through the form")
    with common.workdir() as tmp:
        backends = []
        for name in backends_wanted:  # PostgreSQL: a database of this script's own, rebuilt per run
            if name == "sqlite":
                backends.append(common.SqliteDatabases(Path(tmp)))
                print(f"backend     {backends[-1].describe()}")
            else:
                postgres, message = common.PostgresDatabases.connect(PG_DATABASE)
                print(f"backend     {message}")
                backends += [postgres] if postgres else []
        print(flush=True)
        rows = []
        for backend in backends:
            rows += measure(backend, args.parcels, args.requests, args.warmup, args.profile)
    print()
    common.print_rows(["backend", "page", "n", "median ms", "p95 ms", "best ms", "cpu ms (median)", "SQL", "KiB", "<tr>",
                       f"goal < {GOAL_MS} ms"], rows)
    print(f"\nload        {common.load_average()} at the end of the run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
