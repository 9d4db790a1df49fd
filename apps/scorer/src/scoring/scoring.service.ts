import { Injectable } from '@nestjs/common';
import type { Envelope } from '@app/contracts';
import { activeVersions, scoringInputs } from '@app/database';
import { MODEL_TYPES } from '@app/domain';
import { groupBy, MessagingMetrics, OnEvent } from '@app/messaging';
import type { BatchContext, HandlerContext } from '@app/messaging';
import { ScorerError } from '../errors';
import { ModelCache } from './model-cache';
import { PredictionsRepository } from './predictions.repository';
import { predictClaims } from './scoring';

/** Most claim.filed handed to the scorer at once (per pull; each tenant's share is one transaction). */
export const SCORE_BATCH_MAX = 500;

/**
 * How long a pull that found a backlog keeps filling while claims keep arriving (ms). Under load the
 * claims of a pull otherwise trickle in as earlier pulls are acknowledged, and each tenant's handful costs a
 * whole transaction; a claim filed alone is not delayed.
 */
export const SCORE_BATCH_FILL_MS = 20;

/**
 * Pulls handled at once. Claims pulled while a tenant's transaction runs gather into its next one
 * (libs/messaging), so more pulls in hand means fewer, fuller transactions and no claim waiting for a slow
 * tenant's transaction of another pull; a tenant's transactions still run one after the other, so one
 * claim is never scored by two transactions at once.
 */
export const SCORE_BATCHES_IN_FLIGHT = 4;

/**
 * Scores filed claims with the active version of each of the tenant's models and stores the answers
 * (docs/integration.md); a shadow challenger on trial scores them too, stored with its role and never
 * published (docs/models.md, "Shadow challengers"). Batched: per pull and tenant, one read of the active versions, one of the claims'
 * features, one XGBoost call per model and one insert, whatever the number of claims.
 */
@Injectable()
export class ScoringService {
  private readonly scored;
  private readonly stored;
  private readonly skippedModels = new Set<string>();

  constructor(
    private readonly cache: ModelCache,
    private readonly predictions: PredictionsRepository,
    metrics: MessagingMetrics,
  ) {
    this.scored = metrics.counter('ue_claims_scored_total', 'Claims given new predictions', []);
    this.stored = metrics.counter('ue_predictions_stored_total', 'Predictions stored, by model and role', [
      'model_type',
      'role',
    ]);
  }

  @OnEvent('claim.filed', {
    batch: { max: SCORE_BATCH_MAX, fillMs: SCORE_BATCH_FILL_MS },
    concurrency: SCORE_BATCHES_IN_FLIGHT,
  })
  async onClaimsFiled(events: readonly Envelope<'claim.filed'>[], ctx: BatchContext): Promise<void> {
    const { em, tenantId, log } = ctx;
    // The first claim.filed of each claim causes its claim.scored; a second one in the same batch (the
    // application filing twice) is handled with it.
    const causes = new Map<string, Envelope<'claim.filed'>>();
    for (const e of events) {
      const id = e.payload.claimId.toLowerCase();
      if (!causes.has(id)) causes.set(id, e);
    }
    // The versions in production now, read in this transaction (they are what scores this batch), and the
    // claims' features: one statement.
    const { actives, challengers, claims } = await scoringInputs(em, tenantId, [...causes.keys()]);
    for (const modelType of MODEL_TYPES)
      if (
        !actives.some((a) => a.modelType === modelType) &&
        !this.skippedModels.has(`${tenantId}:${modelType}`)
      ) {
        this.skippedModels.add(`${tenantId}:${modelType}`);
        log.info('no active version: claims are not scored by this model', { modelType });
      }
    const found = new Set(claims.map((c) => c.id));
    for (const e of events)
      if (!found.has(e.payload.claimId.toLowerCase()))
        ctx.fail(
          e,
          new ScorerError(
            'UNKNOWN_CLAIM',
            `claim ${e.payload.claimId} does not exist for tenant ${tenantId}`,
          ),
        );
    if (claims.length === 0) return;

    // A challenger on trial answers the same claims; its answers are stored for its trial and told to nobody.
    const rows = await this.cache.withModels(em, tenantId, [...actives, ...challengers], log, (models) =>
      predictClaims(models, claims),
    );
    const stored = await this.predictions.insertNew(em, tenantId, rows);
    const answers = stored.filter((p) => p.role === 'champion');
    for (const [claimId, predictions] of groupBy(answers, (p) => p.claimId)) {
      await ctx.emit(causes.get(claimId)!, 'claim.scored', {
        claimId,
        predictions: predictions.map((p) => ({
          modelType: p.modelType,
          version: p.version,
          prediction: p.predictedValue,
          confidence: p.confidence,
        })),
      });
    }
    for (const p of stored) this.stored.inc({ model_type: p.modelType, role: p.role });
    const claimsScored = new Set(answers.map((p) => p.claimId)).size;
    this.scored.inc(claimsScored);
    log.debug('claims scored', {
      claims: claims.length,
      scored: claimsScored,
      predictions: stored.length,
      challengerPredictions: stored.length - answers.length,
      skipped: rows.length - stored.length,
    });
  }

  /**
   * A deployment or a rollback: load the version now active ahead of the next claims, and free the one it
   * replaced. Only this replica sees the event; the others load it at their next batch (ModelCache).
   */
  @OnEvent('model.deployed')
  async onModelDeployed(event: Envelope<'model.deployed'>, ctx: HandlerContext): Promise<void> {
    const p = event.payload;
    const active = (await activeVersions(ctx.em, event.tenantId)).find((a) => a.modelType === p.modelType);
    const loaded = await this.cache.refresh(ctx.em, event.tenantId, p.modelType, active, ctx.log);
    ctx.log.info('model cache refreshed after a deployment', {
      modelType: p.modelType,
      deployed: p.version,
      reason: p.reason,
      loaded,
    });
  }
}
