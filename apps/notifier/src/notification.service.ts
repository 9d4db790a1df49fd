import { Injectable } from '@nestjs/common';
import type { Envelope } from '@app/contracts';
import { OnEvent } from '@app/messaging';
import type { HandlerContext } from '@app/messaging';
import { DeliveriesRepository, defaultRecipient, RecipientsRepository } from './deliveries.repository';
import { composeMessage } from './messages';

/**
 * Turns pipeline events into notifications for each tenant's stakeholders, one delivery per (event,
 * channel, recipient), written in the event's transaction; the dispatcher sends them.
 */
@Injectable()
export class NotificationService {
  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly recipients: RecipientsRepository,
  ) {}

  @OnEvent('drift.detected')
  async onDriftDetected(event: Envelope<'drift.detected'>, ctx: HandlerContext): Promise<void> {
    await this.notify(event, ctx);
  }

  /**
   * Most checks tell nobody; an episode that opens awaiting labels does, once. Its alert is a drift alert:
   * it goes to whoever asked for drift.detected.
   */
  @OnEvent('drift.checked')
  async onDriftChecked(event: Envelope<'drift.checked'>, ctx: HandlerContext): Promise<void> {
    await this.notify(event, ctx, 'drift.detected');
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

  /** `kind`: the event kind recipients subscribe to for this message (by default the event's type). */
  private async notify(event: Envelope, ctx: HandlerContext, kind: string = event.type): Promise<void> {
    const message = composeMessage(event);
    if (!message) {
      ctx.log.debug('no notification for this event');
      return;
    }
    const listed = await this.recipients.recipientsFor(ctx.em, event.tenantId, kind, message.severity);
    const recipients = listed.length > 0 ? listed : [defaultRecipient(event.tenantId)];
    const created = await this.deliveries.record(ctx.em, event, message, recipients);
    ctx.log.info('notifications recorded', {
      severity: message.severity,
      deliveries: created,
      channels: [...new Set(recipients.map((r) => r.channel))],
    });
  }
}
