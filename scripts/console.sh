#!/usr/bin/env bash
# npm run console: the operations console on this machine, against the demo's database (run `npm run demo`
# first). Starts what the console's actions go to (drift monitor, trainer, validator, notifier, scorer)
# and the console itself, with the development sign-in on, and runs until Ctrl-C, which stops them all.
#
#   CONSOLE_PORT (default 3000)   where the browser goes: http://127.0.0.1:$CONSOLE_PORT
#
# Exit codes: 0 stopped with Ctrl-C; 1 a service would not start (its log says why); 2 a prerequisite
# is missing (PostgreSQL, or the demo's database).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/prerequisites.sh demo

export DATABASE_URL="${DATABASE_URL:-postgresql://postgres:postgres@127.0.0.1:5432/union_eyes}"
export NATS_URL="${NATS_URL:-nats://127.0.0.1:4222}"
export LOG_FORMAT=json
CONSOLE_PORT="${CONSOLE_PORT:-3000}"
LOG_DIR="${DEMO_DIR:-.demo}/logs"
mkdir -p "$LOG_DIR"
PIDS=()
cleanup() {
  if [ ${#PIDS[@]} -gt 0 ]; then
    echo "stopping the console and its services"
    kill -TERM "${PIDS[@]}" 2>/dev/null || true
    wait "${PIDS[@]}" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 0' INT TERM

# shellcheck source=scripts/lib.sh
. scripts/lib.sh

[ -f dist/apps/console/src/main.js ] && [ -f dist/console-web/index.html ] || npm run -s build
if ! reachable "$DATABASE_URL" 5432; then
  echo "PostgreSQL is not reachable at the host of DATABASE_URL: start it, then npm run demo" >&2
  exit 2
fi
tenants="$(node -e "
const { Client } = require('pg');
const c = new Client({ connectionString: process.env.DATABASE_URL });
c.connect().then(() => c.query('select count(*)::int as n from tenants')).then((r) => { console.log(r.rows[0].n); return c.end(); })
  .catch(() => { console.log(0); process.exit(0); });")"
if [ "$tenants" = "0" ]; then
  echo "The database has no tenants: run npm run demo first (it seeds the platform the console shows)" >&2
  exit 2
fi
npm run -s db:migrate 2>&1 | grep -v '^\S*\[migrator\]' || true
npm run -s nats:provision >/dev/null

role_url() { node -e 'process.stdout.write(require("./dist/libs/database/src/roles.js").urlForRole(process.argv[1], process.argv[2]))' "$1" "$2"; }
# The demo's ports (3101 + index in the demo's list), so that the two never disagree.
SERVICES=(drift-monitor trainer validator notifier scorer console)
PORTS=(3102 3103 3104 3105 3107 "$CONSOLE_PORT")
for i in "${!SERVICES[@]}"; do
  svc="${SERVICES[$i]}"
  DATABASE_URL="$(role_url "$DATABASE_URL" "ue_$(echo "$svc" | tr - _)")" HTTP_PORT="${PORTS[$i]}" \
    CONSOLE_DEV_LOGIN=true NOTIFIER_URL=http://127.0.0.1:3105 \
    node "dist/apps/$svc/src/main.js" >"$LOG_DIR/$svc.log" 2>&1 &
  PIDS+=($!)
done
for i in "${!SERVICES[@]}"; do
  for _ in $(seq 150); do
    node -e "fetch('http://127.0.0.1:${PORTS[$i]}/health/ready').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))" && continue 2
    kill -0 "${PIDS[$i]}" 2>/dev/null || break
    sleep 0.2
  done
  echo "${SERVICES[$i]} did not start (log: $LOG_DIR/${SERVICES[$i]}.log):" >&2
  tail -n 15 "$LOG_DIR/${SERVICES[$i]}.log" >&2
  exit 1
done

cat <<TEXT

The console is ready: http://127.0.0.1:$CONSOLE_PORT   (API: /api, OpenAPI: /api/docs)
  Sign in with the development sign-in: "Platform operator" sees every tenant; each union local's
  admin sees their own tenant only. Services' logs: $LOG_DIR. Ctrl-C stops everything.
TEXT
wait "${PIDS[@]}"
