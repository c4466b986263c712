"""Entry point for gunicorn: `gunicorn wsgi:app`."""
from distribusi import create_app

app = create_app()
