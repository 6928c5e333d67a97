#!/usr/bin/env bash
# The README's demo command (`npm run demo`): sets up what it needs, starts Kafka, the
# aggregator and six national nodes as separate processes, feeds them a synthetic month of
# movements (from six weeks before its end, so that surge detection has a baseline, with a surge
# planted on AF>IR>TR in its last week) and of referrals (walked
# through their lifecycles), cuts a release once they are in (answers read only the latest release;
# it prints the release's id), prints the regional flows, the regional referral summary and the surge
# alerts, prints the console's URL, and leaves everything running until Ctrl-C.
# DEMO_SCALE (movements, default 0.05) and DEMO_REFERRALS_PER_DAY (per state, default 20) set the volume.
# Every call needs an API key: the demo issues its own with `npm run cli -- keys create` (valid one
# day, label "demo") into .run/demo/keys.env (mode 600) and prints only that file's name; the
# aggregator's admin key there (AGGREGATOR_ADMIN_KEY) cuts releases and reads /v1/nodes.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

STATES=(${DEMO_STATES:-AF IR PK TR TM KZ})
BASE_PORT=${DEMO_PORT_BASE:-3000}
LOG_DIR=.run/demo
KEYS_FILE=$LOG_DIR/keys.env
mkdir -p "$LOG_DIR"
# The services' own databases, named explicitly so that the key CLI writes to the same ones.
# A PGHOST that starts with / is a Unix-socket directory (as in libpq and the services).
pg_url() {
  local auth="${PGUSER:-postgres}${PGPASSWORD:+:$PGPASSWORD}"
  if [[ "${PGHOST:-}" == /* ]]; then echo "postgres://$auth@localhost:${PGPORT:-5432}/$1?host=${PGHOST//\//%2F}"
  else echo "postgres://$auth@${PGHOST:-127.0.0.1}:${PGPORT:-5432}/$1"; fi
}
AGG_DB="$(pg_url caravanserai_aggregator)"
node_db() { pg_url "caravanserai_node_$(echo "$1" | tr 'A-Z' 'a-z')"; }

ensure_tools
ensure_node_modules
ensure_postgres
started_kafka=0
bash deploy/kafka/kafka.sh status >/dev/null 2>&1 || started_kafka=1
bash deploy/kafka/kafka.sh start
build

# Each node signs with its own key; the aggregator trusts the keys listed in one file
# (docs/signing.md). Made once and kept, so that events signed in an earlier run still verify.
KEY_DIR=.run/demo/keys
TRUST_FILE=$KEY_DIR/trusted-node-keys.json
for state in "${STATES[@]}"; do
  key_id="$(echo "$state" | tr 'A-Z' 'a-z')-demo"
  [[ -f "$KEY_DIR/$key_id.pem" ]] && continue
  node dist/apps/cli/src/main.js signing-keys create --state "$state" --key-id "$key_id" --out "$KEY_DIR" --trust-file "$TRUST_FILE" >/dev/null
done

pids=()
cleanup() {
  trap - INT TERM EXIT
  say "stopping the demo"
  ((${#pids[@]})) && kill -TERM "${pids[@]}" 2>/dev/null || true
  ((${#pids[@]})) && wait "${pids[@]}" 2>/dev/null || true
  if ((started_kafka)); then bash deploy/kafka/kafka.sh stop; fi
}
trap cleanup INT TERM EXIT

wait_healthy() { # name url log
  for _ in $(seq 1 240); do
    curl -fsS "$2/v1/health" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  echo "$1 did not start; its log ($3):" >&2
  tail -n 30 "$3" >&2
  return 1
}

# The feed walks every referral through its lifecycle one command at a time, as fast as it can:
# more than the default per-caller limit (3000 a minute). The demo lifts it unless told otherwise.
export RATE_LIMIT_MAX="${RATE_LIMIT_MAX:-1000000}"

say "starting the aggregator on :$BASE_PORT"
DATABASE_URL=$AGG_DB TRUSTED_NODE_KEYS_FILE=$TRUST_FILE PORT=$BASE_PORT NO_COLOR=1 node dist/apps/aggregator/src/main.js >"$LOG_DIR/aggregator.log" 2>&1 &
pids+=($!)
nodes=()
for i in "${!STATES[@]}"; do
  state=${STATES[$i]}
  port=$((BASE_PORT + 1 + i))
  say "starting the national node of $state on :$port"
  key_id="$(echo "$state" | tr 'A-Z' 'a-z')-demo"
  DATABASE_URL=$(node_db "$state") NODE_SIGNING_KEY_FILE=$KEY_DIR/$key_id.pem NODE_SIGNING_KEY_ID=$key_id \
    NODE_STATE=$state PORT=$port NO_COLOR=1 sh apps/national-node/start.sh >"$LOG_DIR/node-$state.log" 2>&1 &
  pids+=($!)
  nodes+=("$state=http://127.0.0.1:$port")
done
wait_healthy aggregator "http://127.0.0.1:$BASE_PORT" "$LOG_DIR/aggregator.log"
for entry in "${nodes[@]}"; do
  wait_healthy "node ${entry%%=*}" "${entry#*=}" "$LOG_DIR/node-${entry%%=*}.log"
done

say "issuing the demo's API keys (npm run cli -- keys create) into $KEYS_FILE"
key() { # VAR service database principal role
  printf '%s=%s\n' "$1" "$(node dist/apps/cli/src/main.js keys create --service "$2" --database-url "$3" \
    --principal "$4" --role "$5" --expires-in 1d --label demo 2>>"$LOG_DIR/keys.log")"
}
umask 077
{
  key SECRETARIAT_KEY aggregator "$AGG_DB" secretariat reader
  key AGGREGATOR_ADMIN_KEY aggregator "$AGG_DB" admin admin
  key UNHCR_READER_KEY aggregator "$AGG_DB" org:UNHCR reader
  for state in "${STATES[@]}"; do
    key "${state}_READER_KEY" aggregator "$AGG_DB" "state:$state" reader
    key "${state}_INGEST_KEY" node "$(node_db "$state")" "state:$state" ingest
    key "${state}_ADMIN_KEY" node "$(node_db "$state")" admin admin
  done
} >"$KEYS_FILE.tmp"
umask 022
if grep -q '=$' "$KEYS_FILE.tmp"; then echo "issuing the demo's keys failed" >&2; exit 1; fi
mv "$KEYS_FILE.tmp" "$KEYS_FILE"

say "feeding a synthetic month of movements and referrals"
(set -a; . "$KEYS_FILE"; set +a
  DEMO_NODES=$(IFS=,; echo "${nodes[*]}") DEMO_AGGREGATOR="http://127.0.0.1:$BASE_PORT" node dist/scripts/demo/feed.js)

say "an emergency on AF>IR>TR: Iran's terms agreed in advance, the declaration, their activation"
(set -a; . "$KEYS_FILE"; set +a
  DEMO_NODES=$(IFS=,; echo "${nodes[*]}") DEMO_AGGREGATOR="http://127.0.0.1:$BASE_PORT" node dist/scripts/demo/emergency.js)

# The console links carry the demo's reader keys in the fragment (never sent to the server), so
# they open signed in; these are one-day demo keys, printed because the demo is for looking at.
set -a; . "$KEYS_FILE"; set +a
cat <<INFO
The regional console (opens signed in; the key stays in the browser tab):
  secretariat      http://127.0.0.1:$BASE_PORT/console/#key=$SECRETARIAT_KEY
  Iran (own data)  http://127.0.0.1:$BASE_PORT/console/#key=$IR_READER_KEY
The services are running (logs in $LOG_DIR/):
  aggregator       http://127.0.0.1:$BASE_PORT   (OpenAPI: /docs; try /v1/flows?from=…&to=…&groupBy=route,category, /v1/referrals/summary?from=…&to=…&groupBy=referredTo; answers read the latest release)
$(for entry in "${nodes[@]}"; do printf '  national node %s http://%s   (OpenAPI: /docs; POST /v1/movements, POST /v1/referrals, GET /v1/referrals/{id})\n' "${entry%%=*}" "${entry#*=http://}"; done)
  Kafka            127.0.0.1:9092
  API keys         $KEYS_FILE (valid one day): \`set -a; . $KEYS_FILE; set +a\`, then
                   curl -H "Authorization: Bearer \$SECRETARIAT_KEY" http://127.0.0.1:$BASE_PORT/v1/releases
                   curl -X POST -H "Authorization: Bearer \$AGGREGATOR_ADMIN_KEY" http://127.0.0.1:$BASE_PORT/v1/releases   (a new release: data up to yesterday)
                   curl -H "Authorization: Bearer \$AGGREGATOR_ADMIN_KEY" http://127.0.0.1:$BASE_PORT/v1/nodes
                   curl -H "Authorization: Bearer \$UNHCR_READER_KEY" http://127.0.0.1:$BASE_PORT/v1/feed   (UNHCR's feed: Iran's monthly figures, signed; docs/integrators.md)
Press Ctrl-C to stop everything the demo started.
INFO
wait "${pids[0]}"
