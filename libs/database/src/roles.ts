import { Client } from 'pg';

/**
 * PostgreSQL roles. `ue_owner` owns the schema and runs the migrations; each service connects as its own
 * role, which holds only the table privileges that service uses (granted by the RolesAndRowLevelSecurity
 * migration) and is subject to row-level security. The roles are cluster-wide, so they are created once
 * per server: by `provisionDatabase` where the caller is a superuser (development, tests, the demo), by
 * a DBA running database/roles.sql elsewhere.
 */
export const OWNER_ROLE = 'ue_owner';
/** Privileges every service needs (outbox, inbox, the tenant list); granted to each service role. */
export const SERVICE_GROUP_ROLE = 'ue_service';
/** Service roles allowed to act for all tenants at once (set `app.tenant_id` to '*'), for their sweeps. */
export const PLATFORM_SCOPE_ROLE = 'ue_platform_scope';

export const SERVICE_ROLES = {
  scheduler: 'ue_scheduler',
  'drift-monitor': 'ue_drift_monitor',
  trainer: 'ue_trainer',
  validator: 'ue_validator',
  notifier: 'ue_notifier',
  seeder: 'ue_seeder',
  scorer: 'ue_scorer',
  console: 'ue_console',
} as const;
export type ServiceWithRole = keyof typeof SERVICE_ROLES;

/**
 * The scheduler fans out over tenants, the trainer sweeps expired leases, the notifier retries deliveries,
 * the console shows a platform operator every tenant (a tenant admin's requests are scoped to one tenant).
 */
const PLATFORM_SCOPED: readonly ServiceWithRole[] = ['scheduler', 'trainer', 'notifier', 'console'];

/** `url` with its user name replaced (the password, if any, is kept: trust or per-environment secrets). */
export function urlForRole(databaseUrl: string, role: string): string {
  const url = new URL(databaseUrl);
  url.username = role;
  return url.toString();
}

export function roleForService(service: string): string | undefined {
  return (SERVICE_ROLES as Record<string, string>)[service];
}

const LOGIN_ROLES = [OWNER_ROLE, ...Object.values(SERVICE_ROLES)];

/**
 * The roles and their memberships, idempotent (safe to run twice, or by two processes at once). It is
 * also database/roles.sql, for a DBA provisioning a server where the migrator is not a superuser
 * (a test keeps the two identical). Passwords are set separately (`alter role ... password`).
 */
export const ROLES_SQL = `do $$
declare
  r text;
begin
  -- Login roles first, then the two group roles (no login) that only carry privileges.
  foreach r in array array['${[...LOGIN_ROLES, SERVICE_GROUP_ROLE, PLATFORM_SCOPE_ROLE].join("', '")}'] loop
    begin
      if not exists (select from pg_roles where rolname = r) then
        execute format('create role %I %s', r,
          case when r in ('${SERVICE_GROUP_ROLE}', '${PLATFORM_SCOPE_ROLE}') then 'nologin' else 'login nosuperuser nobypassrls' end);
      end if;
    exception when duplicate_object then null;
    end;
  end loop;
end $$;
grant ${SERVICE_GROUP_ROLE} to ${Object.values(SERVICE_ROLES).join(', ')};
grant ${PLATFORM_SCOPE_ROLE} to ${PLATFORM_SCOPED.map((s) => SERVICE_ROLES[s]).join(', ')};
-- The seeder bulk-loads with COPY, dropping and rebuilding indexes and constraints around it, and
-- truncates on --reset: DDL, which only the owner may do. It is a development and demo tool that refuses
-- to reset in production; docs/reliability.md says so.
grant ${OWNER_ROLE} to ${SERVICE_ROLES.seeder};
`;

/**
 * Creates the roles that are missing. Needs a superuser (or CREATEROLE) connection. `password` is given
 * to login roles that have none (development: the admin's own, so that per-role URLs work with password
 * authentication as in Compose); production roles get their own secrets from a DBA.
 */
export async function ensureRoles(client: Client, password?: string): Promise<void> {
  await client.query(ROLES_SQL);
  if (!password) return;
  const without = await client.query<{ rolname: string }>(
    'select rolname from pg_authid where rolname = any($1) and rolpassword is null',
    [LOGIN_ROLES],
  );
  for (const r of without.rows)
    await client.query(`alter role "${r.rolname}" password ${client.escapeLiteral(password)}`);
}

/** True when `databaseUrl` connects as a superuser (who may create the roles and hand over ownership). */
export async function connectsAsSuperuser(databaseUrl: string): Promise<boolean> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const r = await client.query<{ rolsuper: boolean }>(
      'select rolsuper from pg_roles where rolname = current_user',
    );
    return r.rows[0]?.rolsuper === true;
  } finally {
    await client.end();
  }
}

/**
 * As a superuser: makes sure the roles exist, that `ue_owner` owns the database, and that it owns every
 * table already in it (a database migrated before roles existed is adopted). Idempotent.
 */
export async function provisionDatabase(adminDatabaseUrl: string): Promise<void> {
  const client = new Client({ connectionString: adminDatabaseUrl });
  await client.connect();
  try {
    await ensureRoles(client, decodeURIComponent(new URL(adminDatabaseUrl).password) || undefined);
    const db = (await client.query<{ db: string }>('select current_database() as db')).rows[0]!.db;
    await client.query(`alter database "${db}" owner to "${OWNER_ROLE}"`);
    await client.query(`alter schema public owner to "${OWNER_ROLE}"`);
    const owned = await client.query<{ kind: string; name: string }>(
      `select case c.relkind when 'S' then 'sequence' when 'v' then 'view' else 'table' end as kind, c.relname as name
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p', 'S', 'v')
          and pg_get_userbyid(c.relowner) <> $1`,
      [OWNER_ROLE],
    );
    for (const o of owned.rows) await client.query(`alter ${o.kind} "${o.name}" owner to "${OWNER_ROLE}"`);
  } finally {
    await client.end();
  }
}
