import { Migration } from '@mikro-orm/migrations';

/**
 * Estimated accuracy (issue 17; docs/models.md, "Estimated accuracy"): each prediction keeps its version's
 * calibrated probability of being right, written by the scorer when it scores (null for a version without
 * a calibration), and each drift check keeps the estimate of its window next to the realized accuracy,
 * with which of the two decided.
 */
export class Migration20261130140000EstimatedAccuracy extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "ml_predictions" add column "right_probability" double precision null;`);
    this.addSql(
      `alter table "drift_checks" add column "estimated_accuracy" double precision null, add column "estimated_low" double precision null, add column "estimated_high" double precision null, add column "estimated_count" int not null default 0, add column "accuracy_source" text null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(
      `alter table "drift_checks" drop column "estimated_accuracy", drop column "estimated_low", drop column "estimated_high", drop column "estimated_count", drop column "accuracy_source";`,
    );
    this.addSql(`alter table "ml_predictions" drop column "right_probability";`);
  }
}
