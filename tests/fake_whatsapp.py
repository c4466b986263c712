"""Real HTTP on 127.0.0.1 for the notification tests: a fake WhatsApp Cloud API / SMS gateway that records what it
gets and fails or stalls on purpose, and the app served by werkzeug in a thread."""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from werkzeug.serving import make_server


class FakeGateway:
    """Answers POSTs with the next planned behaviour: "ok", "fail" (500), "reject" (400), "slow" (longer than the
    sender's timeout, then 200). With no plan left it answers "ok". Every request is recorded."""

    def __init__(self, delay: float = 0.0):
        self.plan: deque[str] = deque()
        self.received: list[dict] = []
        self.delay = delay
        self.slow_seconds = 3.0
        self._lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with gateway._lock:
                    behaviour = gateway.plan.popleft() if gateway.plan else "ok"
                    gateway.received.append({"path": self.path, "headers": dict(self.headers), "json": body,
                                             "behaviour": behaviour})
                    number = len(gateway.received)
                if gateway.delay:
                    time.sleep(gateway.delay)
                if behaviour == "slow":
                    time.sleep(gateway.slow_seconds)
                status = {"fail": 500, "reject": 400}.get(behaviour, 200)
                answer = json.dumps({"messages": [{"id": f"wamid.fake{number}"}], "id": number}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:  # the sender gave up waiting (timeout)
                    pass

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self) -> FakeGateway:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class LiveApp:
    """The Flask app on a free port, served by werkzeug in a thread (real HTTP, real raw bodies)."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self) -> LiveApp:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()
