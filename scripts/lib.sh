# Shared set-up for scripts/test.sh and scripts/demo.sh: every step is idempotent and says
# what it does, so that both commands work on a fresh machine and are fast on a warm one.

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }

ensure_tools() {
  local missing=()
  command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null 2>&1 || missing+=(maven)
  command -v pg_isready >/dev/null 2>&1 || missing+=(postgresql-client)
  # Debian's Chromium for the console's browser test (driven by playwright-core, which downloads
  # no browser of its own).
  [[ -x ${CHROMIUM_PATH:-/usr/bin/chromium} ]] || missing+=(chromium)
  # Debian's Python with its Ed25519 package, for the integrators' Python client
  # (clients/python), which the end-to-end tests run against the real services.
  /usr/bin/python3 -c 'import cryptography' >/dev/null 2>&1 || missing+=(python3-cryptography)
  if ((${#missing[@]})); then
    say "installing ${missing[*]} (Debian packages)"
    if [[ $(id -u) -ne 0 ]]; then echo "need root to install ${missing[*]}" >&2; return 1; fi
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

ensure_node_modules() {
  if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
    say "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

ensure_postgres() {
  local host=${PGHOST:-127.0.0.1} port=${PGPORT:-5432}
  if pg_isready -q -h "$host" -p "$port"; then return 0; fi
  say "PostgreSQL is not answering on $host:$port; trying to start the local cluster"
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    if [[ $(id -u) -eq 0 ]]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    else
      echo "PostgreSQL is not installed and this user cannot install it" >&2; return 1
    fi
  fi
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 60); do
    pg_isready -q -h "$host" -p "$port" && return 0
    sleep 0.5
  done
  echo "PostgreSQL did not come up on $host:$port" >&2
  return 1
}

build() {
  say "building (tsc)"
  npm run --silent build
}
