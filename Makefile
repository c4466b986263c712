# make run: set everything up on SQLite and start the app. make test: set up and run the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app distribusi
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test chromium bench fuzz clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

instance/secret_key:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > $@
	chmod 600 $@

run: install instance/secret_key
	SECRET_KEY=$$(cat instance/secret_key) $(FLASK) db upgrade
	SECRET_KEY=$$(cat instance/secret_key) $(FLASK) demo-data
	@echo "Distribusi berjalan di http://$(HOST):$(PORT)  (hentikan dengan Ctrl+C)"
	SECRET_KEY=$$(cat instance/secret_key) PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)} HTTPS=$${HTTPS:-0} \
		GUNICORN_BIND=$(HOST):$(PORT) GUNICORN_WORKERS=2 GUNICORN_ACCESS_LOG=- PROMETHEUS_MULTIPROC_DIR=$(CURDIR)/instance/prometheus \
		$(BIN)/gunicorn -c deploy/gunicorn.conf.py wsgi:app

test: install chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The browser suite drives Debian's Chromium; in CI it is installed when missing (on a laptop the suite says why it
# skips). Never `playwright install`: it downloads a browser of its own.
chromium:
	@command -v chromium >/dev/null || [ "$$CI" != true ] || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# The long fuzz run: Schemathesis, FUZZ_EXAMPLES per operation and role, on SQLite and PostgreSQL (>= 10,000 requests each).
fuzz: install
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-65} $(BIN)/python -m pytest -m fuzz -p no:cacheprovider tests/test_fuzz.py $(PYTEST_ARGS)

# every scenario, tracking at a quick size; the full tracking run (1M parcels, 5M events) is
# `.venv/bin/python bench/tracking.py` (docs/benchmarks.md)
bench: install
	$(BIN)/python bench/import_documents.py
	$(BIN)/python bench/pack_recap.py
	$(BIN)/python bench/scans.py --parcels 500 --phase-budget 60
	$(BIN)/python bench/labels.py --quick
	$(BIN)/python bench/tracking.py --parcels 20000 --duration 9
	$(BIN)/python bench/request_cost.py --parcels 20000
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) instance .pytest_cache
