import { Migration } from '@mikro-orm/migrations';

export class Migration20261126200000NotificationRecipients extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "notification_recipients" ("id" uuid not null default gen_random_uuid(), "tenant_id" text not null, "name" text not null, "channel" text not null, "address" text not null, "event_kinds" jsonb not null, "is_active" boolean not null default true, "created_at" timestamptz not null default now(), constraint "notification_recipients_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "notification_recipients" add constraint "notification_recipients_unique" unique ("tenant_id", "channel", "address");`,
    );
    // The dispatcher's queue: deliveries due now.
    this.addSql(
      `create index "ml_retraining_notifications_due" on "ml_retraining_notifications" ("next_attempt_at") where "status" = 'pending';`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "ml_retraining_notifications_due";`);
    this.addSql(`drop table if exists "notification_recipients" cascade;`);
  }
}
