import { Migration } from '@mikro-orm/migrations';

export class Migration20261126190000SeedRuns extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "seed_runs" ("id" uuid not null, "plan" jsonb not null, "summary" jsonb null, "tenant_ids" jsonb null, "started_at" timestamptz not null, "completed_at" timestamptz null, constraint "seed_runs_pkey" primary key ("id"));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "seed_runs" cascade;`);
  }
}
