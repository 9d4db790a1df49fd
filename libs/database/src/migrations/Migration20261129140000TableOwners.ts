import { Migration } from '@mikro-orm/migrations';

/**
 * One owner per table (issue 15, libs/database/src/ownership.ts).
 * - The validator's verdict moves out of the trainer's ml_model_training_runs into model_validations,
 *   which the validator owns; verdicts already recorded move with it.
 * - A candidate's feature baselines travel with its artifact (the trainer's); the validator writes them
 *   into model_feature_baselines, which it now owns, when it deploys the version.
 * Grants are not here: `migrate` regenerates them from the ownership map after every migration run.
 */
export class Migration20261129140000TableOwners extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "model_validations" ("id" uuid not null default gen_random_uuid(), "training_run_id" uuid not null, "tenant_id" text not null, "model_type" text not null, "model_version" int not null, "passed" boolean not null, "result" jsonb not null, "correlation_id" text not null, "validated_at" timestamptz not null default now(), constraint "model_validations_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "model_validations" add constraint "model_validations_training_run_id_unique" unique ("training_run_id");`,
    );
    this.addSql(
      `create index "model_validations_tenant_id_model_type_validated_at_index" on "model_validations" ("tenant_id", "model_type", "validated_at");`,
    );
    this.addSql(
      `insert into "model_validations" ("training_run_id", "tenant_id", "model_type", "model_version", "passed", "result", "correlation_id", "validated_at")
       select "id", "tenant_id", "model_type", coalesce("candidate_version", 0), coalesce(("validation_result"->>'passed')::boolean, false),
              "validation_result", "correlation_id", coalesce("training_completed_at", "created_at")
         from "ml_model_training_runs" where "validation_result" is not null;`,
    );
    this.addSql(`alter table "ml_model_training_runs" drop column "validation_result";`);
    this.addSql(`alter table "model_artifacts" add column "feature_baselines" jsonb null;`);

    this.addSql(`alter table "model_validations" enable row level security;`);
    this.addSql(
      `create policy "model_validations_tenant" on "model_validations" using ("tenant_id" = current_setting('app.tenant_id', true)) with check ("tenant_id" = current_setting('app.tenant_id', true));`,
    );
    this.addSql(
      `create policy "model_validations_platform" on "model_validations" to ue_platform_scope using (current_setting('app.tenant_id', true) = '*') with check (current_setting('app.tenant_id', true) = '*');`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "ml_model_training_runs" add column "validation_result" jsonb null;`);
    this.addSql(
      `update "ml_model_training_runs" r set "validation_result" = v."result" from "model_validations" v where v."training_run_id" = r."id";`,
    );
    this.addSql(`drop table if exists "model_validations" cascade;`);
    this.addSql(`alter table "model_artifacts" drop column "feature_baselines";`);
  }
}
