import { DomainError } from '@app/common';

/** What training itself can refuse (the trainer and the seeder map it to their own outcomes). */
export type TrainingErrorCode =
  /** Fewer labelled examples than the model's minTrainingSamples: nothing to train on yet. */
  'INSUFFICIENT_SAMPLES';

export class InsufficientSamplesError extends DomainError<TrainingErrorCode> {
  constructor(
    readonly have: number,
    readonly need: number,
    months: number,
    asOf?: Date,
  ) {
    super(
      'INSUFFICIENT_SAMPLES',
      `insufficient samples: have ${have}, need ${need} labelled examples from the last ${months} months${asOf ? ` (as of ${asOf.toISOString().slice(0, 10)})` : ''}`,
    );
    this.name = 'InsufficientSamplesError';
  }
}
