import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '@app/common';
import { MODEL_TYPES } from '@app/domain';
import { claimRows, predictionRows, profileRows, tenantRows } from './generator';
import { Random } from './random';
import { SEEDED_PREDICTION_ACCURACY } from './seed-plan';
import type { SeedPlan, SeedSummary } from './seed-plan';

const DAY = 86_400_000;
/** Tables the seeder fills, children first (the order --reset deletes in). */
export const SEEDED_TABLES = [
  'ml_alert_acknowledgments', 'ml_retraining_notifications', 'member_ai_feedback', 'analytics_scheduled_reports', 'benchmark_data',
  'ml_predictions', 'model_feature_baselines', 'model_deployments', 'model_artifacts', 'model_metadata', 'ml_model_training_runs',
  'drift_checks', 'scheduled_runs', 'claims', 'profiles', 'tenants',
] as const;

const FEEDBACK = [
  { category: 'prediction_accuracy', comment: 'The predicted outcome matched what happened.' },
  { category: 'prediction_accuracy', comment: 'The timeline estimate was far too optimistic.' },
  { category: 'explanation_clarity', comment: 'I did not understand why the case was rated high risk.' },
  { category: 'fairness_concern', comment: 'Older members seem to get lower outcome scores.' },
  { category: 'feature_request', comment: 'Please show similar past cases.' },
] as const;

export type ProgressFn = (line: string) => void;

/** Writes the seeded platform: tenants, people, claims, predictions, model metadata and feedback. */
@Injectable()
export class SeedingService {
  async run(em: EntityManager, plan: SeedPlan, progress: ProgressFn = () => undefined): Promise<{ summary: SeedSummary; tenantIds: string[] }> {
    const summary: SeedSummary = { tenants: 0, users: 0, claims: 0, predictions: 0, modelMetadata: 0, feedback: 0 };
    if (plan.reset) await this.reset(em, progress);
    const tenants = tenantRows(plan);
    const existing = await em.execute<{ id: string }[]>('select id from tenants where id in (?)', [tenants.map((t) => t.id)]);
    if (existing.length > 0) {
      throw new DomainError('SEED_CONFLICT', `tenants already seeded with seed ${plan.seed}: ${existing.map((r) => r.id).join(', ')} (use --reset, or another --seed)`);
    }
    progress(`🏢 Creating ${tenants.length} tenants...`);
    await insertRows(em, 'tenants', tenants);
    summary.tenants = tenants.length;
    for (const [i, tenant] of tenants.entries()) {
      progress(`   ✓ Created tenant: ${tenant.name} (${tenant.id})`);
      const rnd = new Random(plan.seed * 1_000_003 + i);
      const profiles = profileRows(plan, tenant.id, rnd);
      await insertRows(em, 'profiles', profiles);
      const count = (role: string) => profiles.filter((p) => p.role === role).length;
      progress(`👥 ${tenant.id}: ${count('member')} members, ${count('steward')} stewards, ${count('admin')} admins`);
      const claims = claimRows(plan, tenant.id, profiles, rnd);
      await insertRows(em, 'claims', claims);
      const predictions = predictionRows(plan, claims, rnd);
      await insertRows(em, 'ml_predictions', predictions);
      const deployedAt = new Date(plan.now.getTime() - 90 * DAY).toISOString();
      await insertRows(
        em,
        'model_metadata',
        MODEL_TYPES.map((m) => ({
          id: rnd.uuid(), tenant_id: tenant.id, model_type: m, model_version: 1, is_active: true,
          baseline_accuracy: SEEDED_PREDICTION_ACCURACY[m], baseline_confidence: 0.82, deployed_at: deployedAt, created_at: deployedAt,
        })),
      );
      const members = profiles.filter((p) => p.role === 'member');
      const feedback = Array.from({ length: 10 }, (_, k) => {
        const f = FEEDBACK[k % FEEDBACK.length]!;
        const status = k % 3 === 0 ? 'resolved' : k % 3 === 1 ? 'in_review' : 'open';
        const created = new Date(plan.now.getTime() - rnd.int(1, 120) * DAY);
        return {
          id: rnd.uuid(), tenant_id: tenant.id, member_id: members.length > 0 ? rnd.pick(members).id : null,
          prediction_id: predictions.length > 0 ? rnd.pick(predictions).id : null, feedback_category: f.category,
          rating: rnd.int(1, 5), comment: f.comment, status, resolved_at: status === 'resolved' ? new Date(created.getTime() + 5 * DAY).toISOString() : null,
          created_at: created.toISOString(),
        };
      });
      await insertRows(em, 'member_ai_feedback', feedback);
      progress(`📋 ${tenant.id}: ${claims.length} claims, 🤖 ${predictions.length} predictions, 4 models, 💬 10 feedback samples`);
      summary.users += profiles.length;
      summary.claims += claims.length;
      summary.predictions += predictions.length;
      summary.modelMetadata += MODEL_TYPES.length;
      summary.feedback += feedback.length;
    }
    return { summary, tenantIds: tenants.map((t) => t.id) };
  }

  /** Deletes the seeded tables' data and reports what it deleted. */
  async reset(em: EntityManager, progress: ProgressFn): Promise<Record<string, number>> {
    const deleted: Record<string, number> = {};
    for (const table of SEEDED_TABLES) {
      const rows = await em.execute<{ n: number }[]>(`with d as (delete from ${table} returning 1) select count(*)::int as n from d`);
      deleted[table] = rows[0]!.n;
    }
    progress(`🗑  Reset: deleted ${Object.entries(deleted).filter(([, n]) => n > 0).map(([t, n]) => `${n} ${t}`).join(', ') || 'nothing'}`);
    return deleted;
  }
}

/** Bulk insert through json_populate_recordset, in chunks (one parameter per chunk). */
async function insertRows(em: EntityManager, table: string, rows: readonly object[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!).map((c) => `"${c}"`).join(', ');
  for (let i = 0; i < rows.length; i += 5000) {
    await em.execute(`insert into ${table} (${columns}) select ${columns} from json_populate_recordset(null::${table}, ?::json)`, [JSON.stringify(rows.slice(i, i + 5000))]);
  }
}
