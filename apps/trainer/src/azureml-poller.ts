import { Inject, Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppLogger, errorMessage } from '@app/common';
import { createEnvelope } from '@app/contracts';
import type { PayloadOf, Subject } from '@app/contracts';
import { inPlatformTransaction, inTenantTransaction } from '@app/database';
import { addToOutbox, OutboxRelay } from '@app/messaging';
import { AzureMlBackend } from './backends/azureml.backend';
import { TRAINING_BACKEND } from './backends/training-backend';
import type { TrainingBackend } from './backends/training-backend';
import { AlreadyCompleted, RunOutcomes } from './run-outcomes';
import type { OutcomeTx } from './run-outcomes';
import { TrainerConfig } from './trainer.config';
import { TrainingRunRepository } from './training-run.repository';
import type { InFlightRun } from './training-run.repository';

/** Runs looked at per tick: every one in flight, in practice (a tick is one claim and parallel looks). */
const BATCH = 50;

/**
 * Follows the Azure ML jobs of runs in flight (TRAINER_BACKEND=azureml) and records each result the way
 * the local path does: run row and model.trained / training.failed in one transaction, through the outbox.
 * Every tick claims the runs due for a look in a short platform-wide transaction (`for update skip locked`
 * and a claim lease), asks Azure ML outside any transaction, then ends finished runs in short tenant
 * transactions fenced by the run's status. Safe with several replicas; a replica killed mid-look loses its
 * claim when it expires, and another picks the run up.
 */
@Injectable()
export class AzureMlPoller implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<unknown>;
  private readonly claimSeconds: number;

  constructor(
    private readonly orm: MikroORM,
    private readonly runs: TrainingRunRepository,
    private readonly outcomes: RunOutcomes,
    private readonly relay: OutboxRelay,
    private readonly config: TrainerConfig,
    private readonly log: AppLogger,
    @Inject(TRAINING_BACKEND) private readonly backend: TrainingBackend,
  ) {
    this.claimSeconds = Math.max(10, config.AZUREML_POLL_SECONDS * 4);
  }

  onApplicationBootstrap(): void {
    if (!(this.backend instanceof AzureMlBackend)) return;
    this.timer = setInterval(() => {
      if (this.ticking) return; // a slow tick is not overlapped by the next
      this.ticking = this.poll()
        .catch((err: unknown) => this.log.warn('Azure ML poll failed', { err }))
        .finally(() => (this.ticking = undefined));
    }, this.config.AZUREML_POLL_SECONDS * 1000);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
  }

  /** One tick: claims the runs due for a look and looks at each; returns how many it looked at. */
  async poll(): Promise<number> {
    const backend = this.backend;
    if (!(backend instanceof AzureMlBackend)) return 0;
    const claimed = await inPlatformTransaction(this.orm, (em) =>
      this.runs.claimInFlight(em, BATCH, this.claimSeconds),
    );
    await Promise.all(
      claimed.map((r) =>
        this.look(backend, r).catch((err: unknown) =>
          this.log.warn('could not follow an Azure ML job; looking again at the next tick', {
            runId: r.id,
            tenantId: r.tenantId,
            correlationId: r.correlationId,
            job: r.externalJobId,
            err,
          }),
        ),
      ),
    );
    return claimed.length;
  }

  private async look(backend: AzureMlBackend, r: InFlightRun): Promise<void> {
    const log = this.log.child({ tenantId: r.tenantId, correlationId: r.correlationId, runId: r.id });
    const job = r.externalJobId;
    const state = await backend.state(job);
    const run = { runId: r.id, modelType: r.modelType };
    const extra = { backend: 'azureml', externalJobId: job };
    switch (state.kind) {
      case 'running': {
        const started = r.trainingStartedAt?.getTime() ?? Date.now();
        if (Date.now() - started < this.config.AZUREML_TIMEOUT_SECONDS * 1000) {
          await inTenantTransaction(this.orm, r.tenantId, (em) =>
            this.runs.lookAgainIn(em, r.id, this.config.AZUREML_POLL_SECONDS),
          );
          return;
        }
        await backend.cancel(job).catch((err: unknown) => log.warn('cancel failed', { job, err }));
        const reason = `Azure ML job ${job} still ${state.status} after ${this.config.AZUREML_TIMEOUT_SECONDS} s: cancelled`;
        await this.end(r, (tx) => this.outcomes.failed(tx, run, 'AZUREML_TIMEOUT', reason, extra));
        log.warn('training failed', { code: 'AZUREML_TIMEOUT', reason, backend: 'azureml' });
        return;
      }
      case 'missing':
      case 'failed': {
        const reason = state.kind === 'missing' ? `Azure ML has no job ${job}` : undefined;
        await this.end(r, async (tx) => {
          const { error } = await this.runs.jobResult(tx.em, r.id);
          // The job records its own failure on the run (e.g. too few samples) before it exits 1.
          const code = error?.startsWith('insufficient samples')
            ? 'INSUFFICIENT_SAMPLES'
            : 'AZUREML_JOB_FAILED';
          const why =
            reason ??
            error ??
            `Azure ML job ${job} ended ${state.kind === 'failed' ? state.status : 'missing'}`;
          await this.outcomes.failed(tx, run, code, why, extra);
          log.warn('training failed', { code, reason: why, backend: 'azureml' });
        });
        return;
      }
      case 'completed':
        await this.end(r, async (tx) => {
          const { candidate } = await this.runs.jobResult(tx.em, r.id);
          if (!candidate) {
            const why = `Azure ML job ${job} completed without storing a candidate`;
            await this.outcomes.failed(tx, run, 'AZUREML_NO_RESULT', why, extra);
            log.warn('training failed', { code: 'AZUREML_NO_RESULT', reason: why, backend: 'azureml' });
            return;
          }
          await this.outcomes.completed(tx, run, candidate, 'azureml', job);
          log.info('candidate trained', {
            modelType: r.modelType,
            version: candidate.version,
            holdoutAccuracy: candidate.holdoutAccuracy,
            backend: 'azureml',
            job,
          });
        });
        return;
    }
  }

  /** Writes a run's end in a transaction of its tenant, its events through the outbox. */
  private async end(r: InFlightRun, work: (tx: OutcomeTx) => Promise<unknown>): Promise<void> {
    try {
      await inTenantTransaction(this.orm, r.tenantId, (em) => work({ em, emit: this.emitter(em, r) }));
      this.relay.kick();
    } catch (err) {
      if (err instanceof AlreadyCompleted) return; // another replica recorded it first
      throw new Error(`recording the end of run ${r.id}: ${errorMessage(err)}`, { cause: err });
    }
  }

  private emitter(em: EntityManager, r: InFlightRun): OutcomeTx['emit'] {
    return async <S extends Subject>(subject: S, payload: PayloadOf<S>) => {
      const e = createEnvelope(subject, payload, {
        tenantId: r.tenantId,
        correlationId: r.correlationId,
        causationId: r.triggerEventId ?? undefined,
      });
      await addToOutbox(em, 'trainer', e);
      return e;
    };
  }
}
