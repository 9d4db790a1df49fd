import { buildBaseline } from '@app/drift';
import { FEATURES, MODEL_CONFIGS, MODEL_TYPES } from '@app/domain';
import type { FeatureName } from '@app/domain';
import type { ClaimRow } from './generator';

const VALUE: Record<FeatureName, (c: ClaimRow) => number | string> = {
  member_age: (c) => c.memberAge,
  case_complexity: (c) => c.complexity,
  union_tenure_years: (c) => c.tenure,
  claim_type: (c) => c.type,
  department: (c) => c.department,
  priority: (c) => c.priority,
};

/**
 * Collects the feature values of the claims version 1 was trained on (the 12 months before its
 * deployment), then freezes them into drift baselines, as libs/drift defines them.
 */
export class BaselineSample {
  private readonly values = new Map<FeatureName, (number | string)[]>();
  private complexitySum = 0;
  private n = 0;

  constructor(
    private readonly from: number,
    private readonly to: number,
  ) {
    for (const f of Object.keys(FEATURES) as FeatureName[]) this.values.set(f, []);
  }

  add(c: ClaimRow): void {
    if (c.filed < this.from || c.filed >= this.to) return;
    for (const [f, list] of this.values) list.push(VALUE[f](c));
    this.complexitySum += c.complexity;
    this.n += 1;
  }

  /** One model_feature_baselines row per model and key feature (none when the sample is empty). */
  rows(
    tenantId: string,
    version: number,
    createdAt: string,
    id: () => string,
  ): (string | number | boolean | null)[][] {
    if (this.n === 0) return [];
    const built = new Map<FeatureName, { json: string; mean: number | null }>();
    for (const [f, list] of this.values) {
      const kind = FEATURES[f].kind;
      const baseline = buildBaseline(list, kind);
      const mean = kind === 'numeric' ? (list as number[]).reduce((a, b) => a + b, 0) / list.length : null;
      built.set(f, { json: JSON.stringify(baseline), mean });
    }
    const complexity = this.complexitySum / this.n;
    return MODEL_TYPES.flatMap((m) =>
      MODEL_CONFIGS[m].features.map((f) => {
        const b = built.get(f)!;
        return [
          id(),
          tenantId,
          m,
          version,
          f,
          FEATURES[f].kind,
          b.mean,
          complexity,
          b.json,
          this.n,
          true,
          createdAt,
        ];
      }),
    );
  }
}

export const BASELINE_COLUMNS = [
  'id',
  'tenant_id',
  'model_type',
  'model_version',
  'feature_name',
  'feature_kind',
  'baseline_value',
  'baseline_complexity',
  'distribution',
  'sample_size',
  'is_active',
  'created_at',
] as const;
