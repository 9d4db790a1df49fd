import { Injectable } from '@nestjs/common';
import type { Envelope } from '@app/contracts';
import { OnEvent } from '@app/messaging';
import type { HandlerContext } from '@app/messaging';
import { InAppRepository } from './in-app.repository';
import { composeMessage } from './messages';

/**
 * Turns pipeline events into notifications. In-app delivery is a row a user interface lists; email,
 * Slack and webhooks are added beside it (issue 7).
 */
@Injectable()
export class NotificationService {
  constructor(private readonly inApp: InAppRepository) {}

  @OnEvent('drift.detected')
  async onDriftDetected(event: Envelope<'drift.detected'>, ctx: HandlerContext): Promise<void> {
    await this.notify(event, ctx);
  }

  @OnEvent('model.validated')
  async onModelValidated(event: Envelope<'model.validated'>, ctx: HandlerContext): Promise<void> {
    await this.notify(event, ctx);
  }

  @OnEvent('model.deployed')
  async onModelDeployed(event: Envelope<'model.deployed'>, ctx: HandlerContext): Promise<void> {
    await this.notify(event, ctx);
  }

  @OnEvent('training.failed')
  async onTrainingFailed(event: Envelope<'training.failed'>, ctx: HandlerContext): Promise<void> {
    await this.notify(event, ctx);
  }

  @OnEvent('seed.completed')
  async onSeedCompleted(event: Envelope<'seed.completed'>, ctx: HandlerContext): Promise<void> {
    await this.notify(event, ctx);
  }

  @OnEvent('seed.failed')
  async onSeedFailed(event: Envelope<'seed.failed'>, ctx: HandlerContext): Promise<void> {
    await this.notify(event, ctx);
  }

  private async notify(event: Envelope, ctx: HandlerContext): Promise<void> {
    const message = composeMessage(event);
    if (!message) {
      ctx.log.debug('no notification for this event');
      return;
    }
    const created = await this.inApp.record(ctx.em, event, message);
    ctx.log.info(created ? 'in-app notification recorded' : 'in-app notification already recorded', {
      severity: message.severity,
      channel: 'in_app',
    });
  }
}
