import { Migration } from '@mikro-orm/migrations';

/**
 * Shadow challengers (issue 19, docs/models.md "Shadow challengers"):
 * - model_challengers (the validator's): each challenger's trial, at most one running per (tenant, model);
 * - model_deployments.evidence: a promotion's trial (pairs, statistic, duration);
 * - ml_predictions.role: the champion's answer (the platform's) or the challenger's (kept for its trial).
 *   Existing rows are the champion's.
 * Grants are not here: `migrate` regenerates them from the ownership map after every migration run.
 */
export class Migration20261130180000ShadowChallengers extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "model_challengers" ("id" uuid not null default gen_random_uuid(), "tenant_id" text not null, "model_type" text not null, "challenger_version" int not null, "champion_version" int not null, "training_run_id" uuid null, "state" text not null, "decision" text null, "reason" text null, "started_on" date not null, "evaluated_on" date null, "decided_on" date null, "labelled_pairs" int not null default 0, "discordant_pairs" int not null default 0, "challenger_wins" int not null default 0, "log_likelihood_ratio" double precision not null default 0, "always_valid_p" double precision not null default 1, "correlation_id" text not null, "created_at" timestamptz not null default now(), "decided_at" timestamptz null, constraint "model_challengers_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "model_challengers_tenant_id_model_type_created_at_index" on "model_challengers" ("tenant_id", "model_type", "created_at");`,
    );
    // At most one challenger on trial per (tenant, model): two validations racing cannot both start one.
    this.addSql(
      `create unique index "model_challengers_one_running" on "model_challengers" ("tenant_id", "model_type") where "state" = 'running';`,
    );
    this.addSql(`alter table "model_challengers" enable row level security;`);
    this.addSql(
      `create policy "model_challengers_tenant" on "model_challengers" using ("tenant_id" = current_setting('app.tenant_id', true)) with check ("tenant_id" = current_setting('app.tenant_id', true));`,
    );
    this.addSql(
      `create policy "model_challengers_platform" on "model_challengers" to ue_platform_scope using (current_setting('app.tenant_id', true) = '*') with check (current_setting('app.tenant_id', true) = '*');`,
    );

    this.addSql(`alter table "ml_predictions" add column "role" text not null default 'champion';`);
    this.addSql(`alter table "model_deployments" add column "evidence" jsonb null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "model_deployments" drop column "evidence";`);
    this.addSql(`alter table "ml_predictions" drop column "role";`);
    this.addSql(`drop table if exists "model_challengers" cascade;`);
  }
}
