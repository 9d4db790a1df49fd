#!/usr/bin/env bash
# npm run demo: the whole system on one machine, every service as its own process over the local
# NATS JetStream and PostgreSQL. Seeds the platform, fires the daily drift check as the scheduler
# would, follows every pipeline, prints what happened, stops the services it started and leaves the
# database to explore.
#
# Exit codes: 0 every pipeline ended as it should; 1 something did not (a service that would not start,
# a failed seeding or training, a dead letter, a pipeline still running after the wait; what and why
# are printed); 2 the machine lacks a prerequisite (scripts/prerequisites.sh says what to install).
set -euo pipefail
cd "$(dirname "$0")/.."

# Before anything starts: XGBoost's library, nats-server when needed, the npm dependencies.
bash scripts/prerequisites.sh demo

export DATABASE_URL="${DATABASE_URL:-postgresql://postgres:postgres@127.0.0.1:5432/union_eyes}"
export NATS_URL="${NATS_URL:-nats://127.0.0.1:4222}"
export LOG_FORMAT=json
DEMO_DIR="${DEMO_DIR:-.demo}"
CLAIMS="${DEMO_CLAIMS:-8000}"
mkdir -p "$DEMO_DIR/logs"
PIDS=()

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
cleanup() {
  if [ ${#PIDS[@]} -gt 0 ]; then
    step "Stopping the services"
    kill -TERM "${PIDS[@]}" 2>/dev/null || true
    wait "${PIDS[@]}" 2>/dev/null || true
  fi
}
trap cleanup EXIT

hostport() { local u="${1#*://}"; u="${u#*@}"; u="${u%%/*}"; echo "${u%%,*}"; }
listening() { local hp; hp=$(hostport "$1"); (exec 3<>"/dev/tcp/${hp%%:*}/${hp##*:}") 2>/dev/null; }

step "Build"
npm run -s build

step "PostgreSQL and NATS"
if ! listening "$DATABASE_URL"; then
  if command -v pg_ctlcluster >/dev/null; then pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true; fi
  listening "$DATABASE_URL" || { echo "PostgreSQL is not reachable at $DATABASE_URL. Start one, e.g.: docker compose up -d postgres nats"; exit 1; }
fi
echo "PostgreSQL: $(hostport "$DATABASE_URL") ok"
if ! listening "$NATS_URL"; then
  if command -v nats-server >/dev/null; then
    nats-server -js -a 127.0.0.1 -p "$(hostport "$NATS_URL" | sed 's/.*://')" -sd "$DEMO_DIR/nats" >"$DEMO_DIR/logs/nats.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 50); do listening "$NATS_URL" && break; sleep 0.1; done
    echo "started nats-server -js (pid $!)"
  else
    echo "NATS is not reachable at $NATS_URL and nats-server is not installed."
    echo "Install it (apt-get install nats-server) or run: docker compose up -d postgres nats"; exit 1
  fi
fi
echo "NATS JetStream: $(hostport "$NATS_URL") ok"

step "Migrations"
npm run -s db:migrate 2>&1 | grep -v '^\S*\[migrator\]'

step "JetStream streams (the one step that creates or changes them; the services only check)"
npm run -s nats:provision

step "Local notification sinks (a real SMTP server and an HTTP endpoint for Slack and webhooks)"
rm -rf "$DEMO_DIR/mail" "$DEMO_DIR/hooks.log"
node dist/scripts/notification-sinks.js "$DEMO_DIR" 2525 2526 &
PIDS+=($!)
export SMTP_URL="smtp://demo:demo-password@127.0.0.1:2525"
export SLACK_WEBHOOKS='{"ml-alerts": "http://127.0.0.1:2526/slack/ml-alerts"}'
export WEBHOOKS='{"ops": {"url": "http://127.0.0.1:2526/webhook/ops", "secret": "demo-webhook-signing-key"}}'
sleep 0.5

step "Starting the six services (logs in $DEMO_DIR/logs)"
# Each service connects as its own PostgreSQL role (least privilege, row-level security per tenant);
# db:migrate created the roles and ran the migrations as ue_owner. The CLI below stays the operator's.
role_url() { node -e 'process.stdout.write(require("./dist/libs/database/src/roles.js").urlForRole(process.argv[1], process.argv[2]))' "$1" "$2"; }
SERVICES=(scheduler drift-monitor trainer validator notifier seeder)
declare -A SVC_PID SVC_PORT
port=3101
for svc in "${SERVICES[@]}"; do
  DATABASE_URL="$(role_url "$DATABASE_URL" "ue_${svc//-/_}")" \
  HTTP_PORT=$port SCHEDULE_ENABLED=false node "dist/apps/$svc/src/main.js" >"$DEMO_DIR/logs/$svc.log" 2>&1 &
  PIDS+=($!)
  SVC_PID[$svc]=$!
  SVC_PORT[$svc]=$port
  printf '  %-14s pid %-7s http://127.0.0.1:%s/health/ready\n' "$svc" "$!" "$port"
  port=$((port + 1))
done
ready() { node -e "fetch('http://127.0.0.1:$1/health/ready').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"; }
for svc in "${SERVICES[@]}"; do
  for _ in $(seq 150); do
    ready "${SVC_PORT[$svc]}" && continue 2
    if ! kill -0 "${SVC_PID[$svc]}" 2>/dev/null; then break; fi
    sleep 0.2
  done
  # Stopped, or not ready after 30 s: say which and why (its last log lines), and stop the demo.
  echo "$svc did not start (log: $DEMO_DIR/logs/$svc.log):" >&2
  tail -n 15 "$DEMO_DIR/logs/$svc.log" >&2
  exit 1
done
echo "all ready"

SINCE="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

step "Seeding: one steady tenant and one whose last 30 days drifted (seed.requested -> seeder -> seed.completed)"
npm run -s cli -- seed --tenants 1 --users 50 --claims "$CLAIMS" --seed 3 --reset
npm run -s cli -- seed --tenants 1 --users 50 --claims "$CLAIMS" --seed 8 --scenario drift

step "The daily drift check, fired as the scheduler would (POST /jobs/daily-drift-check/run)"
curl_out=$(node -e "fetch('http://127.0.0.1:3101/jobs/daily-drift-check/run',{method:'POST'}).then(r=>r.text()).then(t=>console.log(t))")
echo "scheduler: $curl_out"

step "Following each pipeline (drift-monitor -> trainer -> validator -> notifier)"
verdict=0
node dist/scripts/demo-report.js --wait "${DEMO_WAIT_SECONDS:-90}" --since "$SINCE" || verdict=$?

step "Drift report of the drifted tenant (stored baselines vs the last 30 days)"
node dist/apps/cli/src/main.js drift:report --tenant tenant_8_0 --model claim_outcome --html "$DEMO_DIR/drift-report.html" | head -20
echo "HTML report: $(pwd)/$DEMO_DIR/drift-report.html"

step "One event through every service (log lines sharing a correlationId)"
node dist/scripts/demo-report.js --trace "$DEMO_DIR/logs"

step "Notifications"
sleep 1
node -e "
const { Client } = require('pg');
(async () => {
  const c = new Client({ connectionString: process.env.DATABASE_URL }); await c.connect();
  const { rows } = await c.query(\"select channel, status, count(*)::int as n from ml_retraining_notifications where tenant_id <> '_platform' group by 1, 2 order by 1, 2\");
  for (const r of rows) console.log('  ' + r.channel.padEnd(8) + ' ' + r.status.padEnd(8) + ' ' + r.n);
  await c.end();
})();"
echo "  emails received by the local SMTP server: $(ls "$DEMO_DIR/mail" 2>/dev/null | wc -l) (in $DEMO_DIR/mail/)"
echo "  Slack and webhook calls received: $(wc -l < "$DEMO_DIR/hooks.log" 2>/dev/null || echo 0) (in $DEMO_DIR/hooks.log)"

printf '\nThe database (%s) is left for you to explore; service logs are in %s/logs.\n' "$DATABASE_URL" "$DEMO_DIR"
if [ "$verdict" -ne 0 ]; then
  printf '\nThe demo FAILED: the pipelines above did not all end as they should (see "problem(s)").\n' >&2
  exit "$verdict"
fi
echo "Done: every pipeline ended as it should."
