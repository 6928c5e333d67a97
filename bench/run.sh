#!/usr/bin/env bash
# `npm run bench [-- --smoke] [-- flags]`: builds, makes sure PostgreSQL and Kafka answer, runs the
# benchmark (bench/bench.ts). See docs/benchmark.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_tools
ensure_node_modules
ensure_postgres
# Stop at the end a broker this run started (one already running is left running).
started_kafka=0
bash deploy/kafka/kafka.sh status >/dev/null 2>&1 || started_kafka=1
bash deploy/kafka/kafka.sh start
if ((started_kafka)); then trap 'bash deploy/kafka/kafka.sh stop' EXIT; fi
build
node --max-old-space-size=6144 dist/bench/bench.js "$@"
