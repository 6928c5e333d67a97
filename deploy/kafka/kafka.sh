#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, broker+controller) from Maven Central jars.
# No Docker, no tarball: deploy/kafka/pom.xml lists the jars, Maven copies them.
#
# Usage: deploy/kafka/kafka.sh <command> [args]
#   fetch                 copy the jars into $KAFKA_HOME_DIR/lib (skipped when cached)
#   start                 fetch, format storage once, start the broker, wait until an
#                         admin call succeeds (idempotent: returns 0 if already up)
#   stop                  SIGTERM, wait, SIGKILL as a last resort (idempotent)
#   restart               stop + start (data is kept)
#   status                exit 0 if the broker answers, 3 if not
#   reset                 stop + delete the data dir (jars are kept)
#   logs [N]              tail the broker log
#   tool <main-class> [args...]   run any class on the Kafka classpath, e.g.
#                         tool org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 --list
#   topics [args...]         org.apache.kafka.tools.TopicCommand
#   perf-producer [args...]  org.apache.kafka.tools.ProducerPerformance
#   perf-consumer [args...]  org.apache.kafka.tools.ConsumerPerformance
#                         (these three add --bootstrap-server 127.0.0.1:$KAFKA_PORT unless given), e.g.
#                         perf-producer --topic t --num-records 100000 --record-size 200 --throughput -1
#
# Environment:
#   KAFKA_HOME_DIR          cache/state dir (default: <repo>/.kafka) -> lib/ data/ config/ logs/ kafka.pid
#   KAFKA_PORT              PLAINTEXT listener port   (default 9092)
#   KAFKA_CONTROLLER_PORT   CONTROLLER listener port  (default 9093)
#   KAFKA_HEAP_OPTS         broker heap (default "-Xmx512m -Xms512m")
#   KAFKA_START_TIMEOUT     seconds to wait for readiness (default 60)
#   KAFKA_STOP_TIMEOUT      seconds to wait after SIGTERM before SIGKILL (default 30)
#   MVN, JAVA               override the maven / java executables
#
# The helpers are in deploy/kafka/broker-lib.sh (shared with kafka-secure.sh: the same broker with
# SASL/SCRAM and ACLs, docs/kafka-security.md) and lib.sh (shared with kafka-cluster.sh too).
set -euo pipefail

KAFKA_TAG=kafka
# shellcheck source=deploy/kafka/broker-lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/broker-lib.sh"
broker_layout "${KAFKA_HOME_DIR:-$REPO_ROOT/.kafka}" "${KAFKA_HOME_DIR:-$REPO_ROOT/.kafka}/lib" \
  "${KAFKA_PORT:-9092}" "${KAFKA_CONTROLLER_PORT:-9093}" KAFKA_CONTROLLER_PORT

# No security: PLAINTEXT for clients and the controller, no authorizer.
listener_properties() {
  cat <<EOF
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
EOF
}
admin_security_properties() { :; }
format_extra_args() { :; }

main() {
  case "${1:-}" in
    topics)        shift; cmd_tool_bootstrap org.apache.kafka.tools.TopicCommand "$@" ;;
    perf-producer) shift; cmd_tool_bootstrap org.apache.kafka.tools.ProducerPerformance "$@" ;;
    perf-consumer) shift; cmd_tool_bootstrap org.apache.kafka.tools.ConsumerPerformance "$@" ;;
    *) broker_command "$@" ;;
  esac
}

main "$@"
