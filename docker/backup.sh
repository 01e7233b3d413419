#!/usr/bin/env bash
# Back up the JPS database to a file:  docker/backup.sh [FILE]
# Uses DATABASE_URL (PostgreSQL). The custom format is compressed and restores table by table.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
file=${1:-jps-$(date -u +%Y%m%dT%H%M%SZ).dump}
pg_dump --format=custom --no-owner --no-privileges --file="$file" "$DATABASE_URL"
echo "$file"
