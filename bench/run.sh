#!/usr/bin/env bash
# `npm run bench [-- --smoke] [-- flags]`: builds, makes sure PostgreSQL and Kafka answer, runs the
# benchmark (bench/bench.ts; docs/benchmark.md) — or, with BENCH_ENTRY=soak (`npm run soak`), the
# soak (bench/soak.ts: the demo's region for --minutes at a steady load with a broker and an
# aggregator restart; docs/operations.md "Soak"). The soak's broker restart goes through
# deploy/kafka/kafka.sh, which finds the broker by its pid file under KAFKA_HOME_DIR (default .kafka).
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
node --max-old-space-size=6144 "dist/bench/${BENCH_ENTRY:-bench}.js" "$@"
