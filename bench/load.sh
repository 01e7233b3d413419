#!/usr/bin/env bash
# Load test: gunicorn on loopback against the bench database, locust headless, then a summary.
#
#   DATABASE_URL=postgres://root@127.0.0.1:5432/jps_bench bench/load.sh            # 50 users, 5 minutes
#   USERS=50 SPAWN=10 DURATION=30s bench/load.sh                                    # a quick check
#   REPLICA=1 POOLER=1 bench/load.sh      # past one machine: a streaming replica (scripts/start_replica.sh)
#                                         # for the opted-in reads, and PgBouncer (scripts/start_pgbouncer.sh)
#
# Needs: bench data (bench/generate.py), locust (pip install -r bench/requirements.txt; make load does it).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
BIN=$(dirname "$PY")
USERS=${USERS:-50}
SPAWN=${SPAWN:-10}
DURATION=${DURATION:-5m}
PORT=${PORT:-8765}
WORKERS=${WORKERS:-5}
OUT=${OUT:-bench/load-results}
: "${DATABASE_URL:?set DATABASE_URL to the bench database}"

# The same database on another port: the replica (5433) or PgBouncer (6432).
on_port() {
    python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); login = p.netloc.rpartition("@")[0]
print(p._replace(netloc=(login + "@" if login else "") + "127.0.0.1:" + sys.argv[2]).geturl())' "$DATABASE_URL" "$1"
}
if [ "${REPLICA:-0}" = 1 ]; then
    scripts/start_replica.sh start
    export DATABASE_REPLICA_URL
    DATABASE_REPLICA_URL=$(on_port 5433)
fi
if [ "${POOLER:-0}" = 1 ]; then
    PGBOUNCER_USERS=$(python3 -c 'import sys, urllib.parse as u; print(u.urlsplit(sys.argv[1]).username)' "$DATABASE_URL") \
        scripts/start_pgbouncer.sh start
    export DB_POOLER=pgbouncer DB_SET_ROLE=
    DATABASE_URL=$(on_port 6432)
fi

work=$(mktemp -d)
mkdir -p "$OUT"
export DEBUG=0 SECRET_KEY=${SECRET_KEY:-bench-only-not-secret} ALLOWED_HOSTS=127.0.0.1,localhost \
       SECURE_SSL_REDIRECT=0 STATIC_ROOT="$work/static" LOG_LEVEL=WARNING LOAD_USERS="$work/users.json" \
       EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend
"$PY" manage.py collectstatic --noinput -v 0
"$PY" bench/load_users.py > "$LOAD_USERS"

"$BIN/gunicorn" jps.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
    --access-logfile /dev/null --error-logfile "$work/gunicorn.log" --pid "$work/gunicorn.pid" &
gunicorn_pid=$!
stop() {
    kill "$gunicorn_pid" 2>/dev/null || true
    wait "$gunicorn_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap stop EXIT
for _ in $(seq 50); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
    sleep 0.2
done

"$BIN/locust" -f bench/locustfile.py --headless -u "$USERS" -r "$SPAWN" -t "$DURATION" \
    --host "http://127.0.0.1:$PORT" --csv "$OUT/load" --only-summary --stop-timeout 10 > "$OUT/locust.log" 2>&1 || true

"$PY" - "$OUT/load_stats.csv" <<'PYEOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(f"{'request':<32} {'count':>7} {'fail':>5} {'median':>7} {'p95':>6} {'req/s':>6}")
for r in rows:
    print(f"{r['Name']:<32} {int(r['Request Count']):>7} {int(r['Failure Count']):>5} "
          f"{r['50%']:>7} {r['95%']:>6} {float(r['Requests/s']):>6.1f}")
total = rows[-1]
print(f"\nthroughput {float(total['Requests/s']):.1f} req/s; p95 {total['95%']} ms; "
      f"failures {total['Failure Count']} of {total['Request Count']}")
PYEOF
echo "(locust CSV and log in $OUT/)"
