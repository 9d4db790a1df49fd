import type { AlertPage, DevUser, FleetPage, FleetRow, Me, ModelDetail } from '../apps/console/src/api/types';

// What the demo shows of the operations console: it signs in through the development sign-in as the
// platform operator, reads the fleet, the alerts and the worst model's page through the console's JSON
// API (what the browser shows), and says how a person signs in. Exits 1 when the console does not answer
// as it should.
//
//   console-tour <console base URL>

async function call<T>(
  base: string,
  path: string,
  init: RequestInit = {},
): Promise<{ body: T; res: Response }> {
  const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: HTTP ${res.status} ${await res.text()}`);
  return { body: (await res.json()) as T, res };
}

const pct = (x: number | undefined | null) =>
  x === undefined || x === null ? '-' : `${(x * 100).toFixed(1)}%`;

function line(r: FleetRow): string {
  const c = r.lastCheck;
  const check = c
    ? `${c.logicalDate} ${c.decision}, max PSI ${c.maxPsi?.toFixed(2) ?? '-'}, accuracy ${pct(c.accuracy?.value)} (${c.accuracySource ?? '-'})`
    : 'never checked';
  const episode = r.openEpisode ? `, episode since ${r.openEpisode.startedOn}` : '';
  return `  ${r.state.padEnd(15)} ${r.tenantId.padEnd(12)} ${r.modelType.padEnd(14)} v${r.activeVersion ?? '-'}  ${check}${episode}`;
}

async function main(base: string): Promise<void> {
  const users = (await call<DevUser[]>(base, '/auth/dev/users')).body;
  const { body: me, res } = await call<Me>(base, '/auth/dev/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId: 'dev-operator' }),
  });
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const get = <T>(path: string) => call<T>(base, path, { headers: { cookie } }).then((r) => r.body);

  const fleet = await get<FleetPage>('/api/fleet?pageSize=500');
  const counts = Object.entries(fleet.counts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  console.log(`  signed in as ${me.name} (${me.role}); the fleet: ${fleet.total} models, ${counts}`);
  for (const r of fleet.rows.filter((x) => x.state !== 'healthy')) console.log(line(r));
  const alerts = await get<AlertPage>('/api/alerts');
  console.log(`  alerts waiting for someone: ${alerts.unacknowledged}`);
  const worst = fleet.rows[0];
  if (worst) {
    const m = await get<ModelDetail>(`/api/tenants/${worst.tenantId}/models/${worst.modelType}`);
    const run = m.trainingRuns[0];
    console.log(
      `  ${m.tenantId} ${m.modelType}: ${m.checks.length} checks, ${m.episodes.length} episode(s), ` +
        `${m.trainingRuns.length} training run(s)` +
        (run?.verdict
          ? `; last verdict: ${run.verdict.passed ? 'deployed' : `rejected (${run.verdict.decision})`}`
          : ''),
    );
  }
  const admin = users.find((u) => u.role === 'tenant_admin');
  console.log('\n  See it in a browser: npm run console, then open http://127.0.0.1:3000 and sign in as');
  console.log('  "Platform operator" (every tenant)');
  if (admin)
    console.log(
      `  or as ${admin.name} <${admin.email}>, admin of ${admin.tenantName ?? admin.tenantId} (that tenant only).`,
    );
}

const base = process.argv[2];
if (!base) {
  console.error('usage: console-tour <console base URL>');
  process.exit(2);
}
main(base).catch((err: unknown) => {
  console.error(
    `the console did not answer as it should: ${err instanceof Error ? err.message : String(err)}`,
  );
  process.exit(1);
});
