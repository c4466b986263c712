"""Run the mixed Locust load at rising user counts and watch where the machine saturates.

    .venv/bin/python bench/load/steps.py --host http://127.0.0.1:8000 [--users 20,40,80,120] [--seconds 60]

For every step: locust headless (bench/load/locustfile.py) with that many users, and every 2 s a sample of the CPU
used by gunicorn, PostgreSQL, locust and everything else (psutil), and of pg_stat_activity (active backends and
what they wait on: Lock, LWLock, IO, Client...). Prints one row a step: request rate, p95 per group (staff,
courier, public) against the goals (staff < 300 ms, public < 100 ms), CPU shares, database waits.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psutil
import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
GOALS = {"staff": 300, "public": 100}


def owner(process: psutil.Process) -> str:
    try:
        text = " ".join(process.cmdline()[:3]) or process.name()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return "other"
    for name in ("gunicorn", "postgres", "locust"):
        if name in text:
            return name
    return "other"


class Watcher(threading.Thread):
    """Samples CPU per owner and pg_stat_activity every 2 s until stopped."""

    def __init__(self, database_url: str):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.cpu: Counter[str] = Counter()
        self.waits: Counter[str] = Counter()
        self.active = 0
        self.samples = 0
        self.engine = sa.create_engine(database_url)
        self.load = (0.0, 0.0, 0.0)

    def _cpu_times(self) -> dict[int, tuple[str, float]]:
        times = {}
        for process in psutil.process_iter():
            try:
                spent = process.cpu_times()
                times[process.pid] = (owner(process), spent.user + spent.system)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
        return times

    def run(self) -> None:
        before, clock = self._cpu_times(), time.monotonic()
        while not self.stop.wait(2):
            now, tick = self._cpu_times(), time.monotonic()
            for pid, (name, spent) in now.items():
                self.cpu[name] += (spent - before.get(pid, (name, spent))[1]) / (tick - clock)
            before, clock = now, tick
            with self.engine.connect() as connection:
                rows = connection.execute(sa.text(
                    "SELECT state, coalesce(wait_event_type, 'CPU') FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")).all()
            for state, wait in rows:
                if state == "active":
                    self.active += 1
                    self.waits[wait] += 1
            self.samples += 1
            self.load = os.getloadavg()

    def report(self) -> dict:
        n = max(self.samples, 1)
        return {"cpu_cores": {k: round(v / n, 2) for k, v in self.cpu.most_common()},
                "pg_active_avg": round(self.active / n, 1),
                "pg_waits": {k: round(v / n, 2) for k, v in self.waits.most_common()},
                "loadavg": [round(x, 1) for x in self.load]}


def step(host: str, users: int, seconds: int, database_url: str) -> dict:
    summary_path = Path(f"/tmp/distribusi-load-{users}.json")
    env = {**os.environ, "LOAD_SUMMARY": str(summary_path)}
    watcher = Watcher(database_url)
    watcher.start()
    command = [str(Path(sys.executable).parent / "locust"), "-f", str(HERE / "locustfile.py"), "--headless",
               "-u", str(users), "-r", str(max(users // 5, 1)), "-t", f"{seconds}s", "--host", host,
               "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "5"]
    subprocess.run(command, env=env, capture_output=True, text=True)
    watcher.stop.set()
    watcher.join()
    result = json.loads(summary_path.read_text())
    result["machine"] = watcher.report()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="http://127.0.0.1:8000")
    parser.add_argument("--users", default="20,40,80,120")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_load",
                        help="the server's database, for pg_stat_activity")
    args = parser.parse_args()
    print(f"nproc {os.cpu_count()}, load before {os.getloadavg()}")
    results = []
    for users in (int(u) for u in args.users.split(",")):
        result = step(args.host, users, args.seconds, args.database)
        results.append(result)
        groups = result["groups"]
        verdict = all(groups.get(g, {}).get("p95", 0) < limit for g, limit in GOALS.items())
        print(json.dumps({"users": users, "rps": result["rps"], "failures": result["failures"],
                          **{f"p95_{g}": groups.get(g, {}).get("p95") for g in ("staff", "courier", "public")},
                          "goals_met": verdict, **result["machine"]}), flush=True)
    Path("/tmp/distribusi-load-steps.json").write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
