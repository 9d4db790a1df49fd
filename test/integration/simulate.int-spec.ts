import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SimulationReport } from '../../scripts/simulate/report';

// The platform over two months, as `npm run simulate` replays it against the real services: a steady
// tenant must never retrain, and a tenant whose members change (covariate drift from day 20) must be
// caught within a week, on every model.
const ROOT = path.resolve(__dirname, '../..');
const SCRIPT = path.join(ROOT, 'dist/scripts/simulate.js');

function simulate(args: string[], timeout = 60_000) {
  return spawnSync(process.execPath, [SCRIPT, ...args], {
    cwd: ROOT,
    env: process.env,
    encoding: 'utf8',
    timeout,
  });
}

describe('npm run simulate', () => {
  it.each([
    [['--days', '0'], '--days'],
    [['--scenario', 'sideways'], '--scenario'],
    [['--days', '30', '--drift-day', '30'], '--drift-day 30 is not before day 30'],
    [['--tenants', 'two'], '--tenants'],
    [['extra'], 'unexpected argument'],
    [['--open-after', '3/2'], '--open-after 3/2: need k/n with 1 <= k <= n <= 14'],
    [['--outcome-noise', '1.5'], '--outcome-noise'],
  ])('refuses %j with exit 2 and the usage, before anything starts', (args, message) => {
    const r = simulate([...args, '--database', 'ue_simulate_never_created']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('npm run simulate -- --tenants N --days D');
    expect(r.stdout).toBe('');
  });

  it(
    '60 days, one steady and one covariate-drifting tenant: no false retrain, drift caught within 7 days, one message a day at most',
    () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'ue-simulate-'));
      const json = path.join(dir, 'report.json');
      try {
        const r = simulate(
          [
            ...['--tenants', '2', '--days', '60', '--seed', '11', '--drift-day', '20'],
            ...['--claims-per-day', '30', '--database', 'ue_simulate_test', '--json', json],
          ],
          20 * 60_000,
        );
        expect({ status: r.status, stderr: r.stderr.slice(-3000) }).toEqual({ status: 0, stderr: '' });
        // A progress line per day, and the table at the end.
        expect(r.stdout.match(/^ {2}day +\d+\/60 /gm)).toHaveLength(60);
        const report = JSON.parse(readFileSync(json, 'utf8')) as SimulationReport;
        expect(report.days).toBe(60);
        const [steady, covariate] = report.tenants;
        expect(steady!.scenario).toBe('steady');
        expect(steady!.models.map((m) => [m.model, m.retrains, m.deployments])).toEqual(
          steady!.models.map((m) => [m.model, 0, 0]),
        );
        // The estimated accuracy tracks the realized one on the steady tenant: over the predictions labelled
        // by the end, the calibrated probabilities add up to the right answers within 3 points (8 x 180
        // run: see docs/benchmarks.md; churn has no label in 60 days).
        for (const m of steady!.models.filter((x) => x.model !== 'churn_risk')) {
          expect({ model: m.model, gap: m.calibrationGapPts }).toEqual({
            model: m.model,
            gap: expect.any(Number),
          });
          expect(m.calibrationGapPts!).toBeLessThanOrEqual(3);
        }
        expect(covariate!.scenario).toBe('covariate');
        expect(covariate!.driftStartDay).toBe(20);
        for (const m of covariate!.models) {
          expect(m.affected).toBe(true);
          expect({ model: m.model, detectedAfter: m.detectionDelayDays }).toEqual({
            model: m.model,
            detectedAfter: expect.any(Number),
          });
          expect(m.detectionDelayDays!).toBeLessThanOrEqual(7);
          expect(m.daysWithTwoDeployments).toBe(0);
        }
        expect(report.totals.falseRetrains).toBe(0);
        // Alerts people can live with: nothing to the steady tenant; the drifting one hears of its episodes
        // in daily digests, never two on one day.
        expect(steady!.messages).toBe(0);
        expect(covariate!.messages).toBeGreaterThan(0);
        expect(covariate!.itemsByKind.episode_opened).toBeGreaterThanOrEqual(4);
        expect(report.totals.maxMessagesPerTenantDay).toBe(1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    20 * 60_000,
  );
});
