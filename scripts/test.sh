#!/usr/bin/env bash
# The README's test command (`npm test`): sets up what the tests need — npm packages, the Kafka
# jars and broker, the three-broker cluster of the fault tests, PostgreSQL — builds, then runs
# Prettier, ESLint and the module boundaries, then unit, integration, end-to-end and the CI fault
# tests (1, 3, 5, 6) in one jest run. Extra arguments go to jest (e.g. `npm test -- --selectProjects unit`).
# The Kafka security test (test/e2e/kafka-security) starts and deletes a SASL/ACL broker of its
# own through deploy/kafka/kafka-secure.sh, on KAFKA_SECURE_TEST_PORT (9098, controller 9099).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_tools
ensure_node_modules
ensure_postgres
started_kafka=0
if ! bash deploy/kafka/kafka.sh status >/dev/null 2>&1; then started_kafka=1; fi
bash deploy/kafka/kafka.sh start
# The fault tests' own three-broker cluster (other ports, own data dir): started here if it is not
# up, and then stopped at the end; one that was already running is left running.
started_cluster=0
if ! bash deploy/kafka/kafka-cluster.sh status >/dev/null 2>&1; then started_cluster=1; fi
cleanup() {
  if ((started_cluster)); then bash deploy/kafka/kafka-cluster.sh stop || true; fi
  if ((started_kafka)); then bash deploy/kafka/kafka.sh stop || true; fi
}
trap cleanup EXIT
say "starting the three-broker cluster for the fault tests"
bash deploy/kafka/kafka-cluster.sh start
build
say "checking format and lint (Prettier, ESLint)"
npm run --silent lint
say "checking module boundaries (dependency-cruiser)"
npm run --silent lint:boundaries -- --output-type err

say "running the tests (unit, integration, e2e, faults-ci)"
npx jest --runInBand "$@"
