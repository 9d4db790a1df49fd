import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ModelType } from '@app/domain';

export interface NewRun {
  tenantId: string;
  modelType: ModelType;
  trigger: string;
  triggerEventId: string;
  correlationId: string;
}

@Injectable()
export class TrainingRunRepository {
  /**
   * Starts a run unless one is already in progress for (tenant, model); then records a coalesced run
   * and returns null. The partial unique index over in-progress rows makes this race-free.
   */
  async start(em: EntityManager, run: NewRun): Promise<string | null> {
    const started = await em.execute<{ id: string }[]>(
      `insert into ml_model_training_runs (tenant_id, model_type, status, trigger, trigger_event_id, correlation_id, training_started_at, heartbeat_at)
       values (?, ?, 'running', ?, ?, ?, now(), now())
       on conflict (tenant_id, model_type) where status in ('queued', 'running') do nothing
       returning id`,
      [run.tenantId, run.modelType, run.trigger, run.triggerEventId, run.correlationId],
    );
    if (started.length > 0) return started[0]!.id;
    await em.execute(
      `insert into ml_model_training_runs (tenant_id, model_type, status, trigger, trigger_event_id, correlation_id, error)
       values (?, ?, 'coalesced', ?, ?, ?, 'another run was in progress')`,
      [run.tenantId, run.modelType, run.trigger, run.triggerEventId, run.correlationId],
    );
    return null;
  }

  async fail(em: EntityManager, runId: string, error: string, counts?: { training: number }): Promise<void> {
    await em.execute(
      `update ml_model_training_runs set status = 'failed', error = ?, training_completed_at = now(), training_samples = ? where id = ?`,
      [error, counts?.training ?? null, runId],
    );
  }

  async complete(
    em: EntityManager,
    runId: string,
    r: {
      candidateVersion: number;
      trainingSamples: number;
      validationSamples: number;
      validationAccuracy: number;
      metrics: object;
      split: object;
    },
  ): Promise<void> {
    await em.execute(
      `update ml_model_training_runs
          set status = 'completed', training_completed_at = now(), candidate_version = ?, training_samples = ?,
              validation_samples = ?, validation_accuracy = ?, metrics = ?::jsonb, split = ?::jsonb
        where id = ?`,
      [
        r.candidateVersion,
        r.trainingSamples,
        r.validationSamples,
        r.validationAccuracy,
        JSON.stringify(r.metrics),
        JSON.stringify(r.split),
        runId,
      ],
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
}
