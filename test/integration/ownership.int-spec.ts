import { Client } from 'pg';
import { MetadataStorage } from '@mikro-orm/core';
import { SERVICE_GROUP_ROLE, SERVICE_ROLES, TABLES } from '@app/database';
import type { ServiceWithRole, TableSpec } from '@app/database';

/**
 * The ownership map is what the database enforces: asked through has_table_privilege (which follows
 * role membership), each table can be written by its owner's role and no other service role.
 * The seeder is left out: it loads every table as the schema owner (docs/persistence.md).
 */
const RUNTIME_SERVICES = (Object.keys(SERVICE_ROLES) as ServiceWithRole[]).filter((s) => s !== 'seeder');

describe('table ownership (the grants in the database)', () => {
  let db: Client;
  beforeAll(async () => {
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    // Importing @app/database registered its entities in MikroORM's global metadata: clear it for the next
    // file in this worker, whose own imports register them again (MikroORM #3783).
    MetadataStorage.clear();
  });

  async function writers(): Promise<Map<string, string[]>> {
    const rows = (
      await db.query<{ table: string; role: string }>(
        `select c.relname as table, r.rolname as role
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
           cross join pg_roles r
          where n.nspname = 'public' and c.relkind in ('r', 'p') and r.rolname = any($1)
            and (has_table_privilege(r.oid, c.oid, 'INSERT') or has_table_privilege(r.oid, c.oid, 'UPDATE')
                 or has_table_privilege(r.oid, c.oid, 'DELETE'))
          order by 1, 2`,
        [RUNTIME_SERVICES.map((s) => SERVICE_ROLES[s])],
      )
    ).rows;
    const out = new Map<string, string[]>();
    for (const r of rows) out.set(r.table, [...(out.get(r.table) ?? []), r.role]);
    return out;
  }

  it('finds no table that two service roles can write, the shared outbox and inbox aside', async () => {
    const shared = Object.entries(TABLES as Record<string, TableSpec>)
      .filter(([, spec]) => spec.owner === 'shared')
      .map(([table]) => table);
    expect(shared.sort()).toEqual(['outbox', 'processed_events']);
    const twoWriters = [...(await writers())].filter(
      ([table, roles]) => roles.length > 1 && !shared.includes(table),
    );
    expect(twoWriters).toEqual([]);
  });

  it("gives each owned table's writes to its owner's role exactly", async () => {
    const found = await writers();
    for (const [table, spec] of Object.entries(TABLES as Record<string, TableSpec>)) {
      if (spec.owner === 'shared' || spec.owner === 'seeder') {
        if (spec.owner === 'seeder') expect([table, found.get(table) ?? []]).toEqual([table, []]);
        continue;
      }
      expect([table, found.get(table)]).toEqual([table, [SERVICE_ROLES[spec.owner]]]);
    }
  });

  it('declares every table of the schema in the map, and every table of the map exists', async () => {
    const tables = (
      await db.query<{ table: string }>(
        `select c.relname as table from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relname <> 'mikro_orm_migrations'
          order by 1`,
      )
    ).rows.map((r) => r.table);
    expect(tables).toEqual(Object.keys(TABLES).sort());
  });

  it('lets a reader select what the map says it reads, and nothing it does not', async () => {
    const can = async (role: string, table: string): Promise<boolean> =>
      (await db.query<{ ok: boolean }>(`select has_table_privilege($1, $2, 'SELECT') as ok`, [role, table]))
        .rows[0]!.ok;
    expect(await can(SERVICE_ROLES['drift-monitor'], 'model_feature_baselines')).toBe(true);
    expect(await can(SERVICE_ROLES['drift-monitor'], 'ml_model_training_runs')).toBe(false);
    expect(await can(SERVICE_ROLES.notifier, 'claims')).toBe(false);
    expect(await can(SERVICE_GROUP_ROLE, 'tenants')).toBe(true);
  });

  it('turns on row-level security for every tenant-scoped table of the map', async () => {
    const rls = (
      await db.query<{ table: string }>(
        `select relname as table from pg_class where relrowsecurity and relnamespace = 'public'::regnamespace order by 1`,
      )
    ).rows.map((r) => r.table);
    const scoped = Object.entries(TABLES as Record<string, TableSpec>)
      .filter(([, spec]) => spec.tenantScoped)
      .map(([table]) => table)
      .sort();
    expect(rls).toEqual(scoped);
  });
});
