import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { PayloadOf } from '@app/contracts';
import type { ModelType } from '@app/domain';
import type { FittedCandidate } from '@app/ml';
import type { CandidateResult } from './candidate';
import type { TrainingFailureCode } from './errors';
import { TrainingRunRepository } from './training-run.repository';

/** A transaction and a way to put events in the outbox within it. */
export interface OutcomeTx {
  em: EntityManager;
  emit(subject: 'model.trained', payload: PayloadOf<'model.trained'>): Promise<unknown>;
  emit(subject: 'training.failed', payload: PayloadOf<'training.failed'>): Promise<unknown>;
}

export interface RunRef {
  runId: string;
  modelType: ModelType;
}

/** Raised inside a result transaction to roll it back: the run was completed by someone else. */
export class AlreadyCompleted extends Error {
  constructor(readonly runId: string) {
    super(`training run ${runId} was already completed`);
  }
}

/**
 * How a run ends, the same way for the local backend (in the message's second phase) and for Azure ML (in
 * the poller): the run row and its event, in one transaction, through the outbox. Both writes are fenced
 * by the run's status, so a run ends once whoever tries.
 */
@Injectable()
export class RunOutcomes {
  constructor(private readonly runs: TrainingRunRepository) {}

  /** Stores a candidate trained here and completes the run with it. */
  async storeAndComplete(tx: OutcomeTx, run: RunRef, fitted: FittedCandidate): Promise<CandidateResult> {
    const result = await this.runs.storeCandidate(tx.em, fitted);
    await this.completed(tx, run, result, 'local');
    return result;
  }

  /** Completes the run with a stored candidate; AlreadyCompleted (rolls back) when someone else did. */
  async completed(
    tx: OutcomeTx,
    run: RunRef,
    r: CandidateResult,
    backend: 'local' | 'azureml',
    externalJobId?: string,
  ): Promise<void> {
    if (!(await this.runs.complete(tx.em, run.runId, r, backend, externalJobId)))
      throw new AlreadyCompleted(run.runId);
    await tx.emit('model.trained', {
      runId: run.runId,
      modelType: run.modelType,
      candidateVersion: r.version,
      holdoutAccuracy: r.holdoutAccuracy,
      trainingSamples: r.trainingSamples,
      validationSamples: r.validationSamples,
      artifactId: r.artifactId,
      algorithm: 'xgboost',
      // The validator stores it with the version it deploys: the drift monitor counts labels after it.
      ...(typeof r.split.newest === 'string' ? { trainingCutoff: r.split.newest } : {}),
    });
  }

  /** Fails the run and says why; false (nothing emitted) when it had already ended. */
  async failed(
    tx: OutcomeTx,
    run: RunRef,
    code: TrainingFailureCode,
    reason: string,
    extra: { backend?: string; externalJobId?: string } = {},
  ): Promise<boolean> {
    if (!(await this.runs.fail(tx.em, run.runId, reason, extra))) return false;
    await tx.emit('training.failed', { runId: run.runId, modelType: run.modelType, code, reason });
    return true;
  }
}
