import { Migration } from '@mikro-orm/migrations';

/**
 * The console's sessions (issue 18; docs/console.md): one row per signed-in person, keyed by the SHA-256
 * of the cookie's token. Not tenant-scoped: a session says which tenant its person may see, and every
 * query the console makes for it runs under that scope. Grants come from the ownership map (`migrate`).
 */
export class Migration20261130160000ConsoleSessions extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "console_sessions" ("token_hash" text not null, "user_id" text not null, "name" text not null, "email" text not null, "role" text not null, "tenant_id" text null, "method" text not null, "csrf_token" text not null, "created_at" timestamptz not null default now(), "expires_at" timestamptz not null, constraint "console_sessions_pkey" primary key ("token_hash"));`,
    );
    this.addSql(`create index "console_sessions_expires_at_index" on "console_sessions" ("expires_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "console_sessions" cascade;`);
  }
}
