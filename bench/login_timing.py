"""Benchmark: does the login's time tell whether a username exists? Median times of failed logins.

    cd /work/main && .venv/bin/python bench/login_timing.py [--rounds 30]

Set-up (not timed): the production Config with the real Argon2 parameters (ARGON2_FAST off), a fresh SQLite
database migrated like production, the PKU office and one clerk (admin.services.create_user), the failed-login
limits raised so no attempt is refused.

Timed, through app.test_client(), POST /api/v1/auth/token (the same service as the login page), the cases taking
turns in every round so a busy spell on the machine hits them alike:
- known user, wrong password (one Argon2 verification against the user's hash);
- unknown user (one verification against the dummy hash, made once per process before the first round);
- known user, right password (for reference: also issues a token and commits).
Both failures should cost the same; before issue 14.5 the unknown user also computed a new hash (270 vs 116 ms).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402  (also puts the project on sys.path)

from distribusi import create_app  # noqa: E402

CASES = {
    "known user, wrong password": (common.CLERK["username"], "kata-sandi-yang-salah"),
    "unknown user": ("tidak.ada.orangnya", "kata-sandi-yang-salah"),
    "known user, right password": (common.CLERK["username"], common.CLERK["password"]),
}
EXPECTED = {"known user, wrong password": 401, "unknown user": 401, "known user, right password": 201}
NO_LIMIT = "1000000 per 15 minutes"


def run(rounds: int, workdir: Path) -> dict[str, list[float]]:
    from distribusi.admin.services import create_office, create_user
    from distribusi.extensions import db

    url = common.SqliteDatabases(workdir).fresh()
    app = create_app({**common.bench_config(url), "ARGON2_FAST": False, "LOGIN_LIMIT_PER_ACCOUNT_ADDRESS": NO_LIMIT,
                      "LOGIN_LIMIT_PER_ADDRESS": NO_LIMIT, "LOGIN_LIMIT_PER_ACCOUNT": NO_LIMIT})
    times: dict[str, list[float]] = {case: [] for case in CASES}
    with app.app_context():
        create_user(create_office(*common.OFFICE), dict(common.CLERK))
        db.session.commit()
        db.session.remove()
        client = app.test_client()
        for number in range(rounds + 1):  # round 0 warms up (first request, the dummy hash); not counted
            for case, (username, password) in CASES.items():
                timing, response = common.timed(lambda: client.post(
                    "/api/v1/auth/token", json={"username": username, "password": password}))
                if response.status_code != EXPECTED[case]:
                    raise RuntimeError(f"{case}: {response.status_code} {response.get_data(as_text=True)[:200]}")
                if number:
                    times[case].append(timing.wall)
        db.session.remove()
        db.engine.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="timed logins per case (default 30)")
    args = parser.parse_args()
    common.header("login timing: failed logins of a known and an unknown username (POST /api/v1/auth/token)")
    with tempfile.TemporaryDirectory() as workdir:
        times = run(args.rounds, Path(workdir))
    print(f"{'case':<28} {'runs':>5} {'median ms':>10} {'p10 ms':>8} {'p90 ms':>8}")
    for case, seconds in times.items():
        deciles = statistics.quantiles(seconds, n=10)
        print(f"{case:<28} {len(seconds):>5} {statistics.median(seconds) * 1000:>10.1f} {deciles[0] * 1000:>8.1f} "
              f"{deciles[-1] * 1000:>8.1f}")
    known, unknown = (statistics.median(times[case]) for case in ("known user, wrong password", "unknown user"))
    print(f"unknown / known (medians): {unknown / known:.2f}")


if __name__ == "__main__":
    main()
