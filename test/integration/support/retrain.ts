import { randomUUID } from 'node:crypto';
import { createEnvelope } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import type { ModelType } from '@app/domain';

/**
 * The trainer's one trigger, as the drift monitor publishes it when a model must be retrained: tests
 * start a training run with it directly (the trainer has no other way in since retrain.requested went).
 */
export function retrainTrigger(
  tenantId: string,
  modelType: ModelType,
  reason: string,
  id?: string,
  /** The check's logical date: the run trains as of its end (absent: as of now). */
  logicalDate?: string,
): Envelope<'drift.detected'> {
  return createEnvelope(
    'drift.detected',
    {
      checkId: randomUUID(),
      modelType,
      driftedFeatures: [],
      reasons: [reason],
      ...(logicalDate ? { logicalDate } : {}),
    },
    { tenantId, id },
  );
}

/**
 * A forced drift check of one model for today (as `retrain MODEL --force` asks for one): the drift
 * monitor decides to retrain whatever it finds, and the pipeline runs on to the validator's verdict.
 */
export function forcedDriftCheck(tenantId: string, modelType: ModelType): Envelope<'drift.check.requested'> {
  return createEnvelope(
    'drift.check.requested',
    { modelType, logicalDate: new Date().toISOString().slice(0, 10), force: true, requestedBy: 'test' },
    { tenantId },
  );
}
