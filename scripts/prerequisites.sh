#!/usr/bin/env bash
# The one set-up step shared by `npm run demo`, `npm test` (its `pretest`) and `.ci/run`:
#
#   bash scripts/prerequisites.sh demo|test|ci
#
# Makes sure what the project needs from the operating system is there, installing it when it can
# (apt-get as root) and otherwise stopping before anything starts, with exit 2 and the command to run:
# - XGBoost's C library (Debian's libxgboost0, Homebrew's libxgboost.dylib), which the trainer, the
#   validator and the scorer load through koffi; XGBOOST_LIBRARY names the file when it lives elsewhere;
# - nats-server, for the test suites' private servers (test) and for the demo when no NATS listens;
# - chromium, for the console's browser tests (test, ci);
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

# shellcheck source=scripts/lib.sh
. scripts/lib.sh

say() { printf 'prerequisites: %s\n' "$*"; }

# The same text as XGBOOST_INSTALL_HINT in libs/ml/src/xgboost/native.ts (a unit test keeps them equal).
xgboost_hint() {
  cat >&2 <<'HINT'
XGBoost's native library (libxgboost) was not found; the trainer, the validator and the scorer need it.
  Debian/Ubuntu:    sudo apt-get install -y libxgboost0
  macOS (Homebrew): brew install xgboost
  Installed elsewhere: set XGBOOST_LIBRARY to the library file (libxgboost.so.0 or libxgboost.dylib).
HINT
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
      # Not `grep -q`: it stops reading at the first match, and under pipefail ldconfig's SIGPIPE would
      # turn a found library into a missing one.
      if command -v ldconfig >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep 'libxgboost\.so\.0' >/dev/null; then
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

nats_url="${NATS_URL:-nats://127.0.0.1:4222}"
database_url="${DATABASE_URL:-postgresql://postgres:postgres@127.0.0.1:5432/union_eyes}"

# nats-server: the test suites start private servers; the demo starts one when nothing listens.
if ! command -v nats-server >/dev/null 2>&1 && { [ "$purpose" != demo ] || ! reachable "$nats_url" 4222; }; then
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

# Chromium: the browser tests drive the console in Debian's chromium through playwright-core (whose own
# browser download cannot work where only the npm registry and the OS packages are reachable).
# CHROMIUM_PATH names another build.
chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ "$purpose" != demo ] && [ ! -x "$chromium_path" ]; then
  if [ -z "${CHROMIUM_PATH:-}" ] && can_apt; then
    say "installing chromium (for the console's browser tests) with apt-get"
    apt_install chromium || {
      echo "prerequisites: could not install chromium (apt-get's output above)." >&2
      exit 2
    }
  else
    cat >&2 <<HINT
Chromium was not found at $chromium_path; the console's browser tests drive it (playwright-core).
  Debian/Ubuntu:    sudo apt-get install -y chromium
  Elsewhere:        set CHROMIUM_PATH to a Chromium or Chrome executable.
HINT
    exit 2
  fi
fi

# The tests run against the real PostgreSQL and NATS JetStream (the demo starts NATS itself when needed,
# and CI starts both before this step). With DATABASE_URL or NATS_URL unset and a Docker engine, the
# test setup starts that one with Testcontainers instead (test/integration/global-setup.ts).
docker_engine() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }
if [ "$purpose" = test ]; then
  if { [ -n "${DATABASE_URL:-}" ] || ! docker_engine; } && ! reachable "$database_url" 5432; then
    echo "prerequisites: PostgreSQL is not reachable at the host of DATABASE_URL (default 127.0.0.1:5432)." >&2
    echo "  Start it (Debian: sudo pg_ctlcluster 15 main start; macOS: brew services start postgresql@15)" >&2
    echo "  or point DATABASE_URL at one; docker compose up -d postgres nats starts both." >&2
    exit 2
  fi
  if { [ -n "${NATS_URL:-}" ] || ! docker_engine; } && ! reachable "$nats_url" 4222; then
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
