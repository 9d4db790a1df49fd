import type { ClientBase } from 'pg';

interface Deferred {
  table: string;
  name: string;
  kind: 'constraint' | 'index';
  definition: string;
}

/**
 * For large seeds: drops the indexes and constraints of the big tables before the COPY and rebuilds them
 * after, inside the same transaction (one sorted index build is far cheaper than maintaining it row by
 * row; foreign keys are validated once, as a join). The tables stay locked until the commit, which a
 * seeding run can afford. Returns what must be rebuilt.
 */
export async function dropForBulkLoad(client: ClientBase, tables: readonly string[]): Promise<Deferred[]> {
  // The schema's constraints and indexes are a few dozen rows: read them all and keep the tables' in
  // JavaScript, so these catalog reads need no parameters (the seeder's queries use MikroORM's `?`).
  const wanted = new Set(tables);
  const constraints = (
    await client.query<{ table: string; name: string; definition: string; contype: string }>(
      `select c.conrelid::regclass::text as table, c.conname as name, pg_get_constraintdef(c.oid) as definition, c.contype
         from pg_constraint c join pg_namespace n on n.oid = c.connamespace
        where n.nspname = 'public' and c.contype in ('p', 'u', 'f')
        order by case c.contype when 'p' then 0 when 'u' then 1 else 2 end, c.conname`,
    )
  ).rows.filter((r) => wanted.has(r.table));
  const indexes = (
    await client.query<{ table: string; name: string; definition: string }>(
      `select i.tablename as table, i.indexname as name, i.indexdef as definition from pg_indexes i
        where i.schemaname = 'public' and not exists (select 1 from pg_constraint c where c.conname = i.indexname)
        order by i.indexname`,
    )
  ).rows.filter((r) => wanted.has(r.table));
  const deferred: Deferred[] = [
    ...constraints.map((r) => ({
      table: r.table,
      name: r.name,
      kind: 'constraint' as const,
      definition: r.definition,
    })),
    ...indexes.map((r) => ({
      table: r.table,
      name: r.name,
      kind: 'index' as const,
      definition: r.definition,
    })),
  ];
  // Foreign keys first (they depend on the unique indexes), then the rest.
  for (const d of [...deferred].sort(
    (a, b) => Number(b.definition.startsWith('FOREIGN')) - Number(a.definition.startsWith('FOREIGN')),
  )) {
    if (d.kind === 'constraint') await client.query(`alter table ${d.table} drop constraint "${d.name}"`);
    else await client.query(`drop index "${d.name}"`);
  }
  return deferred;
}

export async function rebuildAfterBulkLoad(client: ClientBase, deferred: readonly Deferred[]): Promise<void> {
  for (const d of deferred) {
    if (d.kind === 'constraint')
      await client.query(`alter table ${d.table} add constraint "${d.name}" ${d.definition}`);
    else await client.query(d.definition);
  }
}
