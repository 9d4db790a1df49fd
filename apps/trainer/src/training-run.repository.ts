import { Injectable } from '@nestjs/common';
import { LockMode, raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TrainerError } from './errors';
import { MlModelTrainingRun, ModelArtifact, ModelMetadata } from '@app/database';
import type { ModelType, TrainingRunStatus } from '@app/domain';
import type { FittedCandidate } from '@app/ml';
import type { CandidateResult } from './candidate';

export interface NewRun {
  tenantId: string;
  modelType: ModelType;
  trigger: string;
  triggerEventId: string;
  correlationId: string;
  leaseSeconds: number;
  /** A run of this trigger whose heartbeat is older than this was left by a dead process: take it over. */
  staleSeconds: number;
  /** The run's logical time (recorded on it: the Azure ML job and the validator read it back). */
  asOf: Date;
}

/** What starting a run for a trigger found. */
export type StartResult =
  | { kind: 'started'; runId: string; asOf: Date }
  /** The run an earlier delivery of this trigger left (its process stopped heartbeating): now ours, as of its own time. */
  | { kind: 'resumed'; runId: string; asOf: Date }
  /** An earlier delivery's run is still heartbeating (its process is alive), or its Azure ML job is in flight. */
  | { kind: 'in_progress'; runId: string; externalJobId: string | null }
  /** An earlier delivery of this trigger already finished its run. */
  | { kind: 'finished'; runId: string; status: TrainingRunStatus }
  /** Another trigger's run is in progress for the model: recorded as coalesced. */
  | { kind: 'coalesced' };

export interface ExpiredRun {
  id: string;
  tenantId: string;
  modelType: ModelType;
  correlationId: string;
  triggerEventId: string | null;
  heartbeatAt: Date | null;
}

/** A run whose Azure ML job is in flight, claimed by this replica's poller for one look at the job. */
export interface InFlightRun {
  id: string;
  tenantId: string;
  modelType: ModelType;
  correlationId: string;
  triggerEventId: string | null;
  externalJobId: string;
  trainingStartedAt: Date | null;
}

const IN_PROGRESS: TrainingRunStatus[] = ['queued', 'running'];
const NO_IDENTITY_MAP = { disableIdentityMap: true } as const;

/** `now() + seconds`, on the database's clock (the lease is compared with it there). */
const inSeconds = (seconds: number) => raw('now() + make_interval(secs => ?)', [seconds]);
const now = () => raw('now()');

/**
 * ml_model_training_runs: queued -> running -> completed | failed (or coalesced), with a heartbeat lease,
 * and the trainer's artifacts (model_artifacts). Every write that ends a run is fenced by `status =
 * 'running'`, so a run is completed or failed once, whoever tries.
 */
@Injectable()
export class TrainingRunRepository {
  /**
   * Starts the run of a trigger, unless this trigger already has one (a redelivery: taken over when its
   * process stopped heartbeating, left alone otherwise) or another run is in progress for (tenant, model)
   * (the trigger is recorded as coalesced). The partial unique index over in-progress rows makes the
   * insert race-free.
   */
  async start(em: EntityManager, run: NewRun): Promise<StartResult> {
    const earlier = await em.findOne(
      MlModelTrainingRun,
      { tenantId: run.tenantId, modelType: run.modelType, triggerEventId: run.triggerEventId },
      { orderBy: { createdAt: 'desc' }, ...NO_IDENTITY_MAP },
    );
    if (earlier && !IN_PROGRESS.includes(earlier.status))
      return { kind: 'finished', runId: earlier.id, status: earlier.status };
    if (earlier) {
      if (earlier.externalJobId)
        return { kind: 'in_progress', runId: earlier.id, externalJobId: earlier.externalJobId };
      const taken = await em
        .createQueryBuilder(MlModelTrainingRun)
        .update({ heartbeatAt: now(), leaseExpiresAt: inSeconds(run.leaseSeconds) })
        .where({
          id: earlier.id,
          status: { $in: IN_PROGRESS },
          $or: [
            { heartbeatAt: null },
            { heartbeatAt: { $lt: raw('now() - make_interval(secs => ?)', [run.staleSeconds]) } },
          ],
        })
        .execute('run');
      return taken.affectedRows > 0
        ? { kind: 'resumed', runId: earlier.id, asOf: earlier.asOf }
        : { kind: 'in_progress', runId: earlier.id, externalJobId: null };
    }
    const started = await em
      .createQueryBuilder(MlModelTrainingRun)
      .insert({
        tenantId: run.tenantId,
        modelType: run.modelType,
        status: 'running',
        trigger: run.trigger,
        triggerEventId: run.triggerEventId,
        correlationId: run.correlationId,
        trainingStartedAt: now(),
        heartbeatAt: now(),
        leaseExpiresAt: inSeconds(run.leaseSeconds),
        asOf: run.asOf,
        metrics: null,
        split: null,
      })
      .onConflict(raw(`("tenant_id", "model_type") where "status" in ('queued', 'running')`))
      .ignore()
      .returning('id')
      .execute('all');
    const id = (started as { id: string }[])[0]?.id;
    if (id) return { kind: 'started', runId: id, asOf: run.asOf };
    await em.insert(MlModelTrainingRun, {
      tenantId: run.tenantId,
      modelType: run.modelType,
      status: 'coalesced',
      trigger: run.trigger,
      triggerEventId: run.triggerEventId,
      correlationId: run.correlationId,
      error: 'another run was in progress',
      asOf: run.asOf,
      metrics: null,
      split: null,
    });
    return { kind: 'coalesced' };
  }

  /** Renews the lease of a run in progress; false when the run is no longer running (failed meanwhile). */
  async heartbeat(em: EntityManager, runId: string, leaseSeconds: number): Promise<boolean> {
    const n = await em.nativeUpdate(
      MlModelTrainingRun,
      { id: runId, status: 'running' },
      { heartbeatAt: now(), leaseExpiresAt: inSeconds(leaseSeconds) },
    );
    return n > 0;
  }

  /**
   * Gives a run up for the next delivery of its trigger to take over at once (its heartbeat cleared); the
   * lease stays, so if no delivery comes the sweeper still ends it.
   */
  async release(em: EntityManager, runId: string): Promise<void> {
    await em.nativeUpdate(MlModelTrainingRun, { id: runId, status: 'running' }, { heartbeatAt: null });
  }

  /**
   * Fails a run still in progress; false when it had already ended. One the lease sweeper already failed
   * keeps its reason (found by the fault suite: a trainer frozen past its lease overwrote "abandoned").
   */
  async fail(
    em: EntityManager,
    runId: string,
    error: string,
    extra: { trainingSamples?: number; backend?: string; externalJobId?: string } = {},
  ): Promise<boolean> {
    const n = await em.nativeUpdate(
      MlModelTrainingRun,
      { id: runId, status: { $in: IN_PROGRESS } },
      {
        status: 'failed',
        error,
        trainingCompletedAt: raw('clock_timestamp()'),
        ...(extra.trainingSamples === undefined ? {} : { trainingSamples: extra.trainingSamples }),
        ...(extra.backend === undefined ? {} : { backend: extra.backend }),
        ...(extra.externalJobId === undefined ? {} : { externalJobId: extra.externalJobId }),
      },
    );
    return n > 0;
  }

  /** The candidate's figures on the run (the Azure ML job writes them; the trainer then completes the run). */
  async recordCandidate(em: EntityManager, runId: string, r: CandidateResult): Promise<void> {
    await em.nativeUpdate(MlModelTrainingRun, { id: runId }, this.figures(r));
  }

  private figures(r: CandidateResult) {
    return {
      candidateVersion: r.version,
      trainingSamples: r.trainingSamples,
      validationSamples: r.validationSamples,
      validationAccuracy: r.holdoutAccuracy,
      metrics: r.metrics,
      split: r.split,
    };
  }

  /**
   * Completes a running run with its candidate. Fenced: a run another process already completed (a
   * redelivery that trained the same trigger again) returns false and the caller discards its work; a run
   * failed meanwhile (its lease expired and people were told it was abandoned) is LEASE_LOST, since
   * completing it would announce, and deploy, a run reported as failed (found by the fault suite).
   */
  async complete(
    em: EntityManager,
    runId: string,
    r: CandidateResult,
    backend: string,
    externalJobId?: string,
  ): Promise<boolean> {
    const n = await em.nativeUpdate(
      MlModelTrainingRun,
      { id: runId, status: 'running' },
      {
        status: 'completed',
        // clock_timestamp(): the transaction's now() would do too, but says nothing about the training.
        trainingCompletedAt: raw('clock_timestamp()'),
        backend,
        externalJobId: externalJobId ?? null,
        ...this.figures(r),
      },
    );
    if (n > 0) return true;
    const run = await em.findOne(
      MlModelTrainingRun,
      { id: runId },
      { fields: ['status'], ...NO_IDENTITY_MAP },
    );
    if (run?.status === 'completed') return false;
    throw new TrainerError(
      'LEASE_LOST',
      `training run ${runId} is no longer in progress (its lease expired and it was failed as abandoned); its result is discarded`,
    );
  }

  /**
   * Fails every local run whose lease expired (its process stopped sending heartbeats). Runs with an Azure
   * ML job in flight are the poller's: it asks Azure ML, and cancels a job past its timeout.
   */
  async expireLeases(em: EntityManager): Promise<ExpiredRun[]> {
    const expired = await em.find(
      MlModelTrainingRun,
      { status: { $in: IN_PROGRESS }, externalJobId: null, leaseExpiresAt: { $lt: now() } },
      { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE, ...NO_IDENTITY_MAP },
    );
    for (const r of expired) {
      const since = r.heartbeatAt ? r.heartbeatAt.toISOString().replace(/\.\d{3}Z$/, 'Z') : 'start';
      await em.nativeUpdate(
        MlModelTrainingRun,
        { id: r.id },
        {
          status: 'failed',
          trainingCompletedAt: now(),
          error: `abandoned: no heartbeat since ${since} (lease expired)`,
        },
      );
    }
    return expired.map((r) => ({
      id: r.id,
      tenantId: r.tenantId,
      modelType: r.modelType,
      correlationId: r.correlationId,
      triggerEventId: r.triggerEventId,
      heartbeatAt: r.heartbeatAt,
    }));
  }

  /** Next version number for (tenant, model): above every deployed version and every stored artifact. */
  async nextVersion(em: EntityManager, tenantId: string, modelType: ModelType): Promise<number> {
    const latest = {
      fields: ['modelVersion'],
      orderBy: { modelVersion: 'desc' },
      ...NO_IDENTITY_MAP,
    } as const;
    const deployed = await em.findOne(ModelMetadata, { tenantId, modelType }, latest);
    const stored = await em.findOne(ModelArtifact, { tenantId, modelType }, latest);
    return Math.max(deployed?.modelVersion ?? 0, stored?.modelVersion ?? 0) + 1;
  }

  /** Stores a fitted candidate as the next version's artifact, its feature baselines with it. */
  async storeCandidate(em: EntityManager, c: FittedCandidate): Promise<CandidateResult> {
    const version = await this.nextVersion(em, c.tenantId, c.modelType);
    const artifactId = await em.insert(ModelArtifact, {
      tenantId: c.tenantId,
      modelType: c.modelType,
      modelVersion: version,
      format: c.format,
      checksum: c.checksum,
      content: c.content,
      featureBaselines: c.featureBaselines,
    });
    return {
      version,
      artifactId,
      holdoutAccuracy: c.holdoutAccuracy,
      trainingSamples: c.trainingSamples,
      validationSamples: c.validationSamples,
      metrics: c.metrics,
      split: c.split,
    };
  }

  /** The run as the Azure ML job finds it (it knows only the run id). */
  async findRun(
    em: EntityManager,
    runId: string,
  ): Promise<{ tenantId: string; modelType: ModelType; status: TrainingRunStatus; asOf: Date } | null> {
    const r = await em.findOne(
      MlModelTrainingRun,
      { id: runId },
      { fields: ['tenantId', 'modelType', 'status', 'asOf'], ...NO_IDENTITY_MAP },
    );
    return r ? { tenantId: r.tenantId, modelType: r.modelType, status: r.status, asOf: r.asOf } : null;
  }

  /** Records the error on a run without ending it (the Azure ML job: the trainer ends the run). */
  async noteError(em: EntityManager, runId: string, error: string): Promise<void> {
    await em.nativeUpdate(MlModelTrainingRun, { id: runId }, { error });
  }

  /**
   * The run's job is submitted: the Azure ML poller owns it from now on. Its lease becomes the time of the
   * poller's next look (now: at once).
   */
  async markSubmitted(em: EntityManager, runId: string, jobName: string): Promise<void> {
    await em.nativeUpdate(
      MlModelTrainingRun,
      { id: runId, status: 'running' },
      { backend: 'azureml', externalJobId: jobName, heartbeatAt: now(), leaseExpiresAt: now() },
    );
  }

  /**
   * Claims up to `limit` runs with an Azure ML job in flight that are due for a look, for `claimSeconds`:
   * `for update skip locked` and the lease, so two trainer replicas never look at the same job at once
   * (one that dies mid-look loses the claim when it expires). Platform-wide (every tenant's runs).
   */
  async claimInFlight(em: EntityManager, limit: number, claimSeconds: number): Promise<InFlightRun[]> {
    const due = await em.find(
      MlModelTrainingRun,
      { status: 'running', externalJobId: { $ne: null }, leaseExpiresAt: { $lte: now() } },
      {
        orderBy: { leaseExpiresAt: 'asc' },
        limit,
        lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE,
        ...NO_IDENTITY_MAP,
      },
    );
    if (due.length === 0) return [];
    await em.nativeUpdate(
      MlModelTrainingRun,
      { id: { $in: due.map((r) => r.id) } },
      { heartbeatAt: now(), leaseExpiresAt: inSeconds(claimSeconds) },
    );
    return due.map((r) => ({
      id: r.id,
      tenantId: r.tenantId,
      modelType: r.modelType,
      correlationId: r.correlationId,
      triggerEventId: r.triggerEventId,
      externalJobId: r.externalJobId!,
      trainingStartedAt: r.trainingStartedAt,
    }));
  }

  /** Releases a claimed in-flight run until its next look, `seconds` from now. */
  async lookAgainIn(em: EntityManager, runId: string, seconds: number): Promise<void> {
    await em.nativeUpdate(
      MlModelTrainingRun,
      { id: runId, status: 'running' },
      { leaseExpiresAt: inSeconds(seconds) },
    );
  }

  /** What an Azure ML job left on its run: its candidate (null if it stored none) and its error. */
  async jobResult(
    em: EntityManager,
    runId: string,
  ): Promise<{ candidate: CandidateResult | null; error: string | null }> {
    const run = await em.findOne(MlModelTrainingRun, { id: runId }, NO_IDENTITY_MAP);
    if (!run) return { candidate: null, error: null };
    if (run.candidateVersion === null) return { candidate: null, error: run.error };
    const artifact = await em.findOne(
      ModelArtifact,
      { tenantId: run.tenantId, modelType: run.modelType, modelVersion: run.candidateVersion },
      { fields: ['id'], ...NO_IDENTITY_MAP },
    );
    if (!artifact) return { candidate: null, error: run.error };
    return {
      candidate: {
        version: run.candidateVersion,
        artifactId: artifact.id,
        holdoutAccuracy: run.validationAccuracy ?? 0,
        trainingSamples: run.trainingSamples ?? 0,
        validationSamples: run.validationSamples ?? 0,
        metrics: run.metrics ?? {},
        split: run.split ?? {},
      },
      error: run.error,
    };
  }
}
