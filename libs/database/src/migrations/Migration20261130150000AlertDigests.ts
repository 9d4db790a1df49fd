import { Migration } from '@mikro-orm/migrations';

/**
 * Alerts people can live with (issue 17; docs/models.md, "Episodes" and "Alerts"):
 * - drift_checks.breach: the check found drift or low accuracy (a `watching` day too), so that an episode
 *   opens on k of the last n days; an index by logical date serves that look-back;
 * - alert_items and alert_digests (the notifier's): what changed per model, and the one message per tenant
 *   per day that lists it.
 * Grants are not here: `migrate` regenerates them from the ownership map after every migration run.
 */
export class Migration20261130150000AlertDigests extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "drift_checks" add column "breach" boolean not null default false;`);
    // Earlier checks: their decision says whether they found a breach.
    this.addSql(
      `update "drift_checks" set "breach" = true where "decision" in ('retrain', 'awaiting_labels');`,
    );
    this.addSql(
      `create index "drift_checks_tenant_id_model_type_logical_date_index" on "drift_checks" ("tenant_id", "model_type", "logical_date");`,
    );

    this.addSql(
      `create table "alert_items" ("id" uuid not null default gen_random_uuid(), "tenant_id" text not null, "day" date not null, "model_type" text not null, "kind" text not null, "severity" text not null, "title" text not null, "lines" jsonb not null, "event_id" uuid not null, "correlation_id" text not null, "digest_id" uuid null, "created_at" timestamptz not null default now(), constraint "alert_items_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "alert_items" add constraint "alert_items_event_unique" unique ("event_id");`);
    this.addSql(`create index "alert_items_tenant_id_day_index" on "alert_items" ("tenant_id", "day");`);
    this.addSql(`create index "alert_items_correlation_id_index" on "alert_items" ("correlation_id");`);

    this.addSql(
      `create table "alert_digests" ("id" uuid not null default gen_random_uuid(), "tenant_id" text not null, "day" date not null, "severity" text not null, "items" int not null, "models" jsonb not null, "created_at" timestamptz not null default now(), constraint "alert_digests_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "alert_digests" add constraint "alert_digests_tenant_day_unique" unique ("tenant_id", "day");`,
    );

    for (const table of ['alert_items', 'alert_digests']) {
      this.addSql(`alter table "${table}" enable row level security;`);
      this.addSql(
        `create policy "${table}_tenant" on "${table}" using ("tenant_id" = current_setting('app.tenant_id', true)) with check ("tenant_id" = current_setting('app.tenant_id', true));`,
      );
      this.addSql(
        `create policy "${table}_platform" on "${table}" to ue_platform_scope using (current_setting('app.tenant_id', true) = '*') with check (current_setting('app.tenant_id', true) = '*');`,
      );
    }
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "alert_digests" cascade;`);
    this.addSql(`drop table if exists "alert_items" cascade;`);
    this.addSql(`drop index if exists "drift_checks_tenant_id_model_type_logical_date_index";`);
    this.addSql(`alter table "drift_checks" drop column "breach";`);
  }
}
