#!/bin/sh
# The compose file's one-shot `init` service (docker-compose.yml): everything secret is made here,
# inside the containers, with the project's own CLI, and never leaves the volumes. Each step is
# skipped when its result exists, so `docker compose up` runs it again harmlessly.
#   1. the databases, created and migrated as their owner, each service's role granted DML only
#   2. a signing key per node (in that node's volume), the aggregator's trust file listing them
#   3. the region's cell-key secret (aggregator's volume)
#   4. API keys: the secretariat's reader and admin keys at the aggregator, each node's ingest and
#      admin keys, written once to /keys/operator/api-keys.env (a volume no service mounts)
# Runs as root (fresh volumes belong to root) and hands each service's volume to uid 1000, the
# image's `node` user the services run as.
set -eu
umask 077
cli() { node dist/apps/cli/src/main.js "$@"; }
owner_url() { echo "postgres://$POSTGRES_USER:$POSTGRES_PASSWORD@$POSTGRES_HOST:5432/$1"; }

cli db migrate --service aggregator --database-url "$(owner_url caravanserai_aggregator)" --grant-to caravanserai_aggregator
for s in $COMPOSE_NODE_STATES; do
  cli db migrate --service node --database-url "$(owner_url "caravanserai_node_$s")" --grant-to "caravanserai_node_$s"
done

for s in $COMPOSE_NODE_STATES; do
  if [ ! -f "/keys/node-$s/$s-compose.pem" ]; then
    cli signing-keys create --state "$s" --key-id "$s-compose" --out "/keys/node-$s" \
      --trust-file /keys/aggregator/trusted-node-keys.json >/dev/null
  fi
done

[ -f /keys/aggregator/cell-key.secret ] || cli cell-key create --out /keys/aggregator/cell-key.secret

if [ ! -f /keys/operator/api-keys.env ]; then
  # key NAME ARGS…: one line NAME=<key>; a key that cannot be made stops the script (set -e).
  key() { name="$1"; shift; k="$(cli keys create --label compose "$@")"; echo "$name=$k"; }
  agg="$(owner_url caravanserai_aggregator)"
  {
    key SECRETARIAT_KEY --service aggregator --database-url "$agg" --principal secretariat --role reader
    key AGGREGATOR_ADMIN_KEY --service aggregator --database-url "$agg" --principal admin --role admin
    for s in $COMPOSE_NODE_STATES; do
      S="$(echo "$s" | tr a-z A-Z)"
      db="$(owner_url "caravanserai_node_$s")"
      key "${S}_INGEST_KEY" --service node --database-url "$db" --principal "state:$S" --role ingest
      key "${S}_ADMIN_KEY" --service node --database-url "$db" --principal admin --role admin
    done
  } >/keys/operator/api-keys.env.tmp
  mv /keys/operator/api-keys.env.tmp /keys/operator/api-keys.env
  echo "init: API keys written to /keys/operator/api-keys.env (docker compose run --rm init cat /keys/operator/api-keys.env)"
fi

chown -R 1000:1000 /keys/aggregator
for s in $COMPOSE_NODE_STATES; do chown -R 1000:1000 "/keys/node-$s"; done
chmod 700 /keys/operator
echo "init: databases migrated, keys in place"
