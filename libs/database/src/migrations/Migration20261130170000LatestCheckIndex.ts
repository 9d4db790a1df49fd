import { Migration } from '@mikro-orm/migrations';

/**
 * The console's fleet reads each model's latest check: (tenant, model, logical date, created at), walked
 * backwards, finds it in one index entry. It replaces the (tenant, model, logical date) index, whose
 * lookups (the drift monitor's k-of-n look-back) it serves as well.
 */
export class Migration20261130170000LatestCheckIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index "drift_checks_latest" on "drift_checks" ("tenant_id", "model_type", "logical_date", "created_at");`,
    );
    this.addSql(`drop index if exists "drift_checks_tenant_id_model_type_logical_date_index";`);
  }

  override async down(): Promise<void> {
    this.addSql(
      `create index "drift_checks_tenant_id_model_type_logical_date_index" on "drift_checks" ("tenant_id", "model_type", "logical_date");`,
    );
    this.addSql(`drop index if exists "drift_checks_latest";`);
  }
}
