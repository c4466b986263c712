#!/usr/bin/env bash
# Refresh the front-end libraries vendored into distribusi/static/vendor/ from npm (run by hand, then commit).
# Nothing is fetched at run time or at install: office networks are often closed, and the CSP allows only 'self'.
set -euo pipefail
cd "$(dirname "$0")/.."
VENDOR=distribusi/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() {  # fetch <npm spec> <dir name>: unpack the package tarball into $work/<dir name>
  (cd "$work" && npm pack --silent "$1" >/dev/null && mkdir -p "$2" && tar xzf ./*.tgz -C "$2" && rm ./*.tgz)
}

fetch bootstrap@5.3.9 bootstrap
fetch htmx.org@2.0.11 htmx
fetch chart.js@4.6.1 chartjs
fetch qr-scanner@1.4.2 qr-scanner

rm -rf "$VENDOR" && mkdir -p "$VENDOR"/{bootstrap,htmx,chartjs,qr-scanner}
cp "$work"/bootstrap/package/dist/css/bootstrap.min.css "$work"/bootstrap/package/LICENSE "$VENDOR"/bootstrap/
cp "$work"/htmx/package/dist/htmx.min.js "$work"/htmx/package/LICENSE "$VENDOR"/htmx/
cp "$work"/chartjs/package/dist/chart.umd.min.js "$work"/chartjs/package/LICENSE.md "$VENDOR"/chartjs/
# the ES module build; it imports its worker file from the same folder (the worker runs from a blob: URL)
cp "$work"/qr-scanner/package/qr-scanner.min.js "$work"/qr-scanner/package/qr-scanner-worker.min.js \
   "$work"/qr-scanner/package/LICENSE "$VENDOR"/qr-scanner/
# the source-map comments point at files we do not ship
sed -i '/sourceMappingURL/d' "$VENDOR"/bootstrap/bootstrap.min.css "$VENDOR"/chartjs/chart.umd.min.js
sed -i 's|//# sourceMappingURL=[^ ]*$||' "$VENDOR"/qr-scanner/qr-scanner.min.js "$VENDOR"/qr-scanner/qr-scanner-worker.min.js
echo "bootstrap 5.3.9 (MIT), htmx.org 2.0.11 (0BSD), chart.js 4.6.1 (MIT), qr-scanner 1.4.2 (MIT) -> $VENDOR"
