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

export const DRIFT_DECISIONS = ['retrain', 'no_action', 'insufficient_data', 'suppressed'] as const;
export type DriftDecision = (typeof DRIFT_DECISIONS)[number];

export const NOTIFICATION_CHANNELS = ['email', 'slack', 'in_app', 'webhook'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

export const NOTIFICATION_SEVERITIES = ['info', 'success', 'warning', 'failure'] as const;
export type NotificationSeverity = (typeof NOTIFICATION_SEVERITIES)[number];

export const NOTIFICATION_STATUSES = ['pending', 'sent', 'failed'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

export const DEPLOYMENT_REASONS = ['initial', 'validated', 'rollback'] as const;
export type DeploymentReason = (typeof DEPLOYMENT_REASONS)[number];

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
