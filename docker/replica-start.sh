#!/bin/sh
# The replica container: on an empty volume, a base backup of `db` (streaming the WAL it needs, and
# written as a standby: -R); then PostgreSQL as a hot standby that keeps streaming from `db`.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h db -p 5432 -q; do sleep 1; done
  PGPASSWORD="$JPS_REPLICATION_PASSWORD" pg_basebackup -h db -p 5432 -U jps_replicator \
    -D "$PGDATA" -R -X stream -c fast
  chmod 700 "$PGDATA"
fi
exec postgres -c hot_standby=on -c shared_buffers=4GB -c effective_cache_size=16GB \
  -c random_page_cost=1.1 -c work_mem=16MB -c jit=off
