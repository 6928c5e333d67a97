#!/usr/bin/env bash
# A PostgreSQL cluster of the fault tests' own (port 5433, data in .pg-faults/), so that fault 4
# can restart PostgreSQL under the services without touching the shared server on 5432. Uses the
# installed server binaries; initdb and the server run as the `postgres` user (initdb refuses root).
#
# Usage: deploy/postgres/pg-faults.sh start|stop|restart [fast|immediate]|status|reset
# Environment: PG_FAULTS_DIR (default <repo>/.pg-faults), PG_FAULTS_PORT (default 5433)
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
DIR="${PG_FAULTS_DIR:-$REPO_ROOT/.pg-faults}"
PORT="${PG_FAULTS_PORT:-5433}"
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
DATA="$DIR/data"

as_pg() { if [[ $(id -un) == postgres ]]; then "$@"; else runuser -u postgres -- "$@"; fi; }
log() { echo "pg-faults: $*"; }

ensure_init() {
  [[ -f "$DATA/PG_VERSION" ]] && return 0
  mkdir -p "$DIR"
  chown postgres:postgres "$DIR" 2>/dev/null || true
  as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --no-instructions >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; return 1; }
  cat >>"$DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
max_connections = 100
shared_buffers = 64MB
fsync = on
CONF
}

running() { as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

cmd_start() {
  ensure_init
  if running; then log "running on 127.0.0.1:$PORT"; return 0; fi
  as_pg "$BIN/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 60 start >/dev/null
  log "started on 127.0.0.1:$PORT"
}

cmd_stop() {
  if ! [[ -f "$DATA/PG_VERSION" ]] || ! running; then log "not running"; return 0; fi
  as_pg "$BIN/pg_ctl" -D "$DATA" -m "${1:-fast}" -w -t 60 stop >/dev/null
  log "stopped (${1:-fast})"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop "${2:-fast}" ;;
  restart) cmd_stop "${2:-fast}"; cmd_start ;;
  status) if [[ -f "$DATA/PG_VERSION" ]] && running; then log "running on 127.0.0.1:$PORT"; else log "not running"; exit 3; fi ;;
  reset) cmd_stop; rm -rf "$DIR"; log "removed $DIR" ;;
  *) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
