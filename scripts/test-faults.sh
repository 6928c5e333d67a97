#!/usr/bin/env bash
# `npm run test:faults`: every fault test, the slow ones included (all brokers down for a minute,
# PostgreSQL restarted, an aggregator instance killed in a group of two), on the three-broker
# cluster and, for the PostgreSQL restart, a PostgreSQL of their own (test/faults/slow/pg.ts).
# Starts the cluster if it is not up and stops it again at the end. Extra arguments go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_tools
ensure_node_modules
ensure_postgres
started_cluster=0
if ! bash deploy/kafka/kafka-cluster.sh status >/dev/null 2>&1; then started_cluster=1; fi
if ((started_cluster)); then trap 'bash deploy/kafka/kafka-cluster.sh stop || true' EXIT; fi
bash deploy/kafka/kafka-cluster.sh start
build
say "running the fault tests (faults-ci, faults-slow)"
FAULTS_SLOW=1 npx jest --runInBand --selectProjects faults-ci faults-slow "$@"
