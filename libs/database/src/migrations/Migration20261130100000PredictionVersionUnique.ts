import { Migration } from '@mikro-orm/migrations';

/**
 * One prediction per (claim, model, version): the scorer inserts with `on conflict do nothing` on it, so a
 * redelivered claim.filed (or two scorer replicas racing on one) stores nothing twice. Its index starts
 * with claim_id, so the index on claim_id alone goes: one index less to maintain for every prediction
 * stored (four per claim), and look-ups by claim use the new one. The seeder's
 * history has one version-1 prediction per claim and model, which satisfies it; a database holding two
 * predictions of one version for the same claim and model would make this migration fail, and should:
 * one of them is not what that version answered.
 */
export class Migration20261130100000PredictionVersionUnique extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "ml_predictions" add constraint "ml_predictions_claim_model_version_unique" unique ("claim_id", "model_type", "model_version");`,
    );
    this.addSql(`drop index "ml_predictions_claim_id_index";`);
  }

  override async down(): Promise<void> {
    this.addSql(`create index "ml_predictions_claim_id_index" on "ml_predictions" ("claim_id");`);
    this.addSql(`alter table "ml_predictions" drop constraint "ml_predictions_claim_model_version_unique";`);
  }
}
