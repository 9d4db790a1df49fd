import { Matches } from 'class-validator';
import { BaseConfig } from '@app/common';

/** The CLI reads the same DATABASE_URL, NATS_URL and SUBJECT_PREFIX as the services. */
export class CliConfig extends BaseConfig {
  /** Where the notifier answers (acknowledgments). */
  @Matches(/^https?:\/\/.+/)
  NOTIFIER_URL = 'http://127.0.0.1:3105';
}
