import { randomUUID } from 'node:crypto';
import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import type { Opt } from '@mikro-orm/core';
import type {
  AlertItemKind,
  DeploymentReason,
  DriftDecision,
  EpisodeCondition,
  EpisodeStatus,
  ModelType,
  NotificationSeverity,
} from '@app/domain';

// Tables the event-driven design needs beyond the spec's: messaging bookkeeping (outbox, inbox),
// the scheduler's run keys, stored drift checks, deployment history and model artifacts.

/** Transactional outbox: an event written in the same transaction as the change that caused it. */
@Entity({ tableName: 'outbox' })
@Index({
  name: 'outbox_unpublished',
  expression: 'create index "outbox_unpublished" on "outbox" ("source", "seq") where "published_at" is null',
})
export class OutboxMessage {
  /** Equals the envelope id; published as `Nats-Msg-Id` so a re-publish is deduplicated by JetStream. */
  @PrimaryKey({ type: 'uuid' })
  id: string;

  /** Service that wrote the row; only its relay publishes it (its NATS user owns the subject). */
  @Property({ type: 'text' })
  source: string;

  @Property({ type: 'text' })
  subject: string;

  @Property({ type: 'json' })
  envelope: Record<string, unknown>;

  /**
   * Insertion order. A handler's events are written in one statement and share `created_at` (the
   * transaction's now()), so only this keeps, say, model.validated before model.deployed on the wire.
   */
  @Property({ type: 'bigint', autoincrement: true })
  seq: string & Opt;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime', nullable: true })
  publishedAt: Date | null = null;

  @Property({ type: 'integer', default: 0 })
  attempts: number & Opt = 0;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;
}

/** Inbox: ids of events a consumer has handled, written in the same transaction as the handler's work. */
@Entity({ tableName: 'processed_events' })
export class ProcessedEvent {
  @PrimaryKey({ type: 'text' })
  consumer: string;

  @PrimaryKey({ type: 'uuid' })
  eventId: string;

  @Property({ type: 'text' })
  subject: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  processedAt: Date & Opt = new Date();
}

/** One row per scheduled job and logical date: the scheduler's exactly-once key. */
@Entity({ tableName: 'scheduled_runs' })
@Unique({ name: 'scheduled_runs_job_date_unique', properties: ['jobName', 'logicalDate'] })
export class ScheduledRun {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id: string & Opt = randomUUID();

  @Property({ type: 'text' })
  jobName: string;

  @Property({ type: 'date' })
  logicalDate: string;

  /** cron, catch_up or manual. */
  @Property({ type: 'text' })
  triggeredBy: string;

  @Property({ type: 'integer' })
  eventsPublished: number;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  firedAt: Date & Opt = new Date();
}

@Entity({ tableName: 'drift_checks' })
@Index({ properties: ['tenantId', 'modelType', 'createdAt'] })
// A model's latest check (the console's fleet, the k-of-n look-back): walked backwards from its newest day.
@Index({ name: 'drift_checks_latest', properties: ['tenantId', 'modelType', 'logicalDate', 'createdAt'] })
export class DriftCheck {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id: string & Opt = randomUUID();

  @Property({ type: 'text' })
  tenantId: string;

  @Property({ type: 'text' })
  modelType: ModelType;

  /** Active model version checked (null when the tenant has no active model). */
  @Property({ type: 'integer', nullable: true })
  modelVersion: number | null = null;

  @Property({ type: 'date' })
  logicalDate: string;

  @Property({ type: 'text' })
  decision: DriftDecision;

  /** Drift or low accuracy found (a `watching` day too): the k of n of the episode rule counts these. */
  @Property({ type: 'boolean', default: false })
  breach: boolean & Opt = false;

  /** Per-feature PSI, band and sample sizes. */
  @Property({ type: 'json' })
  features: Record<string, unknown>[];

  @Property({ type: 'double', nullable: true })
  maxPsi: number | null = null;

  @Property({ type: 'text', nullable: true })
  maxPsiFeature: string | null = null;

  @Property({ type: 'double', nullable: true })
  accuracy: number | null = null;

  @Property({ type: 'double', nullable: true })
  accuracyLow: number | null = null;

  @Property({ type: 'double', nullable: true })
  accuracyHigh: number | null = null;

  @Property({ type: 'integer', default: 0 })
  labelledCount: number & Opt = 0;

  @Property({ type: 'json' })
  reasons: string[];

  /** Days of the window whose inputs were compared with the baselines (short window, or long on few claims). */
  @Property({ type: 'integer', nullable: true })
  psiWindowDays: number | null = null;

  /** Label maturity: the active version's predictions made in the accuracy window... */
  @Property({ type: 'integer', nullable: true })
  windowPredictions: number | null = null;

  /** ...those of them with a known outcome as of the check's date... */
  @Property({ type: 'integer', nullable: true })
  windowLabelled: number | null = null;

  /** ...their share (null without predictions)... */
  @Property({ type: 'double', nullable: true })
  labelCoverage: number | null = null;

  /** ...and when the oldest of them still without a label was made. */
  @Property({ type: 'datetime', nullable: true })
  oldestUnlabelledAt: Date | null = null;

  /**
   * The estimated accuracy of those predictions, labelled or not (mean calibrated probability of a right
   * answer, Poisson-binomial 95% bounds), and how many had a probability; null without any.
   */
  @Property({ type: 'double', nullable: true })
  estimatedAccuracy: number | null = null;

  @Property({ type: 'double', nullable: true })
  estimatedLow: number | null = null;

  @Property({ type: 'double', nullable: true })
  estimatedHigh: number | null = null;

  @Property({ type: 'integer', default: 0 })
  estimatedCount: number & Opt = 0;

  /** Which accuracy decided: `realized` (enough labels), `estimated` (too few), null (neither could). */
  @Property({ type: 'text', nullable: true })
  accuracySource: 'realized' | 'estimated' | null = null;

  /** Labelled examples after the champion's training cut-off, and how many a retrain needs (on a breach). */
  @Property({ type: 'integer', nullable: true })
  newLabels: number | null = null;

  @Property({ type: 'integer', nullable: true })
  newLabelsNeeded: number | null = null;

  /** The drift episode the check belongs to (on a breach). */
  @Property({ type: 'uuid', nullable: true })
  episodeId: string | null = null;

  /** (tenant, model, active version, logical date): a second trigger for the same key is suppressed. */
  @Property({ type: 'text', nullable: true, unique: 'drift_checks_idempotency_key_unique' })
  idempotencyKey: string | null = null;

  @Property({ type: 'uuid' })
  eventId: string;

  @Property({ type: 'text' })
  correlationId: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}

/**
 * One continuous stretch of drift or low accuracy of a (tenant, model), by logical date: opened by a
 * breached check, continued by the next, closed by the first check that finds neither. People are told
 * when it opens, not every day; it counts the days and the retrains it caused. Owned by the drift monitor.
 */
@Entity({ tableName: 'drift_episodes' })
@Index({ properties: ['tenantId', 'modelType', 'startedOn'] })
@Index({
  name: 'drift_episodes_one_open',
  expression:
    'create unique index "drift_episodes_one_open" on "drift_episodes" ("tenant_id", "model_type") where "status" = \'open\'',
})
export class DriftEpisode {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id: string & Opt = randomUUID();

  @Property({ type: 'text' })
  tenantId: string;

  @Property({ type: 'text' })
  modelType: ModelType;

  /** drift, accuracy, or drift_and_accuracy once both were seen in it. */
  @Property({ type: 'text' })
  condition: EpisodeCondition;

  @Property({ type: 'date' })
  startedOn: string;

  @Property({ type: 'date' })
  lastSeenOn: string;

  /** The first logical date without a breach; null while open. */
  @Property({ type: 'date', nullable: true })
  endedOn: string | null = null;

  /** Breached days, from startedOn to lastSeenOn inclusive. */
  @Property({ type: 'integer' })
  days: number;

  @Property({ type: 'integer', default: 0 })
  retrains: number & Opt = 0;

  @Property({ type: 'text' })
  status: EpisodeStatus;

  /** The active version when it opened. */
  @Property({ type: 'integer', nullable: true })
  modelVersion: number | null = null;

  /** The check that opened it. */
  @Property({ type: 'uuid' })
  openedByCheckId: string;

  /** The last retrain it asked for: its date, the champion then, and the new labels counted then. */
  @Property({ type: 'date', nullable: true })
  lastRetrainOn: string | null = null;

  @Property({ type: 'integer', nullable: true })
  lastRetrainChampion: number | null = null;

  @Property({ type: 'integer', nullable: true })
  lastRetrainNewLabels: number | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  updatedAt: Date & Opt = new Date();
}

/** Append-only history of which version became active, when and why. */
@Entity({ tableName: 'model_deployments' })
@Index({ properties: ['tenantId', 'modelType', 'deployedAt'] })
export class ModelDeployment {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id: string & Opt = randomUUID();

  @Property({ type: 'text' })
  tenantId: string;

  @Property({ type: 'text' })
  modelType: ModelType;

  @Property({ type: 'integer', nullable: true })
  fromVersion: number | null = null;

  @Property({ type: 'integer' })
  toVersion: number;

  @Property({ type: 'text' })
  reason: DeploymentReason;

  @Property({ type: 'uuid', nullable: true })
  trainingRunId: string | null = null;

  @Property({ type: 'text' })
  correlationId: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  deployedAt: Date & Opt = new Date();

  /** A promotion's evidence: the shadow trial's pairs, statistic and duration (issue 19); null otherwise. */
  @Property({ type: 'json', nullable: true })
  evidence: Record<string, unknown> | null = null;
}

/** One feature's baseline as the trainer computes it: a model_feature_baselines row without its keys. */
export interface FeatureBaselineDraft {
  featureName: string;
  featureKind: 'numeric' | 'categorical';
  baselineValue: number | null;
  baselineComplexity: number | null;
  /** Frozen bin edges and shares, as libs/drift defines them. */
  distribution: Record<string, unknown>;
  sampleSize: number;
}

/** Serialised model of one version, with a checksum so a corrupted artifact is never loaded. */
@Entity({ tableName: 'model_artifacts' })
@Unique({ name: 'model_artifacts_version_unique', properties: ['tenantId', 'modelType', 'modelVersion'] })
export class ModelArtifact {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id: string & Opt = randomUUID();

  @Property({ type: 'text' })
  tenantId: string;

  @Property({ type: 'text' })
  modelType: ModelType;

  @Property({ type: 'integer' })
  modelVersion: number;

  /** e.g. `majority-class/v1` or `xgboost-json/1.7`. */
  @Property({ type: 'text' })
  format: string;

  /** SHA-256 of `content`, hex. */
  @Property({ type: 'text' })
  checksum: string;

  @Property({ type: 'blob' })
  content: Buffer;

  /**
   * The candidate's feature baselines (model_feature_baselines rows without their keys), computed by the
   * trainer from the training sample. The validator copies them into model_feature_baselines when it
   * deploys this version: one writer per table, and a version's baselines appear with its deployment.
   */
  @Property({ type: 'json', nullable: true })
  featureBaselines: FeatureBaselineDraft[] | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}

/** Who is told about what, per tenant: a person's email, a Slack channel, an in-app inbox, a webhook. */
@Entity({ tableName: 'notification_recipients' })
@Unique({ name: 'notification_recipients_unique', properties: ['tenantId', 'channel', 'address'] })
export class NotificationRecipient {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id: string & Opt = randomUUID();

  @Property({ type: 'text' })
  tenantId: string;

  @Property({ type: 'text' })
  name: string;

  /** email, slack, in_app or webhook. */
  @Property({ type: 'text' })
  channel: string;

  /**
   * An email address, an in-app user id, or for slack and webhook the NAME of a configured endpoint
   * (SLACK_WEBHOOKS / WEBHOOKS): URLs and signing keys are secrets and never stored here.
   */
  @Property({ type: 'text' })
  address: string;

  /** Event types this recipient wants (e.g. drift.detected), or severities (failure, warning, success, info). */
  @Property({ type: 'json' })
  eventKinds: string[];

  @Property({ type: 'boolean', default: true })
  isActive: boolean & Opt = true;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}

/**
 * The validator's verdict on one candidate: every gate with its figures, and the decision. One row per
 * training run (a redelivered model.trained finds it and does not validate twice). Owned by the
 * validator; the trainer's ml_model_training_runs holds only what the trainer did.
 */
@Entity({ tableName: 'model_validations' })
@Index({ properties: ['tenantId', 'modelType', 'validatedAt'] })
export class ModelValidation {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id: string & Opt = randomUUID();

  @Property({ type: 'uuid', unique: 'model_validations_training_run_id_unique' })
  trainingRunId: string;

  @Property({ type: 'text' })
  tenantId: string;

  @Property({ type: 'text' })
  modelType: ModelType;

  @Property({ type: 'integer' })
  modelVersion: number;

  @Property({ type: 'boolean' })
  passed: boolean;

  /** The gates, their figures and reasons, and the decision, as the validator computed them. */
  @Property({ type: 'json' })
  result: Record<string, unknown>;

  @Property({ type: 'text' })
  correlationId: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  validatedAt: Date & Opt = new Date();
}

/**
 * One change of a model's state that people hear about in their tenant's daily digest (apps/notifier): an
 * episode opened, retrained again, reminded, closed; its retrain's candidate deployed, rejected or failed.
 * `day` is the logical date of the check it came from, moved past the tenant's last digest when it comes
 * late, so that a digest is never sent twice for a day. Owned by the notifier.
 */
@Entity({ tableName: 'alert_items' })
@Unique({ name: 'alert_items_event_unique', properties: ['eventId'] })
@Index({ properties: ['tenantId', 'day'] })
@Index({ properties: ['correlationId'] })
export class AlertItem {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id: string & Opt = randomUUID();

  @Property({ type: 'text' })
  tenantId: string;

  @Property({ type: 'date' })
  day: string;

  @Property({ type: 'text' })
  modelType: ModelType;

  @Property({ type: 'text' })
  kind: AlertItemKind;

  @Property({ type: 'text' })
  severity: NotificationSeverity;

  /** What changed, in a few words ("drift episode opened", "v3 deployed"). */
  @Property({ type: 'text' })
  title: string;

  /** Why, with figures: one line each. */
  @Property({ type: 'json' })
  lines: string[];

  /** The event it came from (one item per event: a redelivery adds nothing). */
  @Property({ type: 'uuid' })
  eventId: string;

  @Property({ type: 'text' })
  correlationId: string;

  /** The digest that told it; null while it waits. */
  @Property({ type: 'uuid', nullable: true })
  digestId: string | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}

/** One message per tenant per day: the digest of its alert items (apps/notifier). */
@Entity({ tableName: 'alert_digests' })
@Unique({ name: 'alert_digests_tenant_day_unique', properties: ['tenantId', 'day'] })
export class AlertDigest {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id: string & Opt = randomUUID();

  @Property({ type: 'text' })
  tenantId: string;

  @Property({ type: 'date' })
  day: string;

  /** The most severe of its items. */
  @Property({ type: 'text' })
  severity: NotificationSeverity;

  @Property({ type: 'integer' })
  items: number;

  /** The models it lists. */
  @Property({ type: 'json' })
  models: ModelType[];

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();
}
