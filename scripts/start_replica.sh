#!/usr/bin/env bash
# A streaming read replica of the local PostgreSQL (127.0.0.1:5432) on another port, for CI and the
# bench (docs/deploy.md, docs/performance.md): pg_basebackup into a temporary directory, then pg_ctl.
#
#   scripts/start_replica.sh [start|stop|status]
#
# Idempotent: `start` with the replica already up does nothing; a stopped one whose directory is left
# is started again (streaming catches it up), else a fresh base backup is taken (seconds for a small
# cluster). `stop` stops it and removes the directory. Settings from the environment: PG_SUPERUSER
# (root), REPLICA_PORT (5433), REPLICA_DIR (/tmp/jps-replica-<port>).
# On Debian the server runs as the `postgres` user and pg_ctl refuses root, so as root the PostgreSQL
# commands run as `postgres`, in a directory it owns. Replication over 127.0.0.1 needs a pg_hba line:
# if the primary has none, one (trust, 127.0.0.1 only) is added to its hba_file and the file reloaded.
set -euo pipefail

action="${1:-start}"
PG_SUPERUSER="${PG_SUPERUSER:-root}"
PORT="${REPLICA_PORT:-5433}"
DIR="${REPLICA_DIR:-/tmp/jps-replica-$PORT}"
primary=(-h 127.0.0.1 -p 5432 -U "$PG_SUPERUSER")

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
on_primary() { psql "${primary[@]}" -d postgres -Atq -v ON_ERROR_STOP=1 -c "$1"; }
bindir() {
  local major
  major=$(on_primary "SHOW server_version_num" | cut -c1-2)
  if [ -x "/usr/lib/postgresql/$major/bin/pg_ctl" ]; then echo "/usr/lib/postgresql/$major/bin"
  else dirname "$(command -v pg_ctl)"; fi
}
is_standby() {
  [ "$(psql -h 127.0.0.1 -p "$PORT" -U "$PG_SUPERUSER" -d postgres -Atq -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ]
}

allow_replication() {
  local rules hba
  rules=$(on_primary "SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database)
    AND (type = 'local' OR address = '127.0.0.1') AND auth_method = 'trust' AND error IS NULL")
  [ "$rules" != 0 ] && return 0
  hba=$(on_primary "SHOW hba_file")
  echo "start_replica: allowing replication connections from 127.0.0.1 in $hba"
  printf '\n# Added by scripts/start_replica.sh: a local streaming replica (CI, bench)\nhost replication all 127.0.0.1/32 trust\n' >>"$hba"
  on_primary "SELECT pg_reload_conf()" >/dev/null
}

configure() {
  # Debian keeps postgresql.conf and pg_hba.conf outside the data directory, so the copy has none.
  # A hot standby needs at least the primary's values of these settings.
  local conf="" name
  for name in max_connections max_worker_processes max_wal_senders max_prepared_transactions max_locks_per_transaction; do
    conf+="$name = $(on_primary "SHOW $name")"$'\n'
  done
  as_postgres tee "$DIR/postgresql.conf" >/dev/null <<CONF
# A streaming replica for CI and the bench (scripts/start_replica.sh)
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
hot_standby = on
shared_buffers = 64MB
fsync = off  # a throwaway copy: rebuilt by this script, never recovered after a crash
logging_collector = off
$conf
CONF
  as_postgres tee "$DIR/pg_hba.conf" >/dev/null <<'HBA'
local all all trust
host all all 127.0.0.1/32 trust
HBA
  as_postgres touch "$DIR/pg_ident.conf"
}

start() {
  if is_standby; then echo "start_replica: replica already streaming on port $PORT"; return 0; fi
  local bin
  bin=$(bindir)
  if [ -f "$DIR/standby.signal" ] && as_postgres "$bin/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 30 start >/dev/null; then
    echo "start_replica: replica restarted on port $PORT"; return 0
  fi
  [ -d "$DIR" ] && { as_postgres "$bin/pg_ctl" -D "$DIR" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$DIR"; }
  allow_replication
  mkdir -p "$DIR" && chmod 700 "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
  as_postgres "$bin/pg_basebackup" "${primary[@]}" -D "$DIR" -R -X stream -c fast
  configure
  as_postgres "$bin/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 start >/dev/null
  is_standby || { echo "start_replica: the replica did not come up (see $DIR/server.log)" >&2; exit 1; }
  echo "start_replica: replica streaming on 127.0.0.1:$PORT ($DIR)"
}

stop() {
  if [ -f "$DIR/postmaster.pid" ]; then as_postgres "$(bindir)/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null || true; fi
  rm -rf "$DIR"
  echo "start_replica: replica on port $PORT stopped"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  status) if is_standby; then echo "streaming on $PORT"; else echo "not running"; exit 3; fi ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac
