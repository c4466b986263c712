"""gunicorn settings for Distribusi: `gunicorn -c deploy/gunicorn.conf.py wsgi:app` (distribusi-web.service).

Sync workers (see docs/benchmarks.md: better than gthread for these short requests), two per core; access lines
as JSON without query strings or tracking codes (distribusi.monitoring.gunicorn.MaskingLogger), with the request id
that the app echoes in X-Request-ID; Prometheus figures of all workers added up through PROMETHEUS_MULTIPROC_DIR.
"""
import multiprocessing
import os
import shutil

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count()))
worker_class = "sync"
timeout = 120  # a 50,000-row import or the labels of a 2,000-parcel recap take seconds, not minutes
graceful_timeout = 30
max_requests = 5000  # recycle workers now and then (memory of big imports)
max_requests_jitter = 500
forwarded_allow_ips = "127.0.0.1"  # nginx on this host; the app itself reads X-Forwarded-For (PROXY_FIX_X_FOR=1)

logger_class = "distribusi.monitoring.gunicorn.MaskingLogger"
errorlog = "-"  # gunicorn's own lines, JSON like the app's, to stderr (journal or /var/log/distribusi/app.log)
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "/var/log/distribusi/access.log")
# %(U)s is the path without the query string (hp=, verify= carry phone digits); MaskingLogger still masks
# tracking codes in the path. %({x-request-id}o)s is the id the app sent back (from nginx's $request_id).
access_log_format = ('{"time":"%(t)s","remote":"%(h)s","method":"%(m)s","path":"%(U)s","status":%(s)s,'
                     '"bytes":%(B)s,"duration_ms":%(M)s,"request_id":"%({x-request-id}o)s","agent":"%(a)s"}')

# Prometheus: every worker writes its figures here; a scrape of /metrics adds them up (distribusi.monitoring).
METRICS_DIR = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", "/run/distribusi/prometheus")


def on_starting(server):
    """Start with an empty metrics directory: figures of workers of an earlier run must not be added up."""
    shutil.rmtree(METRICS_DIR, ignore_errors=True)
    os.makedirs(METRICS_DIR, exist_ok=True)


def child_exit(server, worker):
    """A worker that ended stops counting in the live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
