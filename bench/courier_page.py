"""Benchmark: the courier page's weight and its time to interactive on Chromium's "Slow 3G" emulation.

    .venv/bin/python bench/courier_page.py [--runs 3] [--no-gzip]

Weight: every script and stylesheet the page loads (courier/views.ASSETS), raw and gzipped, against the 150 KB
gzip budget. Time: the demo database behind the real app on a free port (werkzeug in a thread; a small gzip
middleware stands in for the reverse proxy unless --no-gzip), Debian's Chromium driven by Playwright on a
390×844 phone viewport, throttled through CDP Network.emulateNetworkConditions with DevTools' Slow 3G figures
(2,000 ms latency, 50,000 B/s each way). Time to interactive is the page's own mark: app.js sets
body[data-ready-at] (performance.now(), ms since navigation start) once the scan button, the manual entry and the
queue are wired. Three loads: cold (empty cache, no service worker), warm (the service worker's cache) and
offline (the service worker alone).
"""
from __future__ import annotations

import argparse
import gzip
import statistics
import tempfile
import threading
from pathlib import Path

import common  # (also puts the project on sys.path)

from distribusi import create_app
from distribusi.courier.views import ASSETS

STATIC = Path(common.__file__).resolve().parent.parent / "distribusi" / "static"
SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "id-ID"}
BUDGET = 150 * 1024
PASSWORD = "demo12345"


def weight() -> int:
    print(f"{'file':52} {'raw':>9} {'gzip':>9}")
    total_raw = total_gzip = 0
    for name in ASSETS:
        if not name.endswith((".js", ".css")):
            continue
        data = (STATIC / name).read_bytes()
        packed = len(gzip.compress(data, 9))
        total_raw += len(data)
        total_gzip += packed
        print(f"{name:52} {len(data):>9,} {packed:>9,}")
    verdict = "within" if total_gzip <= BUDGET else "OVER"
    print(f"{'total JS + CSS':52} {total_raw:>9,} {total_gzip:>9,}  ({verdict} the 150 KB gzip budget)")
    return total_gzip


class Gzip:
    """Compress text answers as the reverse proxy in front of the app would."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if "gzip" not in environ.get("HTTP_ACCEPT_ENCODING", ""):
            return self.app(environ, start_response)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured.update(status=status, headers=headers)
            return lambda _data: None

        body = b"".join(self.app(environ, capture))
        headers = captured["headers"]
        kind = next((v for k, v in headers if k.lower() == "content-type"), "")
        if any(t in kind for t in ("javascript", "css", "html", "json")) and len(body) > 512:
            body = gzip.compress(body, 6)
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers += [("Content-Encoding", "gzip"), ("Content-Length", str(len(body))), ("Vary", "Accept-Encoding")]
        start_response(captured["status"], headers)
        return [body]


def serve(app, compress: bool):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, Gzip(app) if compress else app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def demo_app(folder: Path):
    from flask_migrate import upgrade

    from distribusi.demo_data import load_demo
    from distribusi.extensions import db

    app = create_app(common.bench_config(f"sqlite:///{folder / 'demo.db'}", HTTPS=False))
    app.instance_path = str(folder / "instance")
    with app.app_context():
        upgrade()
        load_demo(PASSWORD)
        db.session.commit()
    return app


def log_in(page, url: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Nama pengguna").fill("kurir")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_selector("body[data-ready-at]")


def timed_load(page, url: str, cdp, conditions) -> tuple[float, int]:
    """(time to interactive in ms, bytes received) of one load of /kurir/ under the given conditions."""
    received = []
    cdp.on("Network.loadingFinished", lambda event: received.append(event["encodedDataLength"]))
    cdp.send("Network.emulateNetworkConditions", conditions)
    page.goto(f"{url}/kurir/")
    page.wait_for_selector("body[data-ready-at]", timeout=120_000)
    ready = float(page.get_attribute("body", "data-ready-at"))
    cdp.send("Network.emulateNetworkConditions", {**SLOW_3G, "latency": 0, "downloadThroughput": -1,
                                                   "uploadThroughput": -1})
    return ready, int(sum(received))


def measure(url: str, runs: int) -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser.support import launch  # Debian's Chromium, never Playwright's download

    results: dict[str, list[tuple[float, int]]] = {"cold (no cache, no service worker)": [],
                                                   "warm (service worker cache)": [], "offline (service worker)": []}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for _ in range(runs):
            context = browser.new_context(**PHONE, service_workers="block")
            page = context.new_page()
            log_in(page, url)
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            results["cold (no cache, no service worker)"].append(timed_load(page, url, cdp, SLOW_3G))
            context.close()

            context = browser.new_context(**PHONE)
            page = context.new_page()
            log_in(page, url)
            page.wait_for_function("() => navigator.serviceWorker.controller !== null")
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            results["warm (service worker cache)"].append(timed_load(page, url, cdp, SLOW_3G))
            context.set_offline(True)
            results["offline (service worker)"].append(timed_load(page, url, cdp, SLOW_3G))
            context.close()
        browser.close()
    print(f"\n{'load of /kurir/ on Slow 3G':40} {'interactive (median)':>21} {'runs':>18} {'received':>10}")
    for name, values in results.items():
        times = [t for t, _ in values]
        print(f"{name:40} {statistics.median(times) / 1000:>19.2f} s "
              f"{' / '.join(f'{t / 1000:.1f}' for t in times):>18} {values[-1][1]:>10,}")
    print("(warm and offline: the page's files come from the service worker's cache; CDP's emulation on the page does"
          "\n not throttle the worker's own fetch of the page, so the warm figure is the cache path, not the network)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-gzip", action="store_true", help="serve without the gzip middleware")
    args = parser.parse_args()
    common.header("courier page: weight and time to interactive on Slow 3G")
    print(f"network     Slow 3G (DevTools): {SLOW_3G['latency']} ms latency, "
          f"{SLOW_3G['downloadThroughput']:,} B/s down/up; {'no compression' if args.no_gzip else 'gzip middleware'}\n")
    weight()
    with tempfile.TemporaryDirectory() as folder:
        app = demo_app(Path(folder))
        server, url = serve(app, not args.no_gzip)
        try:
            measure(url, args.runs)
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
