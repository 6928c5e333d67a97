#!/usr/bin/env bash
# The README's test command (`npm test`): sets up what the tests need — npm packages, the Kafka
# jars and broker, PostgreSQL — builds, then runs unit, integration and end-to-end tests in one
# jest run. Extra arguments go to jest (e.g. `npm test -- --selectProjects unit`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_tools
ensure_node_modules
ensure_postgres
started_kafka=0
if ! bash deploy/kafka/kafka.sh status >/dev/null 2>&1; then started_kafka=1; fi
bash deploy/kafka/kafka.sh start
if ((started_kafka)); then trap 'bash deploy/kafka/kafka.sh stop' EXIT; fi
build
say "checking module boundaries (dependency-cruiser)"
npx depcruise apps libs --config .dependency-cruiser.js --output-type err

say "running the tests (unit, integration, e2e)"
npx jest --runInBand "$@"
