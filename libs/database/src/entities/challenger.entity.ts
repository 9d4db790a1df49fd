import { randomUUID } from 'node:crypto';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import type { Opt } from '@mikro-orm/core';
import type { ChallengerDecision, ChallengerState, ModelType } from '@app/domain';

/**
 * A shadow challenger's trial (issue 19, docs/models.md "Shadow challengers"): a validated candidate that
 * scores every new claim beside the champion without its answers being used, until a sequential test on
 * their paired outcomes promotes or retires it. At most one runs per (tenant, model). Owned by the
 * validator, which starts, re-evaluates (every daily check) and ends it; its counts and statistic are those
 * of its last evaluation, recomputed from the stored predictions each time (so a redelivered event never
 * counts a pair twice).
 */
@Entity({ tableName: 'model_challengers' })
@Index({ properties: ['tenantId', 'modelType', 'createdAt'] })
@Index({
  name: 'model_challengers_one_running',
  expression:
    'create unique index "model_challengers_one_running" on "model_challengers" ("tenant_id", "model_type") where "state" = \'running\'',
})
export class ModelChallenger {
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id: string & Opt = randomUUID();

  @Property({ type: 'text' })
  tenantId: string;

  @Property({ type: 'text' })
  modelType: ModelType;

  /** The candidate on trial: its model_metadata row exists, never active while it runs. */
  @Property({ type: 'integer' })
  challengerVersion: number;

  /** The champion it is paired with (the version in production when it started). */
  @Property({ type: 'integer' })
  championVersion: number;

  @Property({ type: 'uuid', nullable: true })
  trainingRunId: string | null = null;

  @Property({ type: 'text' })
  state: ChallengerState;

  @Property({ type: 'text', nullable: true })
  decision: ChallengerDecision | null = null;

  /** Why it ended, in words (the notification's). */
  @Property({ type: 'text', nullable: true })
  reason: string | null = null;

  /** The logical day it started (the day of the check whose retrain produced it, else the wall clock's). */
  @Property({ type: 'date' })
  startedOn: string;

  @Property({ type: 'date', nullable: true })
  evaluatedOn: string | null = null;

  @Property({ type: 'date', nullable: true })
  decidedOn: string | null = null;

  /** Claims both versions answered and whose outcome is known. */
  @Property({ type: 'integer', default: 0 })
  labelledPairs: number & Opt = 0;

  /** Of those, the ones where exactly one was right (what the test uses, up to its decision). */
  @Property({ type: 'integer', default: 0 })
  discordantPairs: number & Opt = 0;

  /** Discordant pairs the challenger got right. */
  @Property({ type: 'integer', default: 0 })
  challengerWins: number & Opt = 0;

  /** The mixture likelihood ratio's log at the last evaluation (libs/drift pairedSequentialTest). */
  @Property({ type: 'double', default: 0 })
  logLikelihoodRatio: number & Opt = 0;

  @Property({ type: 'double', default: 1 })
  alwaysValidP: number & Opt = 1;

  @Property({ type: 'text' })
  correlationId: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime', nullable: true })
  decidedAt: Date | null = null;
}
