#!/bin/sh
# Run once by the postgres image when its data volume is new (/docker-entrypoint-initdb.d): one
# login role per service, which may not create databases, roles or tables. The init service
# creates and migrates the databases as the owner (postgres) and grants each role what running
# its service needs (npm run migrate -- --grant-to ROLE; docs/operations.md#databases-and-migrations).
set -eu
for role in caravanserai_aggregator $(for s in $COMPOSE_NODE_STATES; do echo "caravanserai_node_$s"; done); do
  psql -v ON_ERROR_STOP=1 -v role="$role" -v pw="$APP_DB_PASSWORD" --username "$POSTGRES_USER" --dbname postgres <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'pw' NOCREATEDB NOCREATEROLE NOSUPERUSER;
SQL
done
