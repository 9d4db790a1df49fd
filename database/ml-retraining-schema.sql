-- Union Eyes ML Platform: the six ML tables of the spec ("Tables Created"), for
--   psql -U your_user -d your_database -f database/ml-retraining-schema.sql
-- It is the same DDL as the MikroORM migrations in libs/database/src/migrations (Initial, and the columns
-- and indexes added since)
-- (test/integration/schema.int-spec.ts checks that both give identical tables, columns and indexes).
-- Safe to run twice. The tables carry tenant_id without a foreign key to tenants, so this file runs on
-- its own against an existing platform database. Prefer `npm run db:migrate`, which also creates the
-- platform and pipeline tables.
-- Requires PostgreSQL 13+ (gen_random_uuid()).

begin;

-- ml_predictions
create table if not exists "ml_predictions" ("id" uuid not null default gen_random_uuid(), "tenant_id" text not null, "claim_id" uuid not null, "model_type" text not null, "model_version" int not null, "predicted_value" text not null, "confidence" double precision not null, "actual_value" text null, "is_correct" boolean null, "predicted_at" timestamptz not null, "outcome_known_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "ml_predictions_pkey" primary key ("id"));
-- Added by Migration20261130140000EstimatedAccuracy (a database made by an older copy of this file gets it too).
alter table "ml_predictions" add column if not exists "right_probability" double precision null;
-- Added by Migration20261130180000ShadowChallengers: whose answer it is (the champion's, or a shadow challenger's).
alter table "ml_predictions" add column if not exists "role" text not null default 'champion';
create index if not exists "ml_predictions_tenant_id_model_type_predicted_at_index" on "ml_predictions" ("tenant_id", "model_type", "predicted_at");
create index if not exists "ml_predictions_open" on "ml_predictions" ("tenant_id", "claim_id") where "outcome_known_at" is null;
do $$ begin
  if not exists (select 1 from pg_constraint where conname = 'ml_predictions_claim_model_version_unique') then
    alter table "ml_predictions" add constraint "ml_predictions_claim_model_version_unique" unique ("claim_id", "model_type", "model_version");
  end if;
end $$;
-- Look-ups by claim use the unique index above (it starts with claim_id); an older file created this one.
drop index if exists "ml_predictions_claim_id_index";

-- model_metadata
create table if not exists "model_metadata" ("id" uuid not null default gen_random_uuid(), "tenant_id" text not null, "model_type" text not null, "model_version" int not null, "is_active" boolean not null default false, "baseline_accuracy" double precision not null, "baseline_confidence" double precision null, "deployed_at" timestamptz null, "training_run_id" uuid null, "artifact_id" uuid null, "metrics" jsonb null, "training_cutoff" timestamptz null, "training_samples" int null, "created_at" timestamptz not null default now(), constraint "model_metadata_pkey" primary key ("id"));
-- Added by Migration20261130110000MonitoringEpisodes (a database made by an older copy of this file gets them too).
alter table "model_metadata" add column if not exists "training_cutoff" timestamptz null, add column if not exists "training_samples" int null;
create unique index if not exists "model_metadata_one_active" on "model_metadata" ("tenant_id", "model_type") where "is_active";
do $$ begin
  if not exists (select 1 from pg_constraint where conname = 'model_metadata_version_unique') then
    alter table "model_metadata" add constraint "model_metadata_version_unique" unique ("tenant_id", "model_type", "model_version");
  end if;
end $$;

-- model_feature_baselines
create table if not exists "model_feature_baselines" ("id" uuid not null default gen_random_uuid(), "tenant_id" text not null, "model_type" text not null, "model_version" int not null, "feature_name" text not null, "feature_kind" text not null, "baseline_value" double precision null, "baseline_complexity" double precision null, "distribution" jsonb not null, "sample_size" int not null, "is_active" boolean not null default false, "created_at" timestamptz not null default now(), constraint "model_feature_baselines_pkey" primary key ("id"));
create unique index if not exists "model_feature_baselines_one_active" on "model_feature_baselines" ("tenant_id", "model_type", "feature_name") where "is_active";
do $$ begin
  if not exists (select 1 from pg_constraint where conname = 'model_feature_baselines_version_feature_unique') then
    alter table "model_feature_baselines" add constraint "model_feature_baselines_version_feature_unique" unique ("tenant_id", "model_type", "model_version", "feature_name");
  end if;
end $$;

-- ml_model_training_runs
create table if not exists "ml_model_training_runs" ("id" uuid not null default gen_random_uuid(), "tenant_id" text not null, "model_type" text not null, "status" text not null, "trigger" text not null, "trigger_event_id" uuid null, "correlation_id" text not null, "candidate_version" int null, "training_started_at" timestamptz null, "training_completed_at" timestamptz null, "training_samples" int null, "validation_samples" int null, "validation_accuracy" double precision null, "metrics" jsonb null, "split" jsonb null, "backend" text not null default 'local', "external_job_id" text null, "error" text null, "heartbeat_at" timestamptz null, "lease_expires_at" timestamptz null, "created_at" timestamptz not null default now(), "as_of" timestamptz not null default now(), constraint "ml_model_training_runs_pkey" primary key ("id"));
-- A run's logical time (its examples are the labels known then): added to tables created before it.
alter table "ml_model_training_runs" add column if not exists "as_of" timestamptz not null default now();
create unique index if not exists "ml_model_training_runs_one_in_progress" on "ml_model_training_runs" ("tenant_id", "model_type") where "status" in ('queued', 'running');
create index if not exists "ml_model_training_runs_tenant_id_model_type_traini_17966_index" on "ml_model_training_runs" ("tenant_id", "model_type", "training_started_at");

-- ml_retraining_notifications
create table if not exists "ml_retraining_notifications" ("id" uuid not null default gen_random_uuid(), "tenant_id" text not null, "event_id" uuid not null, "event_type" text not null, "model_type" text null, "severity" text not null, "channel" text not null, "recipient" text not null, "subject" text not null, "body" text not null, "status" text not null, "attempts" int not null default 0, "last_error" text null, "next_attempt_at" timestamptz null, "sent_at" timestamptz null, "is_reminder" boolean not null default false, "correlation_id" text not null, "created_at" timestamptz not null default now(), constraint "ml_retraining_notifications_pkey" primary key ("id"));
create index if not exists "ml_retraining_notifications_tenant_id_created_at_index" on "ml_retraining_notifications" ("tenant_id", "created_at");
do $$ begin
  if not exists (select 1 from pg_constraint where conname = 'ml_retraining_notifications_delivery_unique') then
    alter table "ml_retraining_notifications" add constraint "ml_retraining_notifications_delivery_unique" unique ("event_id", "channel", "recipient");
  end if;
end $$;

create index if not exists "ml_retraining_notifications_due" on "ml_retraining_notifications" ("next_attempt_at") where "status" = 'pending';

-- ml_alert_acknowledgments
create table if not exists "ml_alert_acknowledgments" ("id" uuid not null default gen_random_uuid(), "tenant_id" text not null, "notification_id" uuid not null, "acknowledged_by" text not null, "note" text null, "acknowledged_at" timestamptz not null default now(), constraint "ml_alert_acknowledgments_pkey" primary key ("id"));
do $$ begin
  if not exists (select 1 from pg_constraint where conname = 'ml_alert_acknowledgments_notification_unique') then
    alter table "ml_alert_acknowledgments" add constraint "ml_alert_acknowledgments_notification_unique" unique ("notification_id");
  end if;
end $$;
do $$ begin
  if not exists (select 1 from pg_constraint where conname = 'ml_alert_acknowledgments_notification_id_foreign') then
    alter table "ml_alert_acknowledgments" add constraint "ml_alert_acknowledgments_notification_id_foreign" foreign key ("notification_id") references "ml_retraining_notifications" ("id") on update cascade on delete cascade;
  end if;
end $$;

commit;
