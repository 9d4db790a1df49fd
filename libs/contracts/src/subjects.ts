/** Every subject on the bus. The name is the JetStream subject (after the configured prefix). */
export const SUBJECTS = {
  DriftCheckRequested: 'drift.check.requested',
  DriftChecked: 'drift.checked',
  DriftDetected: 'drift.detected',
  ModelTrained: 'model.trained',
  TrainingFailed: 'training.failed',
  ModelValidated: 'model.validated',
  ModelDeployed: 'model.deployed',
  ModelRollbackRequested: 'model.rollback.requested',
  ModelChallengerDecided: 'model.challenger.decided',
  SeedRequested: 'seed.requested',
  SeedCompleted: 'seed.completed',
  SeedFailed: 'seed.failed',
  ClaimFiled: 'claim.filed',
  ClaimResolved: 'claim.resolved',
  ClaimScored: 'claim.scored',
  ClaimOutcomesDue: 'claim.outcomes.due',
} as const;

export type Subject = (typeof SUBJECTS)[keyof typeof SUBJECTS];
export const ALL_SUBJECTS: readonly Subject[] = Object.values(SUBJECTS);

/** Subject roots captured by the events stream (one wildcard each). */
export const STREAM_SUBJECT_ROOTS = ['drift', 'model', 'training', 'seed', 'claim'] as const;

/** Tenant id used on the envelope of platform-wide events (seeding). */
export const PLATFORM_TENANT = '_platform';
