import { Migration } from '@mikro-orm/migrations';

/**
 * Monitoring follows the version in production, and a retrain happens only when it can change something
 * (issue 16, docs/models.md "Monitoring"):
 * - drift_checks: the window the inputs were judged on, the label maturity of the active version's recent
 *   predictions, the new labels a retrain would learn from, and the episode the check belongs to;
 * - model_metadata: each deployed version's training cut-off and training-set size (the validator stores
 *   them from model.trained), which say how many labels are new to it;
 * - drift_episodes (the drift monitor's): one continuous stretch of drift or low accuracy per (tenant,
 *   model), told to people once.
 * Grants are not here: `migrate` regenerates them from the ownership map after every migration run.
 */
export class Migration20261130110000MonitoringEpisodes extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "drift_checks" add column "psi_window_days" int null, add column "window_predictions" int null, add column "window_labelled" int null, add column "label_coverage" double precision null, add column "oldest_unlabelled_at" timestamptz null, add column "new_labels" int null, add column "new_labels_needed" int null, add column "episode_id" uuid null;`,
    );
    this.addSql(
      `alter table "model_metadata" add column "training_cutoff" timestamptz null, add column "training_samples" int null;`,
    );

    this.addSql(
      `create table "drift_episodes" ("id" uuid not null default gen_random_uuid(), "tenant_id" text not null, "model_type" text not null, "condition" text not null, "started_on" date not null, "last_seen_on" date not null, "ended_on" date null, "days" int not null, "retrains" int not null default 0, "status" text not null, "model_version" int null, "opened_by_check_id" uuid not null, "last_retrain_on" date null, "last_retrain_champion" int null, "last_retrain_new_labels" int null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "drift_episodes_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "drift_episodes_tenant_id_model_type_started_on_index" on "drift_episodes" ("tenant_id", "model_type", "started_on");`,
    );
    // At most one open episode per (tenant, model): two checks racing to open one cannot both succeed.
    this.addSql(
      `create unique index "drift_episodes_one_open" on "drift_episodes" ("tenant_id", "model_type") where "status" = 'open';`,
    );

    this.addSql(`alter table "drift_episodes" enable row level security;`);
    this.addSql(
      `create policy "drift_episodes_tenant" on "drift_episodes" using ("tenant_id" = current_setting('app.tenant_id', true)) with check ("tenant_id" = current_setting('app.tenant_id', true));`,
    );
    this.addSql(
      `create policy "drift_episodes_platform" on "drift_episodes" to ue_platform_scope using (current_setting('app.tenant_id', true) = '*') with check (current_setting('app.tenant_id', true) = '*');`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "drift_episodes" cascade;`);
    this.addSql(
      `alter table "model_metadata" drop column "training_cutoff", drop column "training_samples";`,
    );
    this.addSql(
      `alter table "drift_checks" drop column "psi_window_days", drop column "window_predictions", drop column "window_labelled", drop column "label_coverage", drop column "oldest_unlabelled_at", drop column "new_labels", drop column "new_labels_needed", drop column "episode_id";`,
    );
  }
}
