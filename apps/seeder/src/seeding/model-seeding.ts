import type { EntityManager } from '@mikro-orm/postgresql';
import type { PoolClient } from 'pg';
import { ModelArtifact } from '@app/database';
import { MODEL_CONFIGS } from '@app/domain';
import type { ModelType } from '@app/domain';
import { CopyWriter, copyRows, LineBuffer } from './copy-writer';
import type { ClaimRow, HistoryClaim } from './generator';
import type { Random } from './random';
import { answersOf } from './version-one';
import type { SeededAnswer, TrainingOptions, VersionOne } from './version-one';

// Writes what a deployed version leaves behind: version 1 of each model (artifact, metadata, active drift
// baselines) and every version's stored answers (ml_predictions), in the seed's transaction.

export const PREDICTION_COLUMNS = [
  'id',
  'tenant_id',
  'claim_id',
  'model_type',
  'model_version',
  'predicted_value',
  'confidence',
  'right_probability',
  'actual_value',
  'is_correct',
  'predicted_at',
  'outcome_known_at',
  'created_at',
];
const METADATA_COLUMNS = [
  'id',
  'tenant_id',
  'model_type',
  'model_version',
  'is_active',
  'baseline_accuracy',
  'baseline_confidence',
  'deployed_at',
  'artifact_id',
  'metrics',
  'training_cutoff',
  'training_samples',
  'created_at',
];
const BASELINE_COLUMNS = [
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
];

/** COPY's text for NULL. */
const N = '\\N';

/**
 * Streams one version's answers into ml_predictions; returns how many and the first few ids (feedback
 * samples refer to them). Each answer was given when its claim was filed (the scorer scores on
 * claim.filed); its outcome is filled where the label was known at the end of the seeded history.
 */
export async function writeAnswers(
  client: PoolClient,
  tenantId: string,
  model: ModelType,
  version: number,
  answers: readonly SeededAnswer[],
  rnd: Random,
  iso: (t: number) => string,
): Promise<{ predictions: number; ids: string[] }> {
  const lines = new LineBuffer();
  const ids: string[] = [];
  for (const a of answers) {
    const id = rnd.uuid();
    if (ids.length < 50) ids.push(id);
    const filed = iso(a.claim.filed);
    // Generated values need no COPY escaping (ids, labels, numbers): lines are built directly.
    lines.push(
      `${id}\t${tenantId}\t${a.claim.id}\t${model}\t${version}\t${a.predicted}\t${a.confidence}\t${a.rightProbability ?? N}\t${a.actual ?? N}\t${a.correct === null ? N : a.correct ? 't' : 'f'}\t${filed}\t${a.knownAt === null ? N : iso(a.knownAt)}\t${filed}\n`,
    );
  }
  const w = new CopyWriter(client, 'ml_predictions', PREDICTION_COLUMNS);
  await w.writeChunks(lines.seal(), answers.length);
  return { predictions: await w.end(), ids };
}

export interface VersionOneSeed {
  /** Models given a version 1 (metadata rows written). */
  trained: number;
  /** Models without one: too few labelled examples before the deployment date. */
  insufficient: number;
  predictions: number;
  predictionIds: string[];
}

/**
 * Version 1 of each of a tenant's models, deployed at `deployedAt`: trained on the claims before it with
 * the trainer's own procedure (trainVersionOnes, started by the caller while other rows stream), its
 * artifact, metadata (active, with its hold-out accuracy) and drift baselines stored, and its answers for
 * every claim filed from `deployedAt` on. A model with too few labelled examples gets none of it, and the
 * log says so.
 */
export async function seedVersionOnes(
  em: EntityManager,
  client: PoolClient,
  q: {
    tenantId: string;
    /** The tenant's claims filed from `deployedAt` on: what version 1 answers. */
    claims: readonly HistoryClaim[];
    deployedAt: number;
    now: number;
    training: TrainingOptions;
    /** Version 1 of each model as of `deployedAt`: trainVersionOnes on the tenant's history, running. */
    versions: Promise<VersionOne[]>;
    rnd: Random;
    iso: (t: number) => string;
    out: (line: string) => void;
    /** Told when the models are fitted, and when their rows are written (bench:seed's phases). */
    phases?: { trained: () => void; written: () => void };
  },
): Promise<VersionOneSeed> {
  const { tenantId, deployedAt } = q;
  const asOf = q.iso(deployedAt).slice(0, 10);
  const result: VersionOneSeed = { trained: 0, insufficient: 0, predictions: 0, predictionIds: [] };
  const metadata: (string | number | boolean | null)[][] = [];
  const baselines: (string | number | boolean | null)[][] = [];
  const versions = await q.versions;
  q.phases?.trained();
  for (const v of versions) {
    const cfg = MODEL_CONFIGS[v.model];
    if (v.kind === 'insufficient') {
      result.insufficient += 1;
      q.out(`     ⚠ ${v.model}: no version 1, ${v.reason}`);
      continue;
    }
    const f = v.fitted;
    const artifactId = await em.insert(ModelArtifact, {
      id: q.rnd.uuid(),
      tenantId,
      modelType: v.model,
      modelVersion: 1,
      format: f.format,
      checksum: f.checksum,
      content: f.content,
      featureBaselines: f.featureBaselines,
      createdAt: new Date(deployedAt),
    });
    const answers = answersOf(v.model, f.content, f.holdoutAccuracy, q.claims, q.now);
    const written = await writeAnswers(client, tenantId, v.model, 1, answers, q.rnd, q.iso);
    result.predictions += written.predictions;
    for (const id of written.ids) if (result.predictionIds.length < 50) result.predictionIds.push(id);
    const meanConfidence =
      answers.length === 0 ? null : answers.reduce((s, a) => s + a.confidence, 0) / answers.length;
    const at = q.iso(deployedAt);
    metadata.push([
      q.rnd.uuid(),
      tenantId,
      v.model,
      1,
      true,
      f.holdoutAccuracy,
      meanConfidence,
      at,
      artifactId,
      JSON.stringify({
        ...f.metrics,
        holdoutAccuracy: f.holdoutAccuracy,
        trainingSamples: f.trainingSamples,
        validationSamples: f.validationSamples,
        split: f.split,
        seeded: true,
      }),
      // What the drift monitor counts new labels from (the newest example v1 was given), as the validator
      // stores it for a trained candidate.
      typeof f.split.newest === 'string' ? f.split.newest : null,
      f.trainingSamples,
      at,
    ]);
    for (const b of f.featureBaselines)
      baselines.push([
        q.rnd.uuid(),
        tenantId,
        v.model,
        1,
        b.featureName,
        b.featureKind,
        b.baselineValue,
        b.baselineComplexity,
        JSON.stringify(b.distribution),
        b.sampleSize,
        true,
        at,
      ]);
    result.trained += 1;
    const known = answers.filter((a) => a.correct !== null);
    const realized = known.length === 0 ? '-' : pct(known.filter((a) => a.correct).length / known.length);
    q.out(
      `     ✓ ${v.model} v1 trained as of ${asOf} on ${f.trainingSamples} examples (XGBoost, ${String(f.metrics.rounds)} rounds): hold-out accuracy ${pct(f.holdoutAccuracy)} (threshold ${pct(cfg.accuracyThreshold)}); ${answers.length} predictions, ${realized} right of ${known.length} with outcomes`,
    );
  }
  await copyRows(client, 'model_metadata', METADATA_COLUMNS, metadata);
  await copyRows(client, 'model_feature_baselines', BASELINE_COLUMNS, baselines);
  q.phases?.written();
  return result;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * Answers of the tenant's active versions for claims added later (seed:claims): each version answers the
 * claims filed from its deployment on, with its stored artifact. Versions without an artifact answer
 * nothing.
 */
export async function seedActiveAnswers(
  client: PoolClient,
  q: {
    tenantId: string;
    versions: readonly ActiveVersion[];
    claims: readonly ClaimRow[];
    now: number;
    rnd: Random;
    iso: (t: number) => string;
  },
): Promise<number> {
  let predictions = 0;
  for (const v of q.versions) {
    const claims = q.claims.filter((c) => c.filed >= v.deployedAt);
    const answers = answersOf(v.model, v.content, v.accuracy, claims, q.now);
    predictions += (await writeAnswers(client, q.tenantId, v.model, v.version, answers, q.rnd, q.iso))
      .predictions;
  }
  return predictions;
}

/** A tenant's version in production with its artifact (what answers newly filed claims). */
export interface ActiveVersion {
  model: ModelType;
  version: number;
  deployedAt: number;
  accuracy: number;
  content: Buffer;
}
