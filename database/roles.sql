-- Union Eyes ML Platform: the PostgreSQL roles, for a DBA provisioning a server (run once per server, as a
-- superuser or a role with CREATEROLE; safe to run again):
--   psql -U postgres -d union_eyes -f database/roles.sql
-- then give each login role its own password and hand the database to the owner:
--   alter role ue_owner password '...';  alter role ue_trainer password '...';  (and the others)
--   alter database union_eyes owner to ue_owner;  alter schema public owner to ue_owner;
-- Migrations then run as ue_owner (`npm run db:migrate` with DATABASE_URL=postgresql://ue_owner:...), and
-- grant each service role only the tables it uses, under row-level security per tenant
-- (libs/database/src/migrations/Migration20261126230000RolesAndRowLevelSecurity.ts).
-- In development, tests and the demo, `db:migrate` run as a superuser does all of this itself.
-- This file is libs/database/src/roles.ts's ROLES_SQL verbatim (libs/database/src/roles.spec.ts checks it).

do $$
declare
  r text;
begin
  -- Login roles first, then the two group roles (no login) that only carry privileges.
  foreach r in array array['ue_owner', 'ue_scheduler', 'ue_drift_monitor', 'ue_trainer', 'ue_validator', 'ue_notifier', 'ue_seeder', 'ue_scorer', 'ue_console', 'ue_service', 'ue_platform_scope'] loop
    begin
      if not exists (select from pg_roles where rolname = r) then
        execute format('create role %I %s', r,
          case when r in ('ue_service', 'ue_platform_scope') then 'nologin' else 'login nosuperuser nobypassrls' end);
      end if;
    exception when duplicate_object then null;
    end;
  end loop;
end $$;
grant ue_service to ue_scheduler, ue_drift_monitor, ue_trainer, ue_validator, ue_notifier, ue_seeder, ue_scorer, ue_console;
grant ue_platform_scope to ue_scheduler, ue_trainer, ue_notifier, ue_console;
-- The seeder bulk-loads with COPY, dropping and rebuilding indexes and constraints around it, and
-- truncates on --reset: DDL, which only the owner may do. It is a development and demo tool that refuses
-- to reset in production; docs/reliability.md says so.
grant ue_owner to ue_seeder;
