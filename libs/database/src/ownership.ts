import { SERVICE_GROUP_ROLE, SERVICE_ROLES } from './roles';
import type { ServiceWithRole } from './roles';

/**
 * Who owns each table: the one app whose role may insert, update or delete its rows. Every other app
 * reads it (select only) through the named read models in ./read-models, and asks the owner for a change
 * over the bus. The grants are generated from this map (`grantStatements`, applied by `migrate` after
 * the migrations), and an integration test asks the database itself that no table has two writers.
 *
 * `shared` tables are the messaging edge every service writes: the outbox (events leave with the
 * transaction that decided them) and the inbox (processed_events, what a consumer has handled).
 *
 * The seeder stands in for the claims application (tenants, members, claims) and, as a development and
 * demo tool, bulk-loads every table with COPY as the schema owner (ue_owner); it refuses to reset in
 * production. It is not a service role for this map's purpose: see docs/persistence.md.
 */
export type TableOwner = ServiceWithRole | 'shared';
export type Privilege = 'select' | 'insert' | 'update' | 'delete';

export interface TableSpec {
  owner: TableOwner;
  /** What the owner does to it; `select` is implied. */
  writes: readonly Exclude<Privilege, 'select'>[];
  /** Apps that read it besides the owner. */
  readers: readonly ServiceWithRole[];
  /** Rows carry a tenant (row-level security applies). */
  tenantScoped: boolean;
}

export const TABLES = {
  // The claims application's data (the seeder stands in for it).
  tenants: { owner: 'seeder', writes: ['insert', 'update'], readers: ['console'], tenantScoped: true },
  profiles: { owner: 'seeder', writes: ['insert', 'update'], readers: ['console'], tenantScoped: true },
  claims: {
    owner: 'seeder',
    writes: ['insert', 'update'],
    readers: ['drift-monitor', 'trainer', 'validator', 'scorer', 'console'],
    tenantScoped: true,
  },
  member_ai_feedback: { owner: 'seeder', writes: ['insert'], readers: [], tenantScoped: true },
  benchmark_data: { owner: 'seeder', writes: ['insert'], readers: [], tenantScoped: true },
  analytics_scheduled_reports: { owner: 'seeder', writes: ['insert'], readers: [], tenantScoped: true },
  seed_runs: { owner: 'seeder', writes: ['insert', 'update'], readers: [], tenantScoped: false },

  // The scorer writes each deployed version's answers and fills their outcomes as labels arrive.
  ml_predictions: {
    owner: 'scorer',
    writes: ['insert', 'update'],
    readers: ['drift-monitor', 'validator'],
    tenantScoped: true,
  },

  scheduled_runs: { owner: 'scheduler', writes: ['insert', 'update'], readers: [], tenantScoped: false },

  drift_checks: { owner: 'drift-monitor', writes: ['insert'], readers: ['console'], tenantScoped: true },
  // One continuous stretch of drift or low accuracy per (tenant, model): opened, continued, closed.
  drift_episodes: {
    owner: 'drift-monitor',
    writes: ['insert', 'update'],
    readers: ['console'],
    tenantScoped: true,
  },

  ml_model_training_runs: {
    owner: 'trainer',
    writes: ['insert', 'update'],
    readers: ['validator', 'console'],
    tenantScoped: true,
  },
  model_artifacts: {
    owner: 'trainer',
    writes: ['insert'],
    readers: ['validator', 'scorer'],
    tenantScoped: true,
  },

  model_metadata: {
    owner: 'validator',
    writes: ['insert', 'update'],
    readers: ['drift-monitor', 'trainer', 'scorer', 'console'],
    tenantScoped: true,
  },
  model_feature_baselines: {
    owner: 'validator',
    writes: ['insert', 'update'],
    readers: ['drift-monitor', 'trainer', 'console'],
    tenantScoped: true,
  },
  model_deployments: { owner: 'validator', writes: ['insert'], readers: ['console'], tenantScoped: true },
  // The drift monitor reads the verdicts on its episodes' retrains (a champion that held up is not retrained again).
  model_validations: {
    owner: 'validator',
    writes: ['insert'],
    readers: ['drift-monitor', 'console'],
    tenantScoped: true,
  },

  // Shadow challengers on trial beside the champion: the scorer scores with the running one, the drift
  // monitor waits for its verdict before another retrain, the console and the CLI show it.
  model_challengers: {
    owner: 'validator',
    writes: ['insert', 'update'],
    readers: ['drift-monitor', 'scorer', 'console'],
    tenantScoped: true,
  },

  ml_retraining_notifications: {
    owner: 'notifier',
    writes: ['insert', 'update'],
    readers: ['console'],
    tenantScoped: true,
  },
  ml_alert_acknowledgments: {
    owner: 'notifier',
    writes: ['insert'],
    readers: ['console'],
    tenantScoped: true,
  },
  // The daily digest: each tenant's alert items, and the one message per day that told them.
  alert_items: { owner: 'notifier', writes: ['insert', 'update'], readers: [], tenantScoped: true },
  alert_digests: { owner: 'notifier', writes: ['insert'], readers: ['console'], tenantScoped: true },
  notification_recipients: {
    owner: 'notifier',
    writes: ['insert', 'update'],
    readers: ['console'],
    tenantScoped: true,
  },

  // The console's sign-ins (docs/console.md): a session per signed-in person, nothing about tenants.
  console_sessions: {
    owner: 'console',
    writes: ['insert', 'update', 'delete'],
    readers: [],
    tenantScoped: false,
  },

  outbox: { owner: 'shared', writes: ['insert', 'update'], readers: [], tenantScoped: false },
  processed_events: { owner: 'shared', writes: ['insert'], readers: [], tenantScoped: false },
} as const satisfies Record<string, TableSpec>;

export type TableName = keyof typeof TABLES;

/** Sequences the shared tables draw from (a column default needs `usage` on its sequence). */
const SHARED_SEQUENCES = ['outbox_seq_seq'] as const;

/** The role each table's privileges go to: the owner's own, or the group every service belongs to. */
function roleOf(owner: TableOwner): string {
  return owner === 'shared' ? SERVICE_GROUP_ROLE : SERVICE_ROLES[owner];
}

/** role -> table -> privileges, as the map implies. The tenant list is readable by every service. */
export function grantsByRole(): Map<string, Map<TableName, Privilege[]>> {
  const out = new Map<string, Map<TableName, Privilege[]>>();
  const add = (role: string, table: TableName, privileges: readonly Privilege[]): void => {
    const tables = out.get(role) ?? new Map<TableName, Privilege[]>();
    const had = tables.get(table) ?? [];
    tables.set(table, [...new Set([...had, ...privileges])]);
    out.set(role, tables);
  };
  for (const [table, spec] of Object.entries(TABLES) as [TableName, TableSpec][]) {
    add(roleOf(spec.owner), table, ['select', ...spec.writes]);
    for (const reader of spec.readers) add(SERVICE_ROLES[reader], table, ['select']);
  }
  add(SERVICE_GROUP_ROLE, 'tenants', ['select']);
  return out;
}

/**
 * The statements that make the database's grants equal the map: every service role's table privileges
 * are revoked, then granted again from it. Run by `migrate` (as the owner) after the migrations, in the
 * same transaction, so a table added by a migration gets its grants the moment it exists.
 */
export function grantStatements(): string[] {
  const roles = [SERVICE_GROUP_ROLE, ...Object.values(SERVICE_ROLES)];
  const statements = roles.map((role) => `revoke all on all tables in schema public from "${role}"`);
  for (const [role, tables] of grantsByRole())
    for (const [table, privileges] of tables)
      statements.push(`grant ${privileges.join(', ')} on "${table}" to "${role}"`);
  for (const sequence of SHARED_SEQUENCES)
    statements.push(`grant usage on sequence "${sequence}" to "${SERVICE_GROUP_ROLE}"`);
  return statements;
}
