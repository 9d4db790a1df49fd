// Class-transformer's decorators in @app/contracts need it loaded first (nothing in its imports does).
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { Client } from 'pg';
import type { AppLogger } from '@app/common';
import { BaseConfig } from '@app/common';
import { createEnvelope } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import { OWNER_ROLE, SERVICE_ROLES } from '@app/database';
import { OnEvent, ServiceModule } from '@app/messaging';
import type { HandlerContext } from '@app/messaging';
import { createTenant, Harness, seedTestDatabase, serviceDatabaseUrl } from './support/harness';
import { pollUntil } from './support/poll';

/** Tenant-scoped tables and the column that names the tenant. */
const TENANT_TABLES: Record<string, string> = {
  tenants: 'id',
  profiles: 'tenant_id',
  claims: 'tenant_id',
  member_ai_feedback: 'tenant_id',
  benchmark_data: 'tenant_id',
  analytics_scheduled_reports: 'tenant_id',
  ml_predictions: 'tenant_id',
  model_metadata: 'tenant_id',
  model_feature_baselines: 'tenant_id',
  ml_model_training_runs: 'tenant_id',
  ml_retraining_notifications: 'tenant_id',
  ml_alert_acknowledgments: 'tenant_id',
  drift_checks: 'tenant_id',
  drift_episodes: 'tenant_id',
  model_deployments: 'tenant_id',
  model_artifacts: 'tenant_id',
  notification_recipients: 'tenant_id',
};
const SERVICES = ['scheduler', 'drift-monitor', 'trainer', 'validator', 'notifier', 'scorer'] as const;

/** What the probe handler saw, per event it handled. */
const seen: { tenantId: string; metadataTenants: string[]; otherClaims: number }[] = [];

/** A handler that looks, through its own context, for rows of other tenants. */
@Injectable()
class IsolationProbe {
  @OnEvent('model.deployed')
  async onDeployed(event: Envelope<'model.deployed'>, ctx: HandlerContext): Promise<void> {
    const tenants = await ctx.em.execute<{ tenant_id: string }[]>(
      'select distinct tenant_id from model_metadata order by 1',
    );
    const [other] = await ctx.em.execute<{ n: number }[]>(
      'select count(*)::int as n from claims where tenant_id <> ?',
      [event.tenantId],
    );
    seen.push({
      tenantId: event.tenantId,
      metadataTenants: tenants.map((t) => t.tenant_id),
      otherClaims: other!.n,
    });
  }
}

@Module({})
class ProbeModule {
  static forRoot(config: BaseConfig, logger: AppLogger): DynamicModule {
    return {
      module: ProbeModule,
      // Runs as the drift monitor's role, which may read model_metadata and claims.
      imports: [ServiceModule.forRoot({ service: 'drift-monitor', config, configClass: BaseConfig, logger })],
      providers: [IsolationProbe],
    };
  }
}

// Row-level security and least privilege (issue 10), checked on the real database as each service's
// own role: every service connects as it in the integration tests, as deployed.
describe('tenant isolation and least privilege in PostgreSQL', () => {
  const h = new Harness();
  const A = 'tenant_7701_0';
  const B = 'tenant_7701_1';

  beforeAll(async () => {
    await h.start();
    // Enough claims for a version 1 of every model (fewer give none: insufficient samples).
    await seedTestDatabase(['--seed', '7701', '--tenants', '2', '--claims', '2000']);
    // Rows of both tenants in the pipeline tables too.
    for (const t of [A, B]) {
      await h.query(
        `insert into ml_model_training_runs (tenant_id, model_type, status, trigger, correlation_id) values ($1, 'timeline', 'completed', 'manual', $1)`,
        [t],
      );
      await h.query(
        `insert into drift_checks (tenant_id, model_type, logical_date, decision, features, reasons, event_id, correlation_id)
         values ($1, 'timeline', current_date, 'no_action', '[]', '[]', gen_random_uuid(), $1)`,
        [t],
      );
    }
  });
  afterAll(async () => {
    await h.stop();
  });

  /** Runs `fn` in a transaction as `service`'s role, scoped to `scope` (null: no scope), rolled back. */
  async function as<T>(service: string, scope: string | null, fn: (c: Client) => Promise<T>): Promise<T> {
    const c = new Client({ connectionString: serviceDatabaseUrl(service) });
    await c.connect();
    try {
      await c.query('begin');
      if (scope !== null) await c.query(`select set_config('app.tenant_id', $1, true)`, [scope]);
      return await fn(c);
    } finally {
      await c.query('rollback').catch(() => undefined);
      await c.end();
    }
  }

  async function adminCount(table: string, tenant: string): Promise<number> {
    const [r] = await h.query<{ n: number }>(
      `select count(*)::int as n from "${table}" where "${TENANT_TABLES[table]}" = $1`,
      [tenant],
    );
    return r!.n;
  }

  it('a service acting for tenant A reads all of A and nothing of B, in every table it may read', async () => {
    let checked = 0;
    for (const service of SERVICES) {
      await as(service, A, async (c) => {
        for (const [table, col] of Object.entries(TENANT_TABLES)) {
          const { rows } = await c.query<{ ok: boolean }>(
            `select has_table_privilege(current_user, $1, 'select') as ok`,
            [table],
          );
          if (!rows[0]!.ok) continue;
          const r = await c.query<{ own: number; other: number }>(
            `select count(*) filter (where "${col}" = $1)::int as own, count(*) filter (where "${col}" <> $1)::int as other from "${table}"`,
            [A],
          );
          expect({ service, table, other: r.rows[0]!.other }).toEqual({ service, table, other: 0 });
          expect({ service, table, own: r.rows[0]!.own }).toEqual({
            service,
            table,
            own: await adminCount(table, A),
          });
          checked += 1;
        }
      });
    }
    // Both tenants really have rows where it matters (the check above is not vacuous).
    for (const table of ['claims', 'model_metadata', 'ml_predictions', 'drift_checks']) {
      expect(await adminCount(table, A)).toBeGreaterThan(0);
      expect(await adminCount(table, B)).toBeGreaterThan(0);
    }
    expect(checked).toBeGreaterThanOrEqual(20);
  });

  it("a service acting for tenant A can neither change nor create tenant B's rows", async () => {
    const before = await h.query(
      'select id, baseline_accuracy, is_active from model_metadata where tenant_id = $1 order by id',
      [B],
    );
    await as('validator', A, async (c) => {
      const u = await c.query('update model_metadata set baseline_accuracy = 0 where tenant_id = $1', [B]);
      expect(u.rowCount).toBe(0);
      await expect(
        c.query(
          `insert into model_metadata (tenant_id, model_type, model_version, baseline_accuracy) values ($1, 'timeline', 99, 0.5)`,
          [B],
        ),
      ).rejects.toThrow(/row-level security/);
    });
    await as('notifier', A, async (c) => {
      await expect(
        c.query(
          `insert into notification_recipients (tenant_id, name, channel, address, event_kinds) values ($1, 'x', 'email', 'x@example.org', '["drift"]')`,
          [B],
        ),
      ).rejects.toThrow(/row-level security/);
    });
    await as('trainer', A, async (c) => {
      const u = await c.query(`update ml_model_training_runs set status = 'failed' where tenant_id = $1`, [
        B,
      ]);
      expect(u.rowCount).toBe(0);
      // Moving a row of A to B is refused too: the new row must stay in scope.
      await expect(
        c.query(`update ml_model_training_runs set tenant_id = $1 where tenant_id = $2`, [B, A]),
      ).rejects.toThrow(/row-level security/);
    });
    expect(
      await h.query(
        'select id, baseline_accuracy, is_active from model_metadata where tenant_id = $1 order by id',
        [B],
      ),
    ).toEqual(before);
  });

  it('fails closed without a scope; only the platform-scoped roles may act for every tenant', async () => {
    for (const service of SERVICES) {
      const n = await as(
        service,
        null,
        async (c) => (await c.query('select count(*)::int as n from tenants')).rows[0],
      );
      expect({ service, unscoped: n }).toEqual({ service, unscoped: { n: 0 } });
    }
    const [all] = await h.query<{ n: number }>('select count(*)::int as n from tenants');
    for (const service of ['scheduler', 'trainer', 'notifier']) {
      const n = await as(
        service,
        '*',
        async (c) => (await c.query('select count(*)::int as n from tenants')).rows[0],
      );
      expect({ service, n }).toEqual({ service, n: all });
    }
    for (const service of ['drift-monitor', 'validator']) {
      const n = await as(
        service,
        '*',
        async (c) => (await c.query('select count(*)::int as n from tenants')).rows[0],
      );
      expect({ service, n }).toEqual({ service, n: { n: 0 } });
    }
  });

  it('each role holds only what its service uses; the owner ran the migrations', async () => {
    const denied: [string, string][] = [
      [
        'drift-monitor',
        `insert into model_metadata (tenant_id, model_type, model_version, baseline_accuracy) values ('${A}', 'timeline', 98, 0.5)`,
      ],
      ['drift-monitor', `select count(*) from notification_recipients`],
      [
        'trainer',
        `insert into model_deployments (tenant_id, model_type, to_version, reason, correlation_id) values ('${A}', 'timeline', 2, 'validated', 'x')`,
      ],
      ['trainer', `update model_metadata set is_active = false`],
      ['validator', `select count(*) from notification_recipients`],
      ['validator', `delete from claims`],
      ['notifier', `select count(*) from claims`],
      ['notifier', `update model_metadata set is_active = false`],
      ['scheduler', `select count(*) from claims`],
      ['scheduler', `select count(*) from model_artifacts`],
      ['drift-monitor', `truncate outbox`],
      ['validator', `create table intruder (id int)`],
      ['trainer', `drop table claims`],
    ];
    for (const [service, sql] of denied) {
      await expect(as(service, A, (c) => c.query(sql))).rejects.toThrow(/permission denied|must be owner/);
    }
    const roles = await h.query<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean }>(
      'select rolname, rolsuper, rolbypassrls from pg_roles where rolname = any($1) order by rolname',
      [[...Object.values(SERVICE_ROLES), OWNER_ROLE]],
    );
    expect(roles).toHaveLength(Object.values(SERVICE_ROLES).length + 1);
    for (const r of roles) expect(r).toMatchObject({ rolsuper: false, rolbypassrls: false });
    const owners = await h.query<{ tableowner: string }>(
      `select distinct tableowner from pg_tables where schemaname = 'public'`,
    );
    expect(owners).toEqual([{ tableowner: OWNER_ROLE }]);
  });

  it('the message edge scopes a handler to its event tenant: it cannot see another tenant', async () => {
    await createTenant(h, A);
    await h.startService('drift-monitor', BaseConfig, (c, l) => ProbeModule.forRoot(c, l));
    const event = createEnvelope(
      'model.deployed',
      { modelType: 'timeline', version: 1, reason: 'initial', accuracy: 0.8 },
      { tenantId: A },
    );
    await h.publish(event);
    const s = await pollUntil(async () => seen.find((x) => x.tenantId === A), { what: 'the probe handler' });
    expect(s.metadataTenants).toEqual([A]);
    expect(s.otherClaims).toBe(0);
    // The admin connection sees both, so the handler's view was narrowed, not empty by accident.
    expect(await adminCount('claims', B)).toBeGreaterThan(0);
  });
});
