#!/usr/bin/env bash
# Restore a backup made by docker/backup.sh into an EMPTY database:  docker/restore.sh FILE
# Uses DATABASE_URL (PostgreSQL). Refuses a database that already holds JPS tables.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the (empty) database to restore into}"
file=${1:?usage: docker/restore.sh FILE}
tables=$(psql "$DATABASE_URL" -Atc "select count(*) from information_schema.tables where table_name = 'jps_problem'")
if [ "$tables" != "0" ]; then
  echo "refusing to restore: the target database already has JPS tables" >&2
  exit 1
fi
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$DATABASE_URL" "$file"
echo "restored $file"
