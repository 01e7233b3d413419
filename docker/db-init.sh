#!/bin/sh
# Run by the postgres image on the first start of an empty volume (docker-entrypoint-initdb.d):
# the two JPS roles and the jps database handed to its owner (docker/db-roles.sql).
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v db="$POSTGRES_DB" -v owner=jps_owner -v app=jps_app \
  -v owner_password="$JPS_OWNER_PASSWORD" -v app_password="$JPS_APP_PASSWORD" \
  -f /jps/db-roles.sql
