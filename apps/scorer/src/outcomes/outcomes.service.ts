import { Injectable } from '@nestjs/common';
import type { Envelope } from '@app/contracts';
import type { FilledOutcomes } from '@app/database';
import { missingResolutionLabels } from '@app/domain';
import { MessagingMetrics, OnEvent } from '@app/messaging';
import type { HandlerContext } from '@app/messaging';
import { OutcomesError } from './errors';
import { OutcomesRepository } from './outcomes.repository';

/**
 * Fills the outcomes of stored predictions as their labels become known: on a claim's resolution (every
 * version's prediction of that claim), and on the scheduler's daily tick (churn, known 180 days after
 * filing). What a label is, when it is known and what "correct" means are defined once (libs/domain
 * outcomes.ts and its SQL twin); outcome_known_at is the label's own time, not the wall clock.
 */
@Injectable()
export class OutcomesService {
  private readonly filledTotal;

  constructor(
    private readonly outcomes: OutcomesRepository,
    metrics: MessagingMetrics,
  ) {
    this.filledTotal = metrics.counter(
      'ue_scorer_outcomes_filled_total',
      'Predictions whose outcome was filled, by model and by what filled it',
      ['model_type', 'trigger'],
    );
  }

  @OnEvent('claim.resolved')
  async onClaimResolved(event: Envelope<'claim.resolved'>, ctx: HandlerContext): Promise<void> {
    const { claimId } = event.payload;
    const claim = await this.outcomes.claim(ctx.em, event.tenantId, claimId);
    if (!claim)
      throw new OutcomesError('UNKNOWN_CLAIM', `claim ${claimId} does not exist in tenant ${event.tenantId}`);
    // A resolution we cannot see in the row is the claims application's mistake (published too early, or a
    // partial update): filling nothing and acknowledging would lose it silently.
    const missing = missingResolutionLabels(claim);
    if (missing.length > 0)
      throw new OutcomesError(
        'CLAIM_NOT_RESOLVED',
        claim.resolvedAt === null
          ? `claim ${claimId} has no resolved_at in its row`
          : `claim ${claimId} is resolved but its row has no label for ${missing.join(', ')}`,
      );
    const filled = await this.outcomes.fillResolved(ctx.em, event.tenantId, claimId);
    this.count(filled, 'resolution');
    ctx.log.info('outcomes filled on resolution', { claimId, resolvedAt: claim.resolvedAt, filled });
  }

  @OnEvent('claim.outcomes.due')
  async onOutcomesDue(event: Envelope<'claim.outcomes.due'>, ctx: HandlerContext): Promise<void> {
    const { logicalDate } = event.payload;
    const filled = await this.outcomes.fillDue(ctx.em, event.tenantId, logicalDate);
    this.count(filled, 'due');
    ctx.log.info('outcomes filled for the day', { logicalDate, filled });
  }

  private count(filled: FilledOutcomes, trigger: 'resolution' | 'due'): void {
    for (const [modelType, n] of Object.entries(filled))
      this.filledTotal.inc({ model_type: modelType, trigger }, n);
  }
}
