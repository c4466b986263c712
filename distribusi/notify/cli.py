"""`flask --app distribusi notify run [--once]`: the worker that sends the outbox."""
from __future__ import annotations

import logging

import click

from distribusi.notify import worker


@click.group("notify")
def notify_cli() -> None:
    """Citizen notifications (the outbox)."""


@notify_cli.command("run")
@click.option("--once", is_flag=True, help="Kirim pesan yang sudah jatuh tempo, lalu berhenti.")
@click.option("--poll", type=float, default=None, help="Detik jeda antar putaran (bawaan NOTIFY_POLL_SECONDS).")
def run(once: bool, poll: float | None) -> None:
    """Send due outbox messages with retries; several workers may run at once."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if once:
        stats = worker.run_once()
        click.echo(f"Terkirim {stats.sent}, dicoba lagi nanti {stats.retried}, gagal permanen {stats.dead}.")
        return
    click.echo("Pengirim notifikasi berjalan; hentikan dengan Ctrl+C.")
    try:
        worker.run_forever(poll)
    except KeyboardInterrupt:
        click.echo("Berhenti.")
