#!/usr/bin/env bash
# PgBouncer in transaction mode in front of the local PostgreSQL, for CI (docs/performance.md):
# every database of 127.0.0.1:5432 on 127.0.0.1:6432, no password (trust, loopback only).
#
#   scripts/start_pgbouncer.sh [start|stop]
#
# Installs Debian's pgbouncer if missing. `start` (re)starts it with a fresh configuration, so no
# pooled server connection outlives a run (one would stop a test database from being dropped).
# Users it admits: PGBOUNCER_USERS (default "jps_owner jps_app root"). Port: PGBOUNCER_PORT (6432).
set -euo pipefail

action="${1:-start}"
PORT="${PGBOUNCER_PORT:-6432}"
DIR="${PGBOUNCER_DIR:-/tmp/jps-pgbouncer-$PORT}"
USERS="${PGBOUNCER_USERS:-jps_owner jps_app root}"

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
  if [ -f "$DIR/pgbouncer.pid" ]; then
    pid=$(cat "$DIR/pgbouncer.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$DIR"
}

start() {
  if ! command -v pgbouncer >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq pgbouncer >/dev/null
  fi
  stop
  mkdir -p "$DIR"
  for user in $USERS; do printf '"%s" ""\n' "$user"; done >"$DIR/userlist.txt"
  # Transaction pooling as in docker/compose.yaml; `options` (the app's `-c jit=off`) is not a
  # startup parameter PgBouncer forwards, so the settings leave it out behind the pooler.
  cat >"$DIR/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=5432

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
auth_type = trust
auth_file = $DIR/userlist.txt
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
server_idle_timeout = 10
ignore_startup_parameters = extra_float_digits,options
pidfile = $DIR/pgbouncer.pid
logfile = $DIR/pgbouncer.log
INI
  [ "$(id -u)" = 0 ] && chown -R postgres: "$DIR"
  as_postgres pgbouncer -d -q "$DIR/pgbouncer.ini"
  for _ in $(seq 50); do pg_isready -h 127.0.0.1 -p "$PORT" -q && break; sleep 0.1; done
  pg_isready -h 127.0.0.1 -p "$PORT" -q || { echo "start_pgbouncer: not answering (see $DIR/pgbouncer.log)" >&2; exit 1; }
  echo "start_pgbouncer: transaction pooling on 127.0.0.1:$PORT"
}

case "$action" in
  start) start ;;
  stop) stop; echo "start_pgbouncer: stopped" ;;
  *) echo "usage: $0 [start|stop]" >&2; exit 2 ;;
esac
