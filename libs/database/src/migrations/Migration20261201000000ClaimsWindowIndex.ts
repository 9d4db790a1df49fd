import { Migration } from '@mikro-orm/migrations';

/**
 * The drift monitor reads a tenant's recent claims: their features for the window's histograms, their
 * labels for the labels new to a champion (issue 20). A tenant's claims are spread over the table (they
 * arrive among every other tenant's), so each one read through the (tenant, filed at) index was a heap
 * page read: 2,000 pages for a tenant's last 90 days, 40 of a check's 50 ms on the benchmark's fleet.
 * This index carries those columns (INCLUDE), so the window is read from a few leaf pages with an index-only
 * scan; it replaces the (tenant, filed at) index, whose lookups it serves as well.
 */
export class Migration20261201000000ClaimsWindowIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index "claims_window" on "claims" ("tenant_id", "filed_at") include ("member_age", "case_complexity", "union_tenure_years", "claim_type", "department", "priority", "resolved_at", "resolution_days", "outcome", "member_churned", "assigned_team");`,
    );
    this.addSql(`drop index if exists "claims_tenant_id_filed_at_index";`);
  }

  override async down(): Promise<void> {
    this.addSql(`create index "claims_tenant_id_filed_at_index" on "claims" ("tenant_id", "filed_at");`);
    this.addSql(`drop index if exists "claims_window";`);
  }
}
