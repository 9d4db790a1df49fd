import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '@app/common';
import type { ModelType } from '@app/domain';
import type { CandidateResult } from './candidate';

export interface NewRun {
  tenantId: string;
  modelType: ModelType;
  trigger: string;
  triggerEventId: string;
  correlationId: string;
  leaseSeconds: number;
}

export interface ExpiredRun {
  id: string;
  tenant_id: string;
  model_type: ModelType;
  correlation_id: string;
  trigger_event_id: string | null;
  heartbeat_at: Date | null;
}

/** ml_model_training_runs: queued -> running -> completed | failed (or coalesced), with a heartbeat lease. */
@Injectable()
export class TrainingRunRepository {
  /**
   * Starts a run unless one is already in progress for (tenant, model). A run left by an earlier delivery
   * of the same event is taken over (the message came back after a crash). Otherwise the trigger is
   * recorded as coalesced and null is returned. The partial unique index over in-progress rows makes this
   * race-free.
   */
  async start(em: EntityManager, run: NewRun): Promise<{ runId: string; resumed: boolean } | null> {
    const started = await em.execute<{ id: string }[]>(
      `insert into ml_model_training_runs (tenant_id, model_type, status, trigger, trigger_event_id, correlation_id, training_started_at, heartbeat_at, lease_expires_at)
       values (?, ?, 'running', ?, ?, ?, now(), now(), now() + make_interval(secs => ?))
       on conflict (tenant_id, model_type) where status in ('queued', 'running') do nothing
       returning id`,
      [run.tenantId, run.modelType, run.trigger, run.triggerEventId, run.correlationId, run.leaseSeconds],
    );
    if (started.length > 0) return { runId: started[0]!.id, resumed: false };
    const mine = await em.execute<{ id: string }[]>(
      `update ml_model_training_runs set heartbeat_at = now(), lease_expires_at = now() + make_interval(secs => ?)
        where tenant_id = ? and model_type = ? and status in ('queued', 'running') and trigger_event_id = ? returning id`,
      [run.leaseSeconds, run.tenantId, run.modelType, run.triggerEventId],
    );
    if (mine.length > 0) return { runId: mine[0]!.id, resumed: true };
    await em.execute(
      `insert into ml_model_training_runs (tenant_id, model_type, status, trigger, trigger_event_id, correlation_id, error)
       values (?, ?, 'coalesced', ?, ?, ?, 'another run was in progress')`,
      [run.tenantId, run.modelType, run.trigger, run.triggerEventId, run.correlationId],
    );
    return null;
  }

  async heartbeat(em: EntityManager, runId: string, leaseSeconds: number): Promise<void> {
    await em.execute(
      `update ml_model_training_runs set heartbeat_at = now(), lease_expires_at = now() + make_interval(secs => ?) where id = ? and status = 'running'`,
      [leaseSeconds, runId],
    );
  }

  async fail(em: EntityManager, runId: string, error: string, counts?: { training: number }): Promise<void> {
    // Only a run still in progress: one the lease sweeper already failed keeps its reason (found by the
    // fault suite: a trainer frozen past its lease overwrote "abandoned" when it woke up).
    await em.execute(
      `update ml_model_training_runs set status = 'failed', error = ?, training_completed_at = clock_timestamp(), training_samples = coalesce(?, training_samples) where id = ? and status in ('queued', 'running')`,
      [error, counts?.training ?? null, runId],
    );
  }

  /** The candidate's figures on the run (the status stays: the Azure ML job records, the service completes). */
  async recordCandidate(em: EntityManager, runId: string, r: CandidateResult): Promise<void> {
    await em.execute(
      `update ml_model_training_runs
          set candidate_version = ?, training_samples = ?, validation_samples = ?, validation_accuracy = ?, metrics = ?::jsonb, split = ?::jsonb
        where id = ?`,
      [
        r.version,
        r.trainingSamples,
        r.validationSamples,
        r.holdoutAccuracy,
        JSON.stringify(r.metrics),
        JSON.stringify(r.split),
        runId,
      ],
    );
  }

  async complete(
    em: EntityManager,
    runId: string,
    r: CandidateResult,
    backend: string,
    externalJobId?: string,
  ): Promise<void> {
    // Fenced by the lease: a process that stalled past its lease (a long pause, a suspended VM) finds its
    // run failed as abandoned, and people told so. Completing it anyway would announce, and deploy, a run
    // reported as failed (found by the fault suite), so its work is rolled back and the message parked.
    // clock_timestamp(), not now(): this runs in the handler's transaction, which began before training.
    const mine = await em.execute<{ id: string }[]>(
      `update ml_model_training_runs set status = 'completed', training_completed_at = clock_timestamp(), backend = ?, external_job_id = ? where id = ? and status = 'running' returning id`,
      [backend, externalJobId ?? null, runId],
    );
    if (mine.length === 0)
      throw new DomainError(
        'LEASE_LOST',
        `training run ${runId} is no longer in progress (its lease expired and it was failed as abandoned); its result is discarded`,
      );
    await this.recordCandidate(em, runId, r);
  }

  /** Fails every running run whose lease expired (its process stopped sending heartbeats). */
  async expireLeases(em: EntityManager): Promise<ExpiredRun[]> {
    return em.execute<ExpiredRun[]>(
      `update ml_model_training_runs
          set status = 'failed', training_completed_at = now(),
              error = 'abandoned: no heartbeat since ' || coalesce(to_char(heartbeat_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'start') || ' (lease expired)'
        where status in ('queued', 'running') and lease_expires_at < now()
        returning id, tenant_id, model_type, correlation_id, trigger_event_id, heartbeat_at`,
    );
  }

  /** Next version number for (tenant, model): above every deployed version and every stored artifact. */
  async nextVersion(em: EntityManager, tenantId: string, modelType: ModelType): Promise<number> {
    const [row] = await em.execute<{ v: number }[]>(
      `select greatest(
          (select coalesce(max(model_version), 0) from model_metadata where tenant_id = ? and model_type = ?),
          (select coalesce(max(model_version), 0) from model_artifacts where tenant_id = ? and model_type = ?)) + 1 as v`,
      [tenantId, modelType, tenantId, modelType],
    );
    return Number(row!.v);
  }

  async saveArtifact(
    em: EntityManager,
    a: {
      tenantId: string;
      modelType: ModelType;
      version: number;
      format: string;
      checksum: string;
      content: Buffer;
    },
  ): Promise<string> {
    const [row] = await em.execute<{ id: string }[]>(
      `insert into model_artifacts (tenant_id, model_type, model_version, format, checksum, content) values (?, ?, ?, ?, ?, ?) returning id`,
      [a.tenantId, a.modelType, a.version, a.format, a.checksum, a.content],
    );
    return row!.id;
  }

  /** The candidate's drift baselines, stored inactive; the validator activates them with the version. */
  async saveBaselines(em: EntityManager, rows: object[]): Promise<void> {
    if (rows.length === 0) return;
    await em.execute(
      `insert into model_feature_baselines (tenant_id, model_type, model_version, feature_name, feature_kind, baseline_value, baseline_complexity, distribution, sample_size, is_active)
       select tenant_id, model_type, model_version, feature_name, feature_kind, baseline_value, baseline_complexity, distribution, sample_size, false
         from json_populate_recordset(null::model_feature_baselines, ?::json)`,
      [JSON.stringify(rows)],
    );
  }
}
