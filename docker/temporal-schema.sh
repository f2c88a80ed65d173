#!/bin/sh
# Creates Temporal's two PostgreSQL databases and their schemas on the first start, and brings
# them up to date on every start (temporal-sql-tool's update-schema is idempotent).
set -eu
sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" --pw "$POSTGRES_PWD" -p "$DB_PORT" "$@"; }
for db in temporal:temporal temporal_visibility:visibility; do
  name=${db%%:*}
  schema=${db##*:}
  # `create` fails when the database exists: then its schema was set up by an earlier start.
  if sql --db "$name" create; then
    sql --db "$name" setup-schema -v 0.0
  fi
  sql --db "$name" update-schema -d "/etc/temporal/schema/postgresql/v12/$schema/versioned"
done
echo "temporal-schema: databases ready"
