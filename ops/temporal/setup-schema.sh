#!/bin/sh
# Temporal's schema on PostgreSQL, set up by Temporal's own admin tools (temporal-sql-tool), run
# once by docker-compose.yml's temporal-schema service before the server starts. Idempotent:
# setup-schema only creates the version table when missing, update-schema applies what is new
# (this is also how a Temporal upgrade migrates its schema).
set -eu

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" \
    -u "$POSTGRES_USER" --pw "$POSTGRES_PWD" --db "$1" "$2" "$3" "$4"
}

sql_tool "$TEMPORAL_DB" setup-schema -v 0.0
sql_tool "$TEMPORAL_DB" update-schema -d /etc/temporal/schema/postgresql/v12/temporal/versioned
sql_tool "$TEMPORAL_VISIBILITY_DB" setup-schema -v 0.0
sql_tool "$TEMPORAL_VISIBILITY_DB" update-schema \
  -d /etc/temporal/schema/postgresql/v12/visibility/versioned
