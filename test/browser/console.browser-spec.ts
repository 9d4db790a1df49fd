// Class-transformer's decorators in @app/contracts need it loaded first (nothing in its imports does).
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { MODEL_TYPES } from '@app/domain';
import type { DevUser } from '../../apps/console/src/api/types';
import { deployCopyAsV2, startConsoleStack } from '../integration/support/console-stack';
import { Harness, serviceDatabaseUrl } from '../integration/support/harness';
import { pollUntil } from '../integration/support/poll';

const ROOT = path.resolve(__dirname, '../..');
const WEB = path.join(ROOT, 'dist/console-web');
/** Debian's chromium (scripts/prerequisites.sh installs it); CHROMIUM_PATH names another. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the pages' screenshots go: docs/console when CONSOLE_SCREENSHOTS=docs (README shows them). */
const SHOTS =
  process.env.CONSOLE_SCREENSHOTS === 'docs'
    ? path.join(ROOT, 'docs/console')
    : path.join(process.env.TMPDIR ?? '/tmp', 'ue-console-shots');
const OIDC_SECRET = 'browser-test-client-secret-0123456789';

/** `n` distinct free ports: every listener is held until all are found, so no port is handed out twice. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.listen(0, '127.0.0.1', () => resolve(s));
          s.on('error', reject);
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

// The operations console in a real browser (issue 18): Debian's Chromium driven by playwright-core against
// the console and the services it acts through, on real Postgres and NATS. Signs in (development and
// OpenID Connect against a real provider), looks at the fleet, a drifted model's charts and the alerts,
// acknowledges one, rolls a model back through its confirmation, tries another tenant's pages as an
// admin, and checks each page with axe-core.
describe('console in a browser', () => {
  const h = new Harness();
  const today = new Date().toISOString().slice(0, 10);
  const steady = 'tenant_95_0';
  const drifted = 'tenant_96_0';
  let base: string;
  let oidcBase: string;
  let provider: ChildProcess | undefined;
  let oidcConsole: ChildProcess | undefined;
  let browser: Browser;
  let users: DevUser[];

  beforeAll(async () => {
    if (!existsSync(path.join(WEB, 'index.html')))
      throw new Error(`the web UI is not built (${WEB}): npm run build`);
    if (!existsSync(CHROMIUM))
      throw new Error(`no Chromium at ${CHROMIUM}: bash scripts/prerequisites.sh test installs it`);
    mkdirSync(SHOTS, { recursive: true });
    await h.start();
    const stack = await startConsoleStack(h, {
      steady: 95,
      drifted: 96,
      today,
      consoleEnv: { CONSOLE_WEB_DIR: WEB, CONSOLE_ALERT_POLL_MS: '300' },
    });
    base = stack.consoleUrl;
    const consoleEnv = stack.consoleEnv;

    // A second console that signs people in through a real OpenID Connect provider only.
    const [consolePort, providerPort] = (await freePorts(2)) as [number, number];
    const redirect = `http://127.0.0.1:${consolePort}/auth/callback`;
    provider = spawn(
      process.execPath,
      [path.join(__dirname, 'oidc-provider.mjs'), String(providerPort), redirect, OIDC_SECRET],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await new Promise<void>((resolve, reject) => {
      provider!.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) resolve();
      });
      provider!.on('exit', (code) => reject(new Error(`oidc-provider exited ${code}`)));
    });
    // As its own process from the build, as deployed: openid-client is an ES module, which Node loads
    // from CommonJS but Jest's module loader does not.
    oidcConsole = spawn(process.execPath, [path.join(ROOT, 'dist/apps/console/src/main.js')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...consoleEnv,
        DATABASE_URL: serviceDatabaseUrl('console'),
        SUBJECT_PREFIX: h.prefix,
        HTTP_PORT: String(consolePort),
        OIDC_ISSUER: `http://127.0.0.1:${providerPort}`,
        OIDC_CLIENT_ID: 'ue-console',
        OIDC_CLIENT_SECRET: OIDC_SECRET,
        OIDC_REDIRECT_URL: redirect,
        CONSOLE_SESSION_SECRET: 'a-session-secret-of-at-least-32-characters',
        CONSOLE_OPERATORS: 'ops@union-eyes.example.org',
      },
    });
    oidcBase = `http://127.0.0.1:${consolePort}`;
    await pollUntil(
      async () => (await fetch(`${oidcBase}/health/ready`).catch(() => undefined))?.ok === true,
      { what: 'the OIDC console ready', timeoutMs: 30_000 },
    );

    users = (await (await fetch(`${base}/auth/dev/users`)).json()) as DevUser[];
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    oidcConsole?.kill();
    provider?.kill();
    await h.stop();
  });

  const adminOf = (tenantId: string) => users.find((u) => u.tenantId === tenantId)!;

  async function signedIn(userId: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    await page.goto(`${base}/signin`);
    await page.getByTestId('dev-user-select').selectOption(userId);
    await page.getByTestId('dev-signin').click();
    await page.getByTestId('fleet-table').waitFor();
    return { context, page };
  }

  /** axe-core on the page as it is: no serious or critical violation. */
  async function accessible(page: Page, name: string): Promise<void> {
    const { violations } = await new AxeBuilder({ page }).analyze();
    const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect({ page: name, violations: bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`) }).toEqual({
      page: name,
      violations: [],
    });
  }

  it('signs in with the development sign-in and shows the fleet of both tenants', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByTestId('dev-user-select').waitFor();
    await accessible(page, 'sign-in');
    await page.screenshot({ path: path.join(SHOTS, 'sign-in.png') });
    await page.getByTestId('dev-user-select').selectOption('dev-operator');
    await page.getByTestId('dev-signin').click();
    await page.getByTestId('fleet-table').waitFor();
    await pollUntil(async () => (await page.getByTestId('fleet-row').count()) === 2 * MODEL_TYPES.length, {
      what: 'the eight rows of the fleet',
    });
    const tenants = await page
      .getByTestId('fleet-row')
      .evaluateAll((rows) => [...new Set(rows.map((r) => r.getAttribute('data-tenant')))]);
    expect(new Set(tenants)).toEqual(new Set([steady, drifted]));
    await accessible(page, 'fleet');
    await page.screenshot({ path: path.join(SHOTS, 'fleet.png'), fullPage: true });
    // Search narrows the table to one tenant.
    await page.getByTestId('fleet-search').fill(drifted);
    await pollUntil(
      async () => (await page.locator(`[data-testid=fleet-row][data-tenant=${steady}]`).count()) === 0,
      {
        what: 'the search to leave one tenant',
      },
    );
    await context.close();
  });

  it("shows a drifted model's PSI and accuracy charts, a day's histograms and its shadow challenger", async () => {
    // A challenger on trial and one retired before it, as the validator keeps them (issue 19).
    await h.query(
      `insert into model_challengers (tenant_id, model_type, challenger_version, champion_version, state, decision, reason,
                                      started_on, decided_on, labelled_pairs, discordant_pairs, challenger_wins,
                                      log_likelihood_ratio, always_valid_p, correlation_id, created_at)
       values ($1, 'claim_outcome', 2, 1, 'retired', 'retired_worse', 'v2 against v1: the challenger is worse on live claims',
               $2::date - 30, $2::date - 10, 640, 52, 15, 3.4, 0.033, 'browser-trial', now() - interval '30 days'),
              ($1, 'claim_outcome', 3, 1, 'running', null, null,
               $2::date - 6, null, 310, 28, 19, 0.87, 0.42, 'browser-trial', now())`,
      [drifted, today],
    );
    const { context, page } = await signedIn('dev-operator');
    await page
      .locator(`[data-testid=fleet-row][data-tenant=${drifted}][data-model=claim_outcome] a`)
      .first()
      .click();
    await page.getByTestId('psi-chart').waitFor();
    await page.getByTestId('accuracy-chart').waitFor();
    await page.getByTestId('histograms').locator('canvas').first().waitFor();
    // The charts drew something: a canvas of the page's size with pixels that are not all background.
    for (const id of ['psi-chart', 'accuracy-chart']) {
      // In the page (the DOM's types are not this file's): count the canvas's non-transparent pixels.
      const inked = await page.getByTestId(id).evaluate((c) => {
        const canvas = c as unknown as {
          width: number;
          height: number;
          getContext(kind: '2d'): {
            getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
          };
        };
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
        return n;
      });
      expect(inked).toBeGreaterThan(1000);
    }
    expect(await page.getByTestId('histograms').locator('canvas').count()).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId('challenger-llr').textContent()).toBe('0.87 of 3.00');
    expect(await page.getByTestId('challenger-trials').textContent()).toMatch(/v2.*retired worse/);
    await accessible(page, 'model');
    await page.screenshot({ path: path.join(SHOTS, 'model.png'), fullPage: true });
    await context.close();
  });

  it('acknowledges an alert, and the acknowledgement is stored with who and the note', async () => {
    await h.rowsUntil(
      `select id from ml_retraining_notifications where tenant_id = $1 and severity in ('warning', 'failure')`,
      [drifted],
      { what: "the drifted tenant's alert", timeoutMs: 30_000 },
    );
    const admin = adminOf(drifted);
    const { context, page } = await signedIn(admin.userId);
    await page.goto(`${base}/alerts`);
    const row = page.getByTestId('alert-row').first();
    await row.waitFor();
    const id = (await row.getAttribute('data-alert-id'))!;
    await accessible(page, 'alerts');
    await page.screenshot({ path: path.join(SHOTS, 'alerts.png'), fullPage: true });
    await row.getByTestId('ack-open').click();
    await page.getByTestId('ack-note').fill('on it');
    await page.getByTestId('ack-confirm').click();
    await pollUntil(
      async () =>
        ((await page.locator(`[data-alert-id="${id}"] [data-testid=ack-by]`).textContent()) ?? '').includes(
          admin.email,
        ),
      { what: 'the row to show who acknowledged it' },
    );
    expect(
      new Set(
        (
          await h.query<{ by: string; note: string }>(
            `select a.acknowledged_by as by, a.note from ml_alert_acknowledgments a
               join ml_retraining_notifications n on n.id = a.notification_id where n.event_id = $1`,
            [id],
          )
        ).map((a) => `${a.by}/${a.note}`),
      ),
    ).toEqual(new Set([`${admin.email}/on it`]));
    await context.close();
  });

  it('rolls a model back after its confirmation', async () => {
    await deployCopyAsV2(h, drifted, 'timeline', 'browser-test');
    const { context, page } = await signedIn('dev-operator');
    await page.goto(`${base}/tenants/${drifted}/models/timeline`);
    await page.getByTestId('rollback-version').waitFor();
    await page.getByTestId('rollback-version').selectOption('1');
    await page.getByTestId('rollback-reason').fill('v2 scores late claims badly');
    await page.getByTestId('rollback-open').click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await accessible(page, 'rollback confirmation');
    // Nothing is asked before the confirmation.
    expect(await h.query(`select 1 from outbox where subject = 'model.rollback.requested'`)).toHaveLength(0);
    await page.getByTestId('rollback-confirm').click();
    await pollUntil(
      async () => /rollback requested/i.test((await page.getByTestId('action-result').textContent()) ?? ''),
      {
        what: 'the rollback to be acknowledged on the page',
      },
    );
    await pollUntil(
      async () =>
        (
          await h.query<{ v: number }>(
            `select model_version as v from model_metadata where tenant_id = $1 and model_type = 'timeline' and is_active`,
            [drifted],
          )
        )[0]?.v === 1,
      { what: 'v1 active again' },
    );
    await context.close();
  });

  it("refuses a tenant admin another tenant's pages and API, unsigned requests, and changes without the CSRF token", async () => {
    const { context, page } = await signedIn(adminOf(steady).userId);
    // URL tampering: the page says it is not there, and the API answers 404.
    await page.goto(`${base}/tenants/${drifted}/models/claim_outcome`);
    await page.getByTestId('error-message').waitFor();
    await accessible(page, 'not found');
    const api = await page.evaluate(
      async ([tenant]) => {
        const me = (await (await fetch('/api/me')).json()) as { csrfToken: string };
        const other = await fetch(`/api/tenants/${tenant}/models/claim_outcome`);
        const noCsrf = await fetch(`/api/tenants/${tenant}/models/claim_outcome/retrain`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ reason: 'tamper' }),
        });
        const withCsrf = await fetch(`/api/tenants/${tenant}/models/claim_outcome/retrain`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
          body: JSON.stringify({ reason: 'tamper' }),
        });
        return { other: other.status, noCsrf: noCsrf.status, withCsrf: withCsrf.status };
      },
      [drifted],
    );
    expect(api).toEqual({ other: 404, noCsrf: 403, withCsrf: 404 });
    // Another browser, not signed in: 401 from the API, and the UI sends it to sign in.
    const anonymous = await browser.newContext();
    const stranger = await anonymous.newPage();
    const response = await stranger.request.get(`${base}/api/fleet`);
    expect(response.status()).toBe(401);
    await stranger.goto(`${base}/`);
    await stranger.getByTestId('dev-user-select').waitFor();
    expect(new URL(stranger.url()).pathname).toBe('/signin');
    await anonymous.close();
    await context.close();
  });

  it('signs in through OpenID Connect: a tenant admin by email, an operator from the list, a stranger refused', async () => {
    async function throughProvider(email: string): Promise<{ page: Page; context: BrowserContext }> {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${oidcBase}/signin`);
      await page
        .getByRole('link', { name: /sign in with your organisation/i })
        .click({ timeout: 15_000 })
        .catch(async (err: unknown) => {
          // Say where the browser was: the page's address and text.
          throw new Error(
            `${String(err)}\nat ${page.url()}:\n${(await page.locator('body').innerText()).slice(0, 500)}`,
          );
        });
      // node-oidc-provider's development login, then its consent page.
      await page.locator('input[name=login]').fill(email);
      await page.locator('input[name=password]').fill('any');
      await page.locator('button[type=submit]').click();
      await page.locator('button[type=submit]').click();
      return { page, context };
    }
    const admin = adminOf(drifted);
    const a = await throughProvider(admin.email);
    await a.page.getByTestId('fleet-table').waitFor();
    const me = (await a.page.evaluate(async () => (await fetch('/api/me')).json())) as {
      role: string;
      tenantId: string;
    };
    expect(me).toMatchObject({ role: 'tenant_admin', tenantId: drifted });
    await a.context.close();

    const o = await throughProvider('ops@union-eyes.example.org');
    await o.page.getByTestId('fleet-table').waitFor();
    expect(
      await o.page.evaluate(async () => ((await (await fetch('/api/me')).json()) as { role: string }).role),
    ).toBe('operator');
    await o.context.close();

    const s = await throughProvider('stranger@example.org');
    await s.page.getByTestId('error-message').waitFor();
    expect(await s.page.getByTestId('error-message').textContent()).toMatch(
      /neither a platform operator nor/,
    );
    expect((await s.page.request.get(`${oidcBase}/api/me`)).status()).toBe(401);
    await s.context.close();
    // The development sign-in does not exist on this console.
    expect((await fetch(`${oidcBase}/auth/dev/users`)).status).toBe(404);
  });
});
