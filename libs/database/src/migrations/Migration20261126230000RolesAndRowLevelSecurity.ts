import { Migration } from '@mikro-orm/migrations';

/**
 * Least privilege and tenant isolation (issue 10). Runs as the owner role; the roles themselves are
 * cluster-wide and created beforehand (libs/database/src/roles.ts, or database/roles.sql by a DBA).
 *
 * - Every tenant-scoped table gets row-level security: a service role sees and writes only rows whose
 *   tenant_id equals the transaction's `app.tenant_id`; unset means nothing. Roles granted
 *   ue_platform_scope (scheduler, trainer, notifier) may also act for all tenants with `app.tenant_id`
 *   = '*', for their platform-wide sweeps. The owner (migrations, operators' CLI) is not subject to it.
 * - Each service role gets only the table privileges its code uses. Shared needs (outbox, inbox, the
 *   tenant list) go to the ue_service group.
 */
const TENANT_TABLES = [
  'tenants',
  'profiles',
  'claims',
  'member_ai_feedback',
  'benchmark_data',
  'analytics_scheduled_reports',
  'ml_predictions',
  'model_metadata',
  'model_feature_baselines',
  'ml_model_training_runs',
  'ml_retraining_notifications',
  'ml_alert_acknowledgments',
  'drift_checks',
  'model_deployments',
  'model_artifacts',
  'notification_recipients',
] as const;

/** role -> table -> privileges. */
const GRANTS: Record<string, Record<string, string>> = {
  ue_service: {
    outbox: 'select, insert, update',
    processed_events: 'select, insert',
    tenants: 'select',
  },
  ue_scheduler: { scheduled_runs: 'select, insert, update' },
  ue_drift_monitor: {
    claims: 'select',
    ml_predictions: 'select',
    model_metadata: 'select',
    model_feature_baselines: 'select',
    ml_model_training_runs: 'select',
    drift_checks: 'select, insert',
  },
  ue_trainer: {
    claims: 'select',
    model_metadata: 'select',
    model_feature_baselines: 'select, insert',
    ml_model_training_runs: 'select, insert, update',
    model_artifacts: 'select, insert',
  },
  ue_validator: {
    claims: 'select',
    ml_predictions: 'select',
    model_artifacts: 'select',
    model_metadata: 'select, insert, update',
    model_feature_baselines: 'select, update',
    model_deployments: 'select, insert',
    ml_model_training_runs: 'select, update',
  },
  ue_notifier: {
    ml_retraining_notifications: 'select, insert, update',
    ml_alert_acknowledgments: 'select, insert',
    notification_recipients: 'select, insert, update',
  },
};

function tenantColumn(table: string): string {
  return table === 'tenants' ? 'id' : 'tenant_id';
}

export class Migration20261126230000RolesAndRowLevelSecurity extends Migration {
  override async up(): Promise<void> {
    for (const table of TENANT_TABLES) {
      const col = tenantColumn(table);
      this.addSql(`alter table "${table}" enable row level security;`);
      this.addSql(
        `create policy "${table}_tenant" on "${table}" using ("${col}" = current_setting('app.tenant_id', true)) with check ("${col}" = current_setting('app.tenant_id', true));`,
      );
      this.addSql(
        `create policy "${table}_platform" on "${table}" to ue_platform_scope using (current_setting('app.tenant_id', true) = '*') with check (current_setting('app.tenant_id', true) = '*');`,
      );
    }
    for (const [role, tables] of Object.entries(GRANTS)) {
      for (const [table, privileges] of Object.entries(tables))
        this.addSql(`grant ${privileges} on "${table}" to "${role}";`);
    }
  }

  override async down(): Promise<void> {
    for (const [role, tables] of Object.entries(GRANTS)) {
      for (const table of Object.keys(tables)) this.addSql(`revoke all on "${table}" from "${role}";`);
    }
    for (const table of TENANT_TABLES) {
      this.addSql(`drop policy if exists "${table}_platform" on "${table}";`);
      this.addSql(`drop policy if exists "${table}_tenant" on "${table}";`);
      this.addSql(`alter table "${table}" disable row level security;`);
    }
  }
}
