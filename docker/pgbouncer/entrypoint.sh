#!/bin/sh
# The one login PgBouncer admits (the application role) and its password, from the environment;
# PgBouncer then logs in to PostgreSQL with SCRAM as the same role.
set -eu
umask 077
printf '"%s" "%s"\n' "${PGBOUNCER_USER:-jps_app}" "${PGBOUNCER_PASSWORD:?set PGBOUNCER_PASSWORD}" >/tmp/userlist.txt
exec pgbouncer /etc/pgbouncer/pgbouncer.ini
