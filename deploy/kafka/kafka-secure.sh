#!/usr/bin/env bash
# The single broker of kafka.sh with authentication and authorisation (docs/kafka-security.md):
# clients authenticate with SASL/SCRAM-SHA-512 on a SASL_PLAINTEXT listener (production adds TLS:
# SASL_SSL), the StandardAuthorizer denies whatever no ACL allows, and each principal may do only
# its job: a node (User:node-af ... User:node-tm) writes the node topics and reads nothing; the
# aggregator (User:aggregator) reads the node topics with its consumer group, writes alerts.v1 and
# creates and writes the recipients' feed topics (caravanserai.feed.*); each feed recipient
# (User:feed-state-tr, User:feed-org-unhcr, User:feed-secretariat ...) reads its own feed topic
# only; User:admin is the super user the operator and this script use.
#
# Usage: deploy/kafka/kafka-secure.sh <command> [args]
#   start                 fetch, create missing passwords, format storage once (with the SCRAM
#                         credentials of every principal), start, wait until admin answers
#   setup                 users + create-topics + acls: what a fresh or changed deployment needs
#   users                 add the SCRAM credential of every principal that has none (idempotent)
#   create-topics         create the missing node topics and alerts.v1 (idempotent)
#   acls                  grant the ACLs of the model (idempotent: granting twice changes nothing)
#   list-acls             print every ACL
#   rotate USER           give USER a new random password, on the broker and in its password file
#   set-password USER     set on the broker the password now in USER's file (one you chose)
#   password-file USER    print the path of USER's password file (for KAFKA_SASL_PASSWORD_FILE)
#   stop, restart, status, reset, logs [N], fetch, tool <main-class> [args...]   as in kafka.sh
#   topics [args...]      org.apache.kafka.tools.TopicCommand as User:admin
#
# Environment:
#   KAFKA_SECURE_DIR      state dir (default <repo>/.kafka-secure) -> data/ config/ logs/ secrets/
#   KAFKA_SECRETS_DIR     one <user>.password file per principal, mode 600, never committed
#                         (default $KAFKA_SECURE_DIR/secrets); a missing one is created at random
#   KAFKA_SECURE_PORT     SASL_PLAINTEXT listener (default 9096)
#   KAFKA_SECURE_CONTROLLER_PORT  controller listener (default 9097)
#   KAFKA_HOME_DIR        where kafka.sh caches the jars (default <repo>/.kafka)
#   KAFKA_SECURE_STATES   states that get a node principal (default: AF AZ CN IR KZ KG PK TR TM)
#   KAFKA_SECURE_RECIPIENTS  feed recipients that get a reader principal of their own feed topic
#                         (default: secretariat, state:XX for each state, org:UNHCR org:IOM)
#   TOPIC_PREFIX, CONSUMER_GROUP   as the services use them (default empty, caravanserai-aggregator)
#   MOVEMENTS_PARTITIONS, REFERRALS_PARTITIONS, AGREEMENTS_PARTITIONS, ALERTS_PARTITIONS (6 6 1 3, as the services expect)
#   KAFKA_HEAP_OPTS, KAFKA_START_TIMEOUT, KAFKA_STOP_TIMEOUT, MVN, JAVA   as in kafka.sh
set -euo pipefail

KAFKA_TAG=kafka-secure
# shellcheck source=deploy/kafka/broker-lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/broker-lib.sh"
SECURE_DIR="${KAFKA_SECURE_DIR:-$REPO_ROOT/.kafka-secure}"
broker_layout "$SECURE_DIR" "${KAFKA_HOME_DIR:-$REPO_ROOT/.kafka}/lib" \
  "${KAFKA_SECURE_PORT:-9096}" "${KAFKA_SECURE_CONTROLLER_PORT:-9097}" KAFKA_SECURE_CONTROLLER_PORT
# The jars are kafka.sh's cache: it alone decides when to fetch them.
cmd_fetch() { bash "$KAFKA_DEPLOY_DIR/kafka.sh" fetch; }
SECRETS_DIR="${KAFKA_SECRETS_DIR:-$SECURE_DIR/secrets}"
MECHANISM=SCRAM-SHA-512
read -r -a STATES <<<"${KAFKA_SECURE_STATES:-AF AZ CN IR KZ KG PK TR TM}"
PREFIX="${TOPIC_PREFIX:-}"
GROUP="${CONSUMER_GROUP:-caravanserai-aggregator}"
# The same rules as the services' settings (and safe to pass through the tools' command lines).
[[ "$PREFIX" =~ ^[A-Za-z0-9_.-]*$ ]] || { err "TOPIC_PREFIX may hold only A-Z a-z 0-9 _ . -"; exit 2; }
[[ "$GROUP" =~ ^[A-Za-z0-9_.-]+$ ]] || { err "CONSUMER_GROUP may hold only A-Z a-z 0-9 _ . -"; exit 2; }
for s in "${STATES[@]}"; do [[ "$s" =~ ^[A-Z]{2}$ ]] || { err "KAFKA_SECURE_STATES: '$s' is not a two-letter state code"; exit 2; }; done
DEFAULT_RECIPIENTS="secretariat $(for s in "${STATES[@]}"; do printf 'state:%s ' "$s"; done)org:UNHCR org:IOM"
read -r -a RECIPIENTS <<<"${KAFKA_SECURE_RECIPIENTS:-$DEFAULT_RECIPIENTS}"
for r in "${RECIPIENTS[@]}"; do
  [[ "$r" =~ ^(secretariat|state:[A-Z]{2}|org:[A-Z0-9_-]{2,64})$ ]] || { err "KAFKA_SECURE_RECIPIENTS: '$r' is not secretariat, state:XX or org:NAME"; exit 2; }
done
NODE_TOPICS=("${PREFIX}movements.v1" "${PREFIX}referrals.v1" "${PREFIX}agreements.v1")
ALERTS_TOPIC="${PREFIX}alerts.v1"
# A recipient's feed topic and its reader principal, as the aggregator names the topic
# (libs/contracts feedTopicName): state:TR -> caravanserai.feed.state.TR, read by User:feed-state-tr.
FEED_TOPIC_PREFIX="${PREFIX}caravanserai.feed."
feed_topic() { echo "${FEED_TOPIC_PREFIX}${1//:/.}"; }
feed_user() { local u="${1//:/-}"; echo "feed-${u,,}"; }
feed_users() { local r; for r in "${RECIPIENTS[@]}"; do feed_user "$r"; done; }
# SCRAM principals; User:controller is the KRaft controller listener's PLAIN login (see below).
node_users() { local s; for s in "${STATES[@]}"; do echo "node-${s,,}"; done; }
scram_users() { echo admin; echo aggregator; node_users; feed_users; }

# ---------------------------------------------------------------- secrets
PASSWORD_RE='^[A-Za-z0-9._~-]{16,128}$'

password_file() { echo "$SECRETS_DIR/$1.password"; }

# 32 letters and digits (48 random bytes give about 62 after base64 without +/=); cut reads to the
# end, so no stage of the pipe dies of SIGPIPE under pipefail.
new_password() { head -c 48 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9' | cut -c1-32; }

# Writes a password file atomically, readable by its owner only.
write_password() {
  local file tmp; file="$(password_file "$1")"
  mkdir -p "$SECRETS_DIR"; chmod 700 "$SECRETS_DIR"
  tmp="$(mktemp "$file.XXXXXX")"
  printf '%s\n' "$2" >"$tmp"
  chmod 600 "$tmp"
  mv "$tmp" "$file"
}

# The user's password; a missing file is created at random, a malformed one is an error.
password() {
  local file pw; file="$(password_file "$1")"
  if [[ ! -s "$file" ]]; then write_password "$1" "$(new_password)"; fi
  pw="$(head -n 1 "$file" | tr -d '\r')"
  if [[ ! "$pw" =~ $PASSWORD_RE ]]; then
    err "$file: a password is 16 to 128 characters of A-Z a-z 0-9 . _ ~ -"; return 1
  fi
  echo "$pw"
}

ensure_passwords() { local u; for u in controller $(scram_users); do password "$u" >/dev/null; done; }

# ---------------------------------------------------------------- hooks of broker-lib.sh
# CLIENT: SASL_PLAINTEXT + SCRAM-SHA-512 for every client, and between brokers (as User:admin).
# CONTROLLER: SASL_PLAINTEXT + PLAIN, because KRaft cannot use SCRAM on the controller listener
# (the credentials live in the metadata the controller serves); its one user is in the JAAS line.
listener_properties() {
  local admin controller
  admin="$(password admin)"; controller="$(password controller)"
  cat <<EOF
listeners=CLIENT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=CLIENT://$HOST:$PORT
listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
inter.broker.listener.name=CLIENT
controller.listener.names=CONTROLLER
sasl.enabled.mechanisms=$MECHANISM
sasl.mechanism.inter.broker.protocol=$MECHANISM
listener.name.client.sasl.enabled.mechanisms=$MECHANISM
listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$admin";
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="controller" password="$controller" user_controller="$controller";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin;User:controller
EOF
}

admin_security_properties() {
  cat <<EOF
security.protocol=SASL_PLAINTEXT
sasl.mechanism=$MECHANISM
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$(password admin)";
EOF
}

# Every principal's credential goes into the first metadata: no admin round trips on a fresh start.
format_extra_args() {
  local u pw
  for u in $(scram_users); do
    pw="$(password "$u")"
    echo "--add-scram"; echo "$MECHANISM=[name=$u,password=$pw]"
  done
}

# ---------------------------------------------------------------- users
# The SCRAM users the broker knows, one per line.
known_users() {
  admin_tool org.apache.kafka.tools.ConfigCommand --describe --entity-type users \
    | sed -n "s/^SCRAM credential configs for user-principal '\([^']*\)'.*/\1/p"
}

# set_credential USER PASSWORD: on the broker, through a temporary file, never a command line.
set_credential() {
  local cfg; cfg="$(mktemp "$CONF_DIR/scram.XXXXXX")"
  printf '%s=password=%s\n' "$MECHANISM" "$2" >"$cfg"
  if ! admin_tool org.apache.kafka.tools.ConfigCommand --alter --entity-type users \
       --entity-name "$1" --add-config-file "$cfg" >/dev/null; then
    rm -f "$cfg"; err "could not set the credential of $1"; return 1
  fi
  rm -f "$cfg"
}

cmd_users() {
  local known u pw added=0
  known="$(known_users)"
  for u in $(scram_users); do
    if ! grep -qx "$u" <<<"$known"; then
      pw="$(password "$u")"
      set_credential "$u" "$pw"; added=$((added + 1)); log "added user $u"
    fi
  done
  log "users: $added added, $(scram_users | wc -l) in the model"
}

check_user() {
  if ! scram_users | grep -x -- "${2:-}" >/dev/null; then err "usage: $1 <$(scram_users | paste -sd'|')>"; return 2; fi
}

# The broker's own login (inter-broker, tools) uses admin's password: rewrite the configs.
after_new_password() {
  if [[ "$1" == admin ]]; then write_configs; log "the broker's own login changed: restart it"; fi
  log "$1: new connections need the password in $(password_file "$1")"
}

# A new random password, set on the broker first, then written to the file.
cmd_rotate() {
  check_user rotate "${1:-}" || return
  local pw; pw="$(new_password)"
  set_credential "$1" "$pw"
  write_password "$1" "$pw"
  after_new_password "$1"
}

# The password already in the file (one the operator chose), set on the broker.
cmd_set_password() {
  check_user set-password "${1:-}" || return
  local pw; pw="$(password "$1")"
  set_credential "$1" "$pw"
  after_new_password "$1"
}

# ---------------------------------------------------------------- topics and ACLs
cmd_create_topics() {
  local spec topic parts
  for spec in "${NODE_TOPICS[0]} ${MOVEMENTS_PARTITIONS:-6}" "${NODE_TOPICS[1]} ${REFERRALS_PARTITIONS:-6}" \
              "${NODE_TOPICS[2]} ${AGREEMENTS_PARTITIONS:-1}" "$ALERTS_TOPIC ${ALERTS_PARTITIONS:-3}"; do
    read -r topic parts <<<"$spec"
    admin_tool org.apache.kafka.tools.TopicCommand --create --if-not-exists --topic "$topic" \
      --partitions "$parts" --replication-factor 1 >/dev/null
  done
  log "topics: ${NODE_TOPICS[*]} $ALERTS_TOPIC"
}

acl() { admin_tool org.apache.kafka.tools.AclCommand --add "$@" >/dev/null; }

cmd_acls() {
  local nodes=() u topics=()
  for u in $(node_users); do nodes+=(--allow-principal "User:$u"); done
  for u in "${NODE_TOPICS[@]}"; do topics+=(--topic "$u"); done
  # Nodes: write (and see) the node topics; nothing else: no READ, no group, no CREATE. Since
  # Kafka 3.0, WRITE on a topic is enough for an idempotent producer (no IDEMPOTENT_WRITE).
  acl "${nodes[@]}" --operation Write --operation Describe "${topics[@]}"
  # Aggregator: read the node topics as its consumer group (READ on the group; the DESCRIBE of the
  # same line adds nothing there, READ implies it), and write the alerts.
  acl --allow-principal User:aggregator --operation Read --operation Describe "${topics[@]}" --group "$GROUP"
  acl --allow-principal User:aggregator --operation Write --operation Describe --topic "$ALERTS_TOPIC"
  # The recipients' feed topics: the aggregator creates each when its recipient has a first item
  # (ensureTopics), sets its retention and writes it; each recipient reads its own topic only, with
  # consumer groups whose id starts with that topic's name.
  acl --allow-principal User:aggregator --operation Create --operation Write --operation Describe \
    --operation DescribeConfigs --operation AlterConfigs --resource-pattern-type prefixed --topic "$FEED_TOPIC_PREFIX"
  for r in "${RECIPIENTS[@]}"; do
    acl --allow-principal "User:$(feed_user "$r")" --operation Read --operation Describe --topic "$(feed_topic "$r")"
    acl --allow-principal "User:$(feed_user "$r")" --operation Read --resource-pattern-type prefixed --group "$(feed_topic "$r")"
  done
  log "acls: ${#STATES[@]} node principals write ${NODE_TOPICS[*]}; aggregator reads them as group $GROUP, writes $ALERTS_TOPIC and ${FEED_TOPIC_PREFIX}*; ${#RECIPIENTS[@]} recipients read their own feed topic"
}

main() {
  case "${1:-}" in
    start)         ensure_passwords; broker_command start ;;
    restart)       ensure_passwords; broker_command restart ;;
    setup)         cmd_users; cmd_create_topics; cmd_acls ;;
    users)         cmd_users ;;
    create-topics) cmd_create_topics ;;
    acls)          cmd_acls ;;
    list-acls)     admin_tool org.apache.kafka.tools.AclCommand --list ;;
    rotate)        cmd_rotate "${2:-}" ;;
    set-password)  cmd_set_password "${2:-}" ;;
    password-file) check_user password-file "${2:-}" && password "$2" >/dev/null && password_file "$2" ;;
    topics)        shift; admin_tool org.apache.kafka.tools.TopicCommand "$@" ;;
    *) broker_command "$@" ;;
  esac
}

main "$@"
