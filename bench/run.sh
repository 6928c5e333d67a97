#!/usr/bin/env bash
# `npm run bench [-- --smoke] [-- flags]`: builds, makes sure PostgreSQL and Kafka answer, runs the
# benchmark (bench/bench.ts). See docs/benchmark.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_tools
ensure_node_modules
ensure_postgres
bash deploy/kafka/kafka.sh start
build
exec node --max-old-space-size=6144 dist/bench/bench.js "$@"
