import { Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { AppLogger } from '@app/common';
import { createEnvelope } from '@app/contracts';
import { inPlatformTransaction } from '@app/database';
import { addToOutbox, OutboxRelay } from '@app/messaging';
import { TrainerConfig } from './trainer.config';
import { TrainingRunRepository } from './training-run.repository';

/**
 * Fails local training runs whose process stopped sending heartbeats (killed, lost), so that a model is never
 * stuck "in progress", and tells people through training.failed. Safe with several trainer replicas: the
 * update claims each expired run once.
 */
@Injectable()
export class LeaseSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly orm: MikroORM,
    private readonly runs: TrainingRunRepository,
    private readonly relay: OutboxRelay,
    private readonly config: TrainerConfig,
    private readonly log: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((err: unknown) => this.log.warn('lease sweep failed', { err }));
    }, this.config.LEASE_SWEEP_SECONDS * 1000);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<number> {
    // Expired runs of every tenant: a platform-wide transaction (row-level security, libs/database).
    const expired = await inPlatformTransaction(this.orm, async (em) => {
      const rows = await this.runs.expireLeases(em);
      for (const r of rows) {
        const reason = `training run ${r.id} was abandoned (no heartbeat before its lease expired); the active version stays`;
        const e = createEnvelope(
          'training.failed',
          { runId: r.id, modelType: r.modelType, code: 'LEASE_EXPIRED', reason },
          {
            tenantId: r.tenantId,
            correlationId: r.correlationId,
            causationId: r.triggerEventId ?? undefined,
          },
        );
        await addToOutbox(em, 'trainer', e);
      }
      return rows;
    });
    if (expired.length > 0) {
      this.relay.kick();
      for (const r of expired)
        this.log.warn('training run lease expired', {
          runId: r.id,
          tenantId: r.tenantId,
          correlationId: r.correlationId,
          modelType: r.modelType,
        });
    }
    return expired.length;
  }
}
