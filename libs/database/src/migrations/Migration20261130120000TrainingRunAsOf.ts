import { Migration } from '@mikro-orm/migrations';

/**
 * A training run's logical time: the instant its examples were taken "as of" (claims filed before it whose
 * label was known by then). The trainer sets it from the logical date of the check that triggered the run
 * (a simulation replays past days, so the wall clock says nothing about the data); the Azure ML job and the
 * validator read it back to rebuild the same examples and the same hold-out. Runs recorded before it
 * existed took their examples when they started.
 */
export class Migration20261130120000TrainingRunAsOf extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "ml_model_training_runs" add column "as_of" timestamptz null;`);
    this.addSql(
      `update "ml_model_training_runs" set "as_of" = coalesce("training_started_at", "created_at");`,
    );
    this.addSql(
      `alter table "ml_model_training_runs" alter column "as_of" set default now(), alter column "as_of" set not null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "ml_model_training_runs" drop column "as_of";`);
  }
}
