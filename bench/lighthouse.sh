#!/usr/bin/env bash
# Lighthouse scores (performance, accessibility, best practices) for "My work", a problem page and a public
# priority's page, as the demo serves them (`make run`: DEBUG on, runserver, the built and collected assets).
#
#   make lighthouse                        # mobile (Lighthouse's default: a mid-range phone on slow 4G, simulated)
#   LIGHTHOUSE_PRESET=desktop make lighthouse
#   LIGHTHOUSE_RUNS=3 make lighthouse      # the median of three runs per page
#
# Uses the `lighthouse` npm package (a devDependency, with puppeteer-core to sign in) driving Debian's Chromium
# (CHROME_PATH, headless), never a downloaded browser (bench/lighthouse.mjs). The demo is loaded into a temporary SQLite database and public-site folder, so the
# demo you run with `make run` is left alone. Reports (HTML and JSON) are kept in bench/lighthouse-results/.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
PRESET=${LIGHTHOUSE_PRESET:-mobile}
RUNS=${LIGHTHOUSE_RUNS:-1}
OUT=${OUT:-bench/lighthouse-results}
PORT=${LIGHTHOUSE_PORT:-8766}
[ -x "$CHROME_PATH" ] || { echo "No Chromium at $CHROME_PATH: run scripts/ensure_browser.sh" >&2; exit 1; }

work=$(mktemp -d)
mkdir -p "$OUT"
export DATABASE_URL="sqlite:///$work/db.sqlite3" PUBLIC_SITE_DIR="$work/public_site" PORT
make -s demo >"$work/demo.log" 2>&1 || { cat "$work/demo.log" >&2; exit 1; }

STATIC_MANIFEST=1 "$PY" manage.py runserver "127.0.0.1:$PORT" --noreload >"$work/server.log" 2>&1 &
server=$!
stop() {
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap stop EXIT
for _ in $(seq 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
    sleep 0.2
done

"$PY" bench/lighthouse_pages.py "http://127.0.0.1:$PORT" >"$work/targets.json"
node bench/lighthouse.mjs "$work/targets.json" "$OUT" "$PRESET" "$RUNS"
