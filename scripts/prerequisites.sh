#!/usr/bin/env bash
# The one set-up step shared by `npm run demo`, `npm test` (its `pretest`) and `.ci/run`:
#
#   bash scripts/prerequisites.sh demo|test|ci
#
# Makes sure what the project needs from the operating system is there, installing it when it can
# (apt-get as root) and otherwise stopping before anything starts, with exit 2 and the command to run:
# - XGBoost's C library (Debian's libxgboost0, Homebrew's libxgboost.dylib), which the trainer and the
#   validator load through koffi; XGBOOST_LIBRARY names the file when it lives elsewhere;
# - nats-server, for the test suites' private servers (test) and for the demo when no NATS listens;
# - the npm dependencies (npm ci) when node_modules is missing.
# It changes nothing that is already in place, so running it twice is cheap.
set -euo pipefail
cd "$(dirname "$0")/.."

purpose="${1:-test}"
case "$purpose" in
  demo | test | ci) ;;
  *)
    echo "usage: bash scripts/prerequisites.sh demo|test|ci" >&2
    exit 2
    ;;
esac

say() { printf 'prerequisites: %s\n' "$*"; }

# The same text as XGBOOST_INSTALL_HINT in libs/ml/src/xgboost/native.ts (a unit test keeps them equal).
xgboost_hint() {
  cat >&2 <<'HINT'
XGBoost's native library (libxgboost) was not found; the trainer and the validator need it.
  Debian/Ubuntu:    sudo apt-get install -y libxgboost0
  macOS (Homebrew): brew install xgboost
  Installed elsewhere: set XGBOOST_LIBRARY to the library file (libxgboost.so.0 or libxgboost.dylib).
HINT
}

can_apt() { command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; }

apt_updated=""
apt_log="$(mktemp)"
trap 'rm -f "$apt_log"' EXIT
# apt's chatter (debconf, needrestart) goes to a log that is shown only when the install fails.
apt_install() {
  if [ -z "$apt_updated" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$apt_log" 2>&1 || { cat "$apt_log" >&2; return 1; }
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=l apt-get install -y -qq "$@" >"$apt_log" 2>&1 ||
    { cat "$apt_log" >&2; return 1; }
}

# Where the loader (libs/ml/src/xgboost/native.ts) looks, in the same order.
xgboost_found() {
  if [ -n "${XGBOOST_LIBRARY:-}" ]; then
    [ -f "$XGBOOST_LIBRARY" ]
    return
  fi
  case "$(uname -s)" in
    Darwin)
      for f in /opt/homebrew/lib/libxgboost.dylib /usr/local/lib/libxgboost.dylib \
        /opt/homebrew/opt/xgboost/lib/libxgboost.dylib /usr/local/opt/xgboost/lib/libxgboost.dylib; do
        [ -f "$f" ] && return 0
      done
      return 1
      ;;
    *)
      if command -v ldconfig >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q 'libxgboost\.so\.0'; then
        return 0
      fi
      for f in /usr/lib/*/libxgboost.so.0 /usr/lib/libxgboost.so.0 /usr/local/lib/libxgboost.so.0 \
        /usr/lib64/libxgboost.so.0; do
        [ -f "$f" ] && return 0
      done
      return 1
      ;;
  esac
}

if xgboost_found; then
  :
elif [ -n "${XGBOOST_LIBRARY:-}" ]; then
  # An explicit location is the user's choice: installing a package would not put the file there.
  echo "prerequisites: XGBOOST_LIBRARY=$XGBOOST_LIBRARY: no such file." >&2
  xgboost_hint
  exit 2
elif can_apt; then
  say "installing libxgboost0 (XGBoost's C library) with apt-get"
  if ! apt_install libxgboost0 || ! xgboost_found; then
    xgboost_hint
    exit 2
  fi
else
  xgboost_hint
  exit 2
fi

# host:port of a URL (first server of a list), and whether something listens there.
listening() {
  local u="${1#*://}"
  u="${u#*@}"
  u="${u%%/*}"
  u="${u%%\?*}"
  u="${u%%,*}"
  (exec 3<>"/dev/tcp/${u%%:*}/${u##*:}") 2>/dev/null
}
nats_url="${NATS_URL:-nats://127.0.0.1:4222}"
database_url="${DATABASE_URL:-postgresql://postgres:postgres@127.0.0.1:5432/union_eyes}"

# nats-server: the test suites start private servers; the demo starts one when nothing listens.
if ! command -v nats-server >/dev/null 2>&1 && { [ "$purpose" != demo ] || ! listening "$nats_url"; }; then
  if can_apt; then
    say "installing nats-server with apt-get"
    apt_install nats-server || {
      echo "prerequisites: could not install nats-server (apt-get's output above)." >&2
      exit 2
    }
  else
    cat >&2 <<'HINT'
nats-server was not found; the tests start private NATS servers (and the demo one when none listens).
  Debian/Ubuntu:    sudo apt-get install -y nats-server
  macOS (Homebrew): brew install nats-server
HINT
    exit 2
  fi
fi

# The tests run against the real PostgreSQL and NATS JetStream (the demo starts NATS itself when needed,
# and CI starts both before this step).
if [ "$purpose" = test ]; then
  if ! listening "$database_url"; then
    echo "prerequisites: PostgreSQL is not reachable at the host of DATABASE_URL (default 127.0.0.1:5432)." >&2
    echo "  Start it (Debian: sudo pg_ctlcluster 15 main start; macOS: brew services start postgresql@15)" >&2
    echo "  or point DATABASE_URL at one; docker compose up -d postgres nats starts both." >&2
    exit 2
  fi
  if ! listening "$nats_url"; then
    echo "prerequisites: NATS is not reachable at NATS_URL (default nats://127.0.0.1:4222)." >&2
    echo "  Start it with JetStream: nats-server -js -a 127.0.0.1 -p 4222 -sd /tmp/nats &" >&2
    echo "  or point NATS_URL at one; docker compose up -d postgres nats starts both." >&2
    exit 2
  fi
fi

# The npm dependencies, once (npm ci is what a fresh clone needs; an existing tree is left alone; CI
# runs its own npm ci right after this step).
if [ "$purpose" != ci ] && [ ! -d node_modules ]; then
  say "installing the npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi
