#!/bin/sh
# Run by the postgres image on the first start of an empty volume, after 10-jps-roles.sh: a role
# that may only stream WAL, and a pg_hba line letting the replica container use it (password).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v password="$JPS_REPLICATION_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE jps_replicator REPLICATION LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'jps_replicator')
\gexec
ALTER ROLE jps_replicator PASSWORD :'password';
SQL
echo "host replication jps_replicator all scram-sha-256" >>"$PGDATA/pg_hba.conf"
