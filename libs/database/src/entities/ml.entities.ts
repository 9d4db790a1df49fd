import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import type { Opt } from '@mikro-orm/core';
import type {
  ModelType,
  NotificationChannel,
  NotificationSeverity,
  NotificationStatus,
  PredictionRole,
  TrainingRunStatus,
} from '@app/domain';

// The six ML tables the spec lists under "Tables Created". They carry `tenant_id` but no foreign key to
// `tenants`, so that database/ml-retraining-schema.sql can be applied on its own to an existing platform
// database, as the spec's `psql -f` instruction expects (docs/schema.md).

@Entity({ tableName: 'ml_predictions' })
// One prediction per (claim, model, version): what makes the scorer's redelivered claim.filed harmless (and
// the index of look-ups by claim).
@Unique({
  name: 'ml_predictions_claim_model_version_unique',
  properties: ['claimId', 'modelType', 'modelVersion'],
})
@Index({ properties: ['tenantId', 'modelType', 'predictedAt'] })
// The predictions whose outcome is still to be filled (the scorer's daily statement reads them per tenant).
@Index({
  name: 'ml_predictions_open',
  expression:
    'create index "ml_predictions_open" on "ml_predictions" ("tenant_id", "claim_id") where "outcome_known_at" is null',
})
export class MlPrediction {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id: string & Opt = randomUUID();

  @Property({ type: 'text' })
  tenantId: string;

  @Property({ type: 'uuid' })
  claimId: string;

  @Property({ type: 'text' })
  modelType: ModelType;

  @Property({ type: 'integer' })
  modelVersion: number;

  @Property({ type: 'text' })
  predictedValue: string;

  /**
   * champion: the version in production made it, and it is the platform's answer (claim.scored); challenger:
   * a shadow challenger made it, for its trial only (model_challengers). One of each per (claim, model) at most.
   */
  @Property({ type: 'text', default: 'champion' })
  role: PredictionRole & Opt = 'champion';

  /** Model confidence in the predicted value, 0..1. */
  @Property({ type: 'double' })
  confidence: number;

  /**
   * The version's calibrated probability that this answer is right (libs/ml rightProbability), what
   * estimated accuracy averages before the label exists; null for a version without a calibration.
   */
  @Property({ type: 'double', nullable: true })
  rightProbability: number | null = null;

  /** The observed outcome, once known. */
  @Property({ type: 'text', nullable: true })
  actualValue: string | null = null;

  @Property({ type: 'boolean', nullable: true })
  isCorrect: boolean | null = null;

  @Property({ type: 'datetime' })
  predictedAt: Date;

  @Property({ type: 'datetime', nullable: true })
  outcomeKnownAt: Date | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}

@Entity({ tableName: 'model_metadata' })
@Unique({ name: 'model_metadata_version_unique', properties: ['tenantId', 'modelType', 'modelVersion'] })
@Index({
  name: 'model_metadata_one_active',
  expression:
    'create unique index "model_metadata_one_active" on "model_metadata" ("tenant_id", "model_type") where "is_active"',
})
export class ModelMetadata {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id: string & Opt = randomUUID();

  @Property({ type: 'text' })
  tenantId: string;

  @Property({ type: 'text' })
  modelType: ModelType;

  @Property({ type: 'integer' })
  modelVersion: number;

  @Property({ type: 'boolean', default: false })
  isActive: boolean & Opt = false;

  /** Hold-out accuracy measured when this version was trained (timeline: share within tolerance). */
  @Property({ type: 'double' })
  baselineAccuracy: number;

  @Property({ type: 'double', nullable: true })
  baselineConfidence: number | null = null;

  @Property({ type: 'datetime', nullable: true })
  deployedAt: Date | null = null;

  @Property({ type: 'uuid', nullable: true })
  trainingRunId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  artifactId: string | null = null;

  @Property({ type: 'json', nullable: true })
  metrics: Record<string, unknown> | null = null;

  /**
   * Filing time of the newest labelled example this version was trained (and held out) on: labels of
   * claims filed after it are new to it. Null for versions stored before it was recorded.
   */
  @Property({ type: 'datetime', nullable: true })
  trainingCutoff: Date | null = null;

  /** Size of its training set (hold-out excluded); null for versions stored before it was recorded. */
  @Property({ type: 'integer', nullable: true })
  trainingSamples: number | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}

@Entity({ tableName: 'model_feature_baselines' })
@Unique({
  name: 'model_feature_baselines_version_feature_unique',
  properties: ['tenantId', 'modelType', 'modelVersion', 'featureName'],
})
@Index({
  name: 'model_feature_baselines_one_active',
  expression:
    'create unique index "model_feature_baselines_one_active" on "model_feature_baselines" ("tenant_id", "model_type", "feature_name") where "is_active"',
})
export class ModelFeatureBaseline {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id: string & Opt = randomUUID();

  @Property({ type: 'text' })
  tenantId: string;

  @Property({ type: 'text' })
  modelType: ModelType;

  @Property({ type: 'integer' })
  modelVersion: number;

  @Property({ type: 'text' })
  featureName: string;

  /** numeric or categorical. */
  @Property({ type: 'text' })
  featureKind: string;

  /** Mean of the feature in the baseline sample (numeric features; null for categorical ones). */
  @Property({ type: 'double', nullable: true })
  baselineValue: number | null = null;

  /** Mean case complexity of the baseline sample: the spec's drift-status query reads it. */
  @Property({ type: 'double', nullable: true })
  baselineComplexity: number | null = null;

  /** Frozen bin edges and shares, as libs/drift defines them. */
  @Property({ type: 'json' })
  distribution: Record<string, unknown>;

  @Property({ type: 'integer' })
  sampleSize: number;

  @Property({ type: 'boolean', default: false })
  isActive: boolean & Opt = false;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}

@Entity({ tableName: 'ml_model_training_runs' })
@Index({ properties: ['tenantId', 'modelType', 'trainingStartedAt'] })
@Index({
  name: 'ml_model_training_runs_one_in_progress',
  expression:
    'create unique index "ml_model_training_runs_one_in_progress" on "ml_model_training_runs" ("tenant_id", "model_type") where "status" in (\'queued\', \'running\')',
})
export class MlModelTrainingRun {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id: string & Opt = randomUUID();

  @Property({ type: 'text' })
  tenantId: string;

  @Property({ type: 'text' })
  modelType: ModelType;

  @Property({ type: 'text' })
  status: TrainingRunStatus;

  /** drift, manual or forced. */
  @Property({ type: 'text' })
  trigger: string;

  @Property({ type: 'uuid', nullable: true })
  triggerEventId: string | null = null;

  @Property({ type: 'text' })
  correlationId: string;

  @Property({ type: 'integer', nullable: true })
  candidateVersion: number | null = null;

  @Property({ type: 'datetime', nullable: true })
  trainingStartedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  trainingCompletedAt: Date | null = null;

  @Property({ type: 'integer', nullable: true })
  trainingSamples: number | null = null;

  @Property({ type: 'integer', nullable: true })
  validationSamples: number | null = null;

  @Property({ type: 'double', nullable: true })
  validationAccuracy: number | null = null;

  @Property({ type: 'json', nullable: true })
  metrics: Record<string, unknown> | null = null;

  /** How the examples were split (by time): cut-off timestamp and counts. */
  @Property({ type: 'json', nullable: true })
  split: Record<string, unknown> | null = null;

  /**
   * The run's logical time: its examples are the claims filed before it whose label was known by then
   * (the end of the triggering check's logical date; when the run was recorded if the trigger had none).
   */
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  asOf: Date & Opt = new Date();

  @Property({ type: 'text', default: 'local' })
  backend: string & Opt = 'local';

  @Property({ type: 'text', nullable: true })
  externalJobId: string | null = null;

  @Property({ type: 'text', nullable: true })
  error: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  heartbeatAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  leaseExpiresAt: Date | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}

@Entity({ tableName: 'ml_retraining_notifications' })
@Unique({
  name: 'ml_retraining_notifications_delivery_unique',
  properties: ['eventId', 'channel', 'recipient'],
})
@Index({ properties: ['tenantId', 'createdAt'] })
@Index({
  name: 'ml_retraining_notifications_due',
  expression:
    'create index "ml_retraining_notifications_due" on "ml_retraining_notifications" ("next_attempt_at") where "status" = \'pending\'',
})
export class MlRetrainingNotification {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id: string & Opt = randomUUID();

  @Property({ type: 'text' })
  tenantId: string;

  /** Id of the event that caused the notification. */
  @Property({ type: 'uuid' })
  eventId: string;

  @Property({ type: 'text' })
  eventType: string;

  @Property({ type: 'text', nullable: true })
  modelType: ModelType | null = null;

  @Property({ type: 'text' })
  severity: NotificationSeverity;

  @Property({ type: 'text' })
  channel: NotificationChannel;

  @Property({ type: 'text' })
  recipient: string;

  @Property({ type: 'text' })
  subject: string;

  @Property({ type: 'text' })
  body: string;

  @Property({ type: 'text' })
  status: NotificationStatus;

  @Property({ type: 'integer', default: 0 })
  attempts: number & Opt = 0;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  nextAttemptAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  sentAt: Date | null = null;

  @Property({ type: 'boolean', default: false })
  isReminder: boolean & Opt = false;

  @Property({ type: 'text' })
  correlationId: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}

@Entity({ tableName: 'ml_alert_acknowledgments' })
export class MlAlertAcknowledgment {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id: string & Opt = randomUUID();

  @Property({ type: 'text' })
  tenantId: string;

  @ManyToOne(() => MlRetrainingNotification, {
    mapToPk: true,
    fieldName: 'notification_id',
    deleteRule: 'cascade',
    unique: 'ml_alert_acknowledgments_notification_unique',
  })
  notificationId: string;

  @Property({ type: 'text' })
  acknowledgedBy: string;

  @Property({ type: 'text', nullable: true })
  note: string | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  acknowledgedAt: Date & Opt = new Date();
}
