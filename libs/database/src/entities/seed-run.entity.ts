import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** One seeding run: what was asked, what was written. Its id makes a redelivered seed.requested a no-op. */
@Entity({ tableName: 'seed_runs' })
export class SeedRun {
  /** The seed.requested event id (service), or a fresh id (command line). */
  @PrimaryKey({ type: 'uuid' })
  id: string;

  @Property({ type: 'json' })
  plan: Record<string, unknown>;

  @Property({ type: 'json', nullable: true })
  summary: Record<string, number> | null = null;

  @Property({ type: 'json', nullable: true })
  tenantIds: string[] | null = null;

  @Property({ type: 'datetime' })
  startedAt: Date;

  @Property({ type: 'datetime', nullable: true })
  completedAt: Date | null = null;
}
