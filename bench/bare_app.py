"""A bare Flask app answering a constant: the floor that bench/tracking.py compares the app against."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def constant():
    return "ok"
