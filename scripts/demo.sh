#!/usr/bin/env bash
# The README's demo command (`npm run demo`): sets up what it needs, starts Kafka, the
# aggregator and six national nodes as separate processes, feeds them a synthetic month of
# movements and of referrals (walked through their lifecycles), prints the regional flows and the
# regional referral summary, and leaves everything running until Ctrl-C.
# DEMO_SCALE (movements, default 0.05) and DEMO_REFERRALS_PER_DAY (per state, default 20) set the volume.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

STATES=(${DEMO_STATES:-AF IR PK TR TM KZ})
BASE_PORT=${DEMO_PORT_BASE:-3000}
LOG_DIR=.run/demo
mkdir -p "$LOG_DIR"

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

say "starting the aggregator on :$BASE_PORT"
TRUSTED_NODE_KEYS_FILE=$TRUST_FILE PORT=$BASE_PORT NO_COLOR=1 node dist/apps/aggregator/src/main.js >"$LOG_DIR/aggregator.log" 2>&1 &
pids+=($!)
nodes=()
for i in "${!STATES[@]}"; do
  state=${STATES[$i]}
  port=$((BASE_PORT + 1 + i))
  say "starting the national node of $state on :$port"
  key_id="$(echo "$state" | tr 'A-Z' 'a-z')-demo"
  NODE_SIGNING_KEY_FILE=$KEY_DIR/$key_id.pem NODE_SIGNING_KEY_ID=$key_id \
    NODE_STATE=$state PORT=$port NO_COLOR=1 node dist/apps/national-node/src/main.js >"$LOG_DIR/node-$state.log" 2>&1 &
  pids+=($!)
  nodes+=("$state=http://127.0.0.1:$port")
done
wait_healthy aggregator "http://127.0.0.1:$BASE_PORT" "$LOG_DIR/aggregator.log"
for entry in "${nodes[@]}"; do
  wait_healthy "node ${entry%%=*}" "${entry#*=}" "$LOG_DIR/node-${entry%%=*}.log"
done

say "feeding a synthetic month of movements and referrals"
DEMO_NODES=$(IFS=,; echo "${nodes[*]}") DEMO_AGGREGATOR="http://127.0.0.1:$BASE_PORT" \
  node dist/scripts/demo/feed.js

cat <<INFO
The services are running (logs in $LOG_DIR/):
  aggregator       http://127.0.0.1:$BASE_PORT   (OpenAPI: /docs; try /v1/flows?from=…&to=…&groupBy=route,category, /v1/referrals/summary?from=…&to=…&groupBy=referredTo, /v1/nodes)
$(for entry in "${nodes[@]}"; do printf '  national node %s http://%s   (OpenAPI: /docs; POST /v1/movements, POST /v1/referrals, GET /v1/referrals/{id})\n' "${entry%%=*}" "${entry#*=http://}"; done)
  Kafka            127.0.0.1:9092
Press Ctrl-C to stop everything the demo started.
INFO
wait "${pids[0]}"
