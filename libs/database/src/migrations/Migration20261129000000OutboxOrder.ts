import { Migration } from '@mikro-orm/migrations';

/**
 * The outbox relay publishes a service's events in the order they were written. `created_at` cannot
 * say it: a handler writes its events in one statement, and they all get the transaction's now(). An
 * insertion sequence can (model.validated before model.deployed, drift.checked before drift.detected).
 */
export class Migration20261129000000OutboxOrder extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "outbox" add column "seq" bigserial;`);
    this.addSql(`drop index "outbox_unpublished";`);
    this.addSql(
      `create index "outbox_unpublished" on "outbox" ("source", "seq") where "published_at" is null;`,
    );
    // Every service inserts into the outbox, and the column's default draws from this sequence.
    this.addSql(`grant usage on sequence "outbox_seq_seq" to "ue_service";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "outbox_unpublished";`);
    this.addSql(
      `create index "outbox_unpublished" on "outbox" ("source", "created_at") where "published_at" is null;`,
    );
    this.addSql(`alter table "outbox" drop column "seq";`);
  }
}
