"""The pieces of the browser suite: Debian's Chromium, the real app served on a free port, logging in."""
from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass, field

from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# without the background-networking flags Chromium keeps trying to reach the internet
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
DEMO_PASSWORD = "demo12345"


def chromium_missing() -> str | None:
    """None when Chromium and Playwright are there, else why not."""
    if not os.path.exists(CHROMIUM):
        return f"Chromium tidak ada di {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "paket playwright belum terpasang (make install)"
    return None


def launch(playwright, *extra_args: str):
    """Debian's Chromium, headless, never Playwright's own download; extra_args e.g. the fake camera flags."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args])


@dataclass
class LiveServer:
    """The real app on 127.0.0.1:<free port> in a thread; `app` for reaching the same database from the test."""

    app: object
    url: str = ""
    _server: object = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def start(self) -> LiveServer:
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)


def log_in(page, server: LiveServer, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login page as a demo user and land on the home page."""
    page.goto(f"{server.url}/login")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{server.url}/**")
    assert "/login" not in page.url, f"login {username} gagal"
