// Closed sets of values shared by entities, contracts and services.

export const MODEL_TYPES = ['claim_outcome', 'timeline', 'churn_risk', 'assignment'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

export const USER_ROLES = ['member', 'steward', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const CLAIM_TYPES = [
  'contract_grievance',
  'disciplinary_action',
  'wrongful_termination',
  'workplace_safety',
  'discrimination',
  'harassment',
  'wage_and_hour',
  'overtime_dispute',
  'benefits_dispute',
  'leave_request',
  'scheduling_conflict',
] as const;
export type ClaimType = (typeof CLAIM_TYPES)[number];

export const CLAIM_STATUSES = [
  'submitted',
  'under_review',
  'investigating',
  'pending_response',
  'in_arbitration',
  'resolved',
  'closed',
  'withdrawn',
] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

export const CLAIM_OUTCOMES = ['won', 'settled', 'lost', 'withdrawn'] as const;
export type ClaimOutcome = (typeof CLAIM_OUTCOMES)[number];

export const TRAINING_RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'coalesced'] as const;
export type TrainingRunStatus = (typeof TRAINING_RUN_STATUSES)[number];

/**
 * What a drift check decided (docs/models.md, "Monitoring"):
 * - retrain: drift or low accuracy, and a retrain can change something (drift.detected);
 * - awaiting_labels: drift or low accuracy, but too few labels arrived since the champion was trained
 *   for a retrain to learn anything new (no drift.detected);
 * - watching: drift or low accuracy on too few of the last days to open an episode (the model's
 *   `episodeOpening`, k of n): recorded, nobody told, nothing retrained;
 * - no_action: inputs stable and accuracy meets its threshold;
 * - insufficient_labels: inputs stable, but too few labelled predictions of the active version to judge
 *   its accuracy, and too few with a calibrated probability to estimate it (nothing is known to be
 *   wrong, nor known to be right);
 * - insufficient_data: neither inputs nor accuracy could be judged;
 * - suppressed: the same scheduled check again.
 */
export const DRIFT_DECISIONS = [
  'retrain',
  'awaiting_labels',
  'watching',
  'no_action',
  'insufficient_labels',
  'insufficient_data',
  'suppressed',
] as const;
export type DriftDecision = (typeof DRIFT_DECISIONS)[number];

/** What keeps a drift episode open: input drift (PSI), accuracy under its threshold, or both. */
export const EPISODE_CONDITIONS = ['drift', 'accuracy', 'drift_and_accuracy'] as const;
export type EpisodeCondition = (typeof EPISODE_CONDITIONS)[number];

export const EPISODE_STATUSES = ['open', 'closed'] as const;
export type EpisodeStatus = (typeof EPISODE_STATUSES)[number];

/**
 * What a tenant's daily digest lists (apps/notifier): an episode's opening, its later retrains, its weekly
 * reminder and its end, and the outcome of each of its retrains.
 */
export const ALERT_ITEM_KINDS = [
  'episode_opened',
  'retrain_requested',
  'episode_reminder',
  'episode_closed',
  'deployed',
  'rejected',
  'training_failed',
  'challenger_started',
  'challenger_promoted',
  'challenger_retired',
] as const;
export type AlertItemKind = (typeof ALERT_ITEM_KINDS)[number];

export const NOTIFICATION_CHANNELS = ['email', 'slack', 'in_app', 'webhook'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

export const NOTIFICATION_SEVERITIES = ['info', 'success', 'warning', 'failure'] as const;
export type NotificationSeverity = (typeof NOTIFICATION_SEVERITIES)[number];

export const NOTIFICATION_STATUSES = ['pending', 'sent', 'failed'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

export const DEPLOYMENT_REASONS = ['initial', 'validated', 'rollback', 'promoted'] as const;
export type DeploymentReason = (typeof DEPLOYMENT_REASONS)[number];

/** How a validated candidate reaches production (ModelConfig.promotion). */
export const PROMOTION_POLICIES = ['direct', 'shadow'] as const;
export type PromotionPolicy = (typeof PROMOTION_POLICIES)[number];

/** A challenger's life (model_challengers.state): on trial, then promoted or retired, once. */
export const CHALLENGER_STATES = ['running', 'promoted', 'retired'] as const;
export type ChallengerState = (typeof CHALLENGER_STATES)[number];

/**
 * How a challenger's trial ended: the sequential test promoted it, found it worse, or ran out of pairs
 * (futile); it ran past its model's shadowMaxDays (expired); a newer candidate took its place
 * (superseded); or the champion it was paired with left production (champion_changed: a rollback).
 */
export const CHALLENGER_DECISIONS = [
  'promoted',
  'retired_worse',
  'retired_futile',
  'retired_expired',
  'retired_superseded',
  'retired_champion_changed',
] as const;
export type ChallengerDecision = (typeof CHALLENGER_DECISIONS)[number];

/** Which version made a stored prediction: the champion's is the platform's answer; the challenger's is kept for its trial. */
export const PREDICTION_ROLES = ['champion', 'challenger'] as const;
export type PredictionRole = (typeof PREDICTION_ROLES)[number];

/** The 7 workplace departments of the spec. */
export const DEPARTMENTS = [
  'Operations',
  'Maintenance',
  'Logistics',
  'Customer Service',
  'Healthcare',
  'Administration',
  'Manufacturing',
] as const;

export const PRIORITIES = ['low', 'medium', 'high'] as const;

/** Steward teams a claim can be assigned to (the assignment model's classes). */
export const TEAMS = ['contract', 'safety', 'equity', 'benefits'] as const;
