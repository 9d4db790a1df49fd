import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createEnvelope } from '@app/contracts';
import type { Envelope } from '@app/contracts';
import { modelVersions, planRollback, versionBefore } from '@app/database';
import type { ModelType } from '@app/domain';
import { AppLogger } from '@app/common';
import { addToOutbox, OutboxRelay } from '@app/messaging';
import type { ConsoleUser } from '../auth/user';
import { ConsoleError } from '../errors';
import type { ActionAccepted } from './types';

/** Who asked, as the events carry it: the person, through the console. */
function requester(user: ConsoleUser): string {
  return `console:${user.email}`.slice(0, 200);
}

/**
 * A person's actions on a model, asked of their owners as events (the console writes no one's tables):
 * a rollback of the validator (`model.rollback.requested`), a forced retrain through the drift monitor
 * (`drift.check.requested` with force). Each is written to the outbox in the request's transaction, so
 * an accepted action is never lost, and published at once after the commit.
 */
@Injectable()
export class ActionsService {
  constructor(
    private readonly relay: OutboxRelay,
    private readonly log: AppLogger,
  ) {}

  /** Checks the rollback rules (as the CLI and the validator do) before asking; 404/409 when they refuse. */
  async rollback(
    em: EntityManager,
    user: ConsoleUser,
    q: { tenantId: string; modelType: ModelType; toVersion?: number; reason: string },
  ): Promise<{ accepted: ActionAccepted; envelope: Envelope }> {
    const versions = await modelVersions(em, q.tenantId, q.modelType);
    const active = versions.find((v) => v.active);
    const previous =
      q.toVersion === undefined && active
        ? await versionBefore(em, q.tenantId, q.modelType, active.version)
        : null;
    const plan = planRollback(versions, q.toVersion, previous);
    if (!plan.ok)
      throw new ConsoleError(plan.code === 'NO_SUCH_VERSION' ? 'NOT_FOUND' : 'CONFLICT', plan.message);
    const envelope = createEnvelope(
      'model.rollback.requested',
      {
        modelType: q.modelType,
        toVersion: plan.to.version,
        requestedBy: requester(user),
        reason: q.reason,
      },
      { tenantId: q.tenantId },
    );
    await addToOutbox(em, 'console', envelope);
    this.log.info('rollback requested', {
      tenantId: q.tenantId,
      correlationId: envelope.correlationId,
      modelType: q.modelType,
      from: plan.from.version,
      to: plan.to.version,
      by: user.email,
    });
    return {
      accepted: { accepted: true, correlationId: envelope.correlationId, action: 'rollback' },
      envelope,
    };
  }

  /** A forced check of one model today: the drift monitor retrains whatever it finds. */
  async retrain(
    em: EntityManager,
    user: ConsoleUser,
    q: { tenantId: string; modelType: ModelType; reason: string; today?: Date },
  ): Promise<{ accepted: ActionAccepted; envelope: Envelope }> {
    const versions = await modelVersions(em, q.tenantId, q.modelType);
    if (!versions.some((v) => v.active))
      throw new ConsoleError('CONFLICT', `${q.tenantId} has no active ${q.modelType} model to retrain`);
    const envelope = createEnvelope(
      'drift.check.requested',
      {
        modelType: q.modelType,
        logicalDate: (q.today ?? new Date()).toISOString().slice(0, 10),
        force: true,
        requestedBy: 'console',
      },
      { tenantId: q.tenantId },
    );
    await addToOutbox(em, 'console', envelope);
    this.log.info('forced retrain requested', {
      tenantId: q.tenantId,
      correlationId: envelope.correlationId,
      modelType: q.modelType,
      by: user.email,
      reason: q.reason,
    });
    return {
      accepted: { accepted: true, correlationId: envelope.correlationId, action: 'retrain' },
      envelope,
    };
  }

  /** After the commit: publish now rather than at the relay's next pass. */
  published(envelope: Envelope): void {
    this.relay.publishCommitted([envelope]);
  }
}
