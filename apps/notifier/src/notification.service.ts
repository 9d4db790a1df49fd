import { Injectable } from '@nestjs/common';
import type { Envelope } from '@app/contracts';
import { OnEvent } from '@app/messaging';
import type { HandlerContext } from '@app/messaging';
import { AlertItemsRepository } from './alert-items.repository';
import { DeliveriesRepository, defaultRecipient, RecipientsRepository } from './deliveries.repository';
import { itemOfChallenger, itemOfCheck, itemOfOutcome } from './digest';
import type { AlertItemDraft } from './digest';
import { DigestService } from './digests';
import { composeMessage } from './messages';

/**
 * Turns pipeline events into notifications for each tenant's stakeholders, written in the event's
 * transaction; the dispatcher sends them. What the daily checks find (an episode opens, retrains again, is
 * recalled after 1, 2, 4... weeks, closes) and how an episode's retrains end are items of the tenant's daily digest: one
 * message a day. What a person asked for outside any episode (a forced retrain, `ml:retrain --force`, a rollback) is answered at once,
 * one message per event, as are seeding's.
 */
@Injectable()
export class NotificationService {
  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly recipients: RecipientsRepository,
    private readonly items: AlertItemsRepository,
    private readonly digests: DigestService,
  ) {}

  /** A forced retrain (no episode) is answered at once; an episode's is told by the digest (drift.checked). */
  @OnEvent('drift.detected')
  async onDriftDetected(event: Envelope<'drift.detected'>, ctx: HandlerContext): Promise<void> {
    await this.notify(event, ctx);
  }

  /** Every check moves its tenant's day on; the ones that change an episode add an item to the digest. */
  @OnEvent('drift.checked')
  async onDriftChecked(event: Envelope<'drift.checked'>, ctx: HandlerContext): Promise<void> {
    const day = event.payload.logicalDate;
    if (!day) return; // from before the field existed: nothing to date an item by
    await this.digests.dayBegins(ctx.em, event.tenantId, day, ctx.log);
    const item = itemOfCheck(event);
    if (item) await this.addItem(event, day, item, ctx);
  }

  @OnEvent('model.validated')
  async onModelValidated(event: Envelope<'model.validated'>, ctx: HandlerContext): Promise<void> {
    await this.outcome(event, ctx);
  }

  @OnEvent('model.deployed')
  async onModelDeployed(event: Envelope<'model.deployed'>, ctx: HandlerContext): Promise<void> {
    await this.outcome(event, ctx);
  }

  /**
   * A shadow challenger's trial ended (issue 19): an item of the digest of the day of the check that
   * decided it, like every other change of a model's state.
   */
  @OnEvent('model.challenger.decided')
  async onChallengerDecided(event: Envelope<'model.challenger.decided'>, ctx: HandlerContext): Promise<void> {
    await this.addItem(event, event.payload.logicalDate, itemOfChallenger(event), ctx);
  }

  @OnEvent('training.failed')
  async onTrainingFailed(event: Envelope<'training.failed'>, ctx: HandlerContext): Promise<void> {
    await this.outcome(event, ctx);
  }

  /**
   * The end of a retrain: an item of the digest of the day its episode asked for it (the check that asked
   * shares its correlation id), or a message of its own when a person asked.
   */
  private async outcome(event: Envelope, ctx: HandlerContext): Promise<void> {
    const day = await this.items.episodeDayOf(ctx.em, event.tenantId, event.correlationId);
    const item = day === null ? null : itemOfOutcome(event);
    if (day !== null && item) await this.addItem(event, day, item, ctx);
    else if (day === null) await this.notify(event, ctx);
  }

  private async addItem(
    event: Envelope,
    day: string,
    item: AlertItemDraft,
    ctx: HandlerContext,
  ): Promise<void> {
    const r = await this.items.add(
      ctx.em,
      { tenantId: event.tenantId, day, eventId: event.id, correlationId: event.correlationId },
      item,
    );
    ctx.log.info('alert item added to the daily digest', {
      modelType: item.modelType,
      kind: item.kind,
      day: r.day,
      added: r.added,
    });
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
