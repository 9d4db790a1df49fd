#!/usr/bin/env bash
# npm run demo: the whole system on one machine, every service as its own process over the local
# NATS JetStream and PostgreSQL. Seeds the platform, fires the daily drift check as the scheduler
# would, follows every pipeline, prints what happened, stops the services it started and leaves the
# database to explore.
#
# Exit codes: 0 every pipeline ended as it should; 1 something did not (a service that would not start,
# a failed seeding or training, a dead letter, a pipeline still running after the wait; what and why
# are printed); 2 the machine lacks a prerequisite (scripts/prerequisites.sh says what to install, or
# PostgreSQL does not answer).
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

# shellcheck source=scripts/lib.sh
. scripts/lib.sh

step "Build"
npm run -s build

# Both are prerequisites: without them nothing can start (exit 2, like the prerequisite step).
step "PostgreSQL and NATS"
if ! reachable "$DATABASE_URL" 5432; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  if ! reachable "$DATABASE_URL" 5432; then
    echo "PostgreSQL is not reachable at the host of DATABASE_URL. Start one, e.g.: docker compose up -d postgres nats" >&2
    exit 2
  fi
fi
echo "PostgreSQL ok"
if ! reachable "$NATS_URL" 4222; then
  # The prerequisite step made sure nats-server is installed when nothing listens.
  nats-server -js -a 127.0.0.1 -p "$(url_port "$NATS_URL" 4222)" -sd "$DEMO_DIR/nats" >"$DEMO_DIR/logs/nats.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 50); do reachable "$NATS_URL" 4222 && break; sleep 0.1; done
  echo "started nats-server -js (pid $!)"
fi
echo "NATS JetStream ok"

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

step "Starting the seven services and the console (logs in $DEMO_DIR/logs)"
# Each service connects as its own PostgreSQL role (least privilege, row-level security per tenant);
# db:migrate created the roles and ran the migrations as ue_owner. The CLI below stays the operator's.
role_url() { node -e 'process.stdout.write(require("./dist/libs/database/src/roles.js").urlForRole(process.argv[1], process.argv[2]))' "$1" "$2"; }
# Service i listens on port 3101 + i (indexed arrays only: macOS's bash 3.2 has no associative ones).
SERVICES=(scheduler drift-monitor trainer validator notifier seeder scorer console)
SVC_PIDS=()
for i in "${!SERVICES[@]}"; do
  svc="${SERVICES[$i]}"
  DATABASE_URL="$(role_url "$DATABASE_URL" "ue_$(echo "$svc" | tr - _)")" \
  HTTP_PORT=$((3101 + i)) SCHEDULE_ENABLED=false DIGEST_HOLD_SECONDS="${DEMO_DIGEST_HOLD_SECONDS:-45}" DIGEST_SWEEP_MS=1000 \
  CONSOLE_DEV_LOGIN=true NOTIFIER_URL=http://127.0.0.1:3105 \
    node "dist/apps/$svc/src/main.js" >"$DEMO_DIR/logs/$svc.log" 2>&1 &
  PIDS+=($!)
  SVC_PIDS+=($!)
  printf '  %-14s pid %-7s http://127.0.0.1:%s/health/ready\n' "$svc" "$!" "$((3101 + i))"
done
ready() { node -e "fetch('http://127.0.0.1:$1/health/ready').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"; }
for i in "${!SERVICES[@]}"; do
  svc="${SERVICES[$i]}"
  for _ in $(seq 150); do
    ready "$((3101 + i))" && continue 2
    if ! kill -0 "${SVC_PIDS[$i]}" 2>/dev/null; then break; fi
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

step "The daily drift check of yesterday, then of today, fired as the scheduler would (POST /jobs/daily-drift-check/run?at=)"
# An episode opens when a breach shows on 2 of the last 3 daily checks: yesterday's drift is watched,
# today's opens the episode and retrains (docs/models.md, "Episodes").
fire() { node -e "fetch('http://127.0.0.1:3101/jobs/daily-drift-check/run?at=$1',{method:'POST'}).then(r=>r.text()).then(t=>console.log(t))"; }
yesterday="$(node -e 'console.log(new Date(Date.now() - 86400000).toISOString().slice(0, 10))')"
today="$(node -e 'console.log(new Date().toISOString().slice(0, 10))')"
echo "scheduler, $yesterday: $(fire "${yesterday}T12:00:00Z")"
# Today's check counts yesterday's: wait until those are stored.
node -e "
const { Client } = require('pg');
(async () => {
  const c = new Client({ connectionString: process.env.DATABASE_URL }); await c.connect();
  for (let i = 0; i < 300; i++) {
    const { rows } = await c.query(\"select count(*)::int as n, (select count(*)::int * 4 from tenants where id <> '_platform') as want from drift_checks where logical_date = \$1\", ['$yesterday']);
    if (rows[0].n >= rows[0].want) { console.log('  ' + rows[0].n + ' checks of ' + '$yesterday' + ' stored'); break; }
    await new Promise((r) => setTimeout(r, 200));
  }
  await c.end();
})();"
echo "scheduler, $today: $(fire "${today}T12:00:00Z")"

step "Following each pipeline (drift-monitor -> trainer -> validator -> notifier)"
verdict=0
node dist/scripts/demo-report.js --wait "${DEMO_WAIT_SECONDS:-90}" --since "$SINCE" || verdict=$?

# What follows only shows more of what happened; the verdict above decides the exit code.
step "Drift report of the drifted tenant (stored baselines vs the last 30 days)"
node dist/apps/cli/src/main.js drift:report --tenant tenant_8_0 --model claim_outcome --html "$DEMO_DIR/drift-report.html" || true
echo "HTML report: $(pwd)/$DEMO_DIR/drift-report.html"

step "One event through every service (log lines sharing a correlationId)"
node dist/scripts/demo-report.js --trace "$DEMO_DIR/logs" || true

step "Notifications: one digest per tenant per day (sent ${DEMO_DIGEST_HOLD_SECONDS:-45} s after the day's first item here; 30 minutes by default)"
node -e "
const { Client } = require('pg');
(async () => {
  const c = new Client({ connectionString: process.env.DATABASE_URL }); await c.connect();
  // Long enough for today's retrains to end and join the digest (a retrain queued behind others on a busy
  // machine takes half a minute); an outcome later than the hold joins tomorrow's.
  for (let i = 0; i < 450; i++) {
    const { rows } = await c.query(\"select count(*)::int as n from alert_items where digest_id is null and day <= current_date\");
    if (rows[0].n === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 1500)); // the dispatcher sends what the digest wrote
  const digests = await c.query(\"select d.tenant_id, d.day::text as day, d.severity, d.items, (select string_agg(distinct subject, ' | ') from ml_retraining_notifications n where n.event_id = d.id) as subject from alert_digests d order by 1, 2\");
  for (const r of digests.rows) console.log('  digest ' + r.tenant_id + ' ' + r.day + ' (' + r.severity + ', ' + r.items + ' items): ' + r.subject);
  const one = await c.query(\"select body from ml_retraining_notifications where event_type = 'alert.digest' and channel = 'in_app' order by created_at limit 1\");
  if (one.rows[0]) console.log('  one of them, in-app:\\n' + one.rows[0].body.split('\\n').map((l) => '    | ' + l).join('\\n'));
  const { rows } = await c.query(\"select channel, status, count(*)::int as n from ml_retraining_notifications where tenant_id <> '_platform' group by 1, 2 order by 1, 2\");
  for (const r of rows) console.log('  ' + r.channel.padEnd(8) + ' ' + r.status.padEnd(8) + ' ' + r.n);
  await c.end();
})();" || true
echo "  emails received by the local SMTP server: $(ls "$DEMO_DIR/mail" 2>/dev/null | wc -l) (in $DEMO_DIR/mail/)"
echo "  Slack and webhook calls received: $(wc -l < "$DEMO_DIR/hooks.log" 2>/dev/null || echo 0) (in $DEMO_DIR/hooks.log)"

step "The operations console (its JSON API, as the browser reads it)"
consoled=0
node dist/scripts/console-tour.js http://127.0.0.1:3108 || consoled=$?

# 40 days with drift from day 8: a concept drift shows in the labels of its quickest claims after 23-25
# days (docs/benchmarks.md), so a month that drifts from day 10 would end before it is seen.
sim_days="${DEMO_SIMULATION_DAYS:-40}"
sim_drift_day="${DEMO_DRIFT_DAY:-$((sim_days / 5))}"
step "The platform's life: 3 tenants (steady, covariate drift, concept drift) over $sim_days simulated days, drift from day $sim_drift_day"
# The same services, as processes of their own on a private database (ue_demo_simulation): each day files
# claims, resolves those whose day has come, and fires the daily check for that date.
simulated=0
node dist/scripts/simulate.js --tenants 3 --days "$sim_days" --drift-day "$sim_drift_day" --seed 1 \
  --database ue_demo_simulation --json "$DEMO_DIR/simulation.json" || simulated=$?
echo "  the table as JSON: $DEMO_DIR/simulation.json"

printf '\nThe database (%s) is left for you to explore; service logs are in %s/logs.\n' "$DATABASE_URL" "$DEMO_DIR"
if [ "$simulated" -ne 0 ]; then
  printf '\nThe demo FAILED: the simulation did not finish (see above).\n' >&2
  exit "$simulated"
fi
if [ "$consoled" -ne 0 ]; then
  printf '\nThe demo FAILED: the console did not answer as it should (see above).\n' >&2
  exit "$consoled"
fi
if [ "$verdict" -ne 0 ]; then
  printf '\nThe demo FAILED: the pipelines above did not all end as they should (see "problem(s)").\n' >&2
  exit "$verdict"
fi
echo "Done: every pipeline ended as it should."
echo
echo 'See it in a browser: npm run console, open http://127.0.0.1:3000 and sign in as "Platform operator"'
echo "(every tenant) or as one of a union local's admins (their tenant only), listed on the sign-in page."
