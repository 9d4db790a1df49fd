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
): Envelope<'drift.detected'> {
  return createEnvelope(
    'drift.detected',
    { checkId: randomUUID(), modelType, driftedFeatures: [], reasons: [reason] },
    { tenantId, id },
  );
}
