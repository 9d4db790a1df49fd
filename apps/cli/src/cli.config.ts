import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { BaseConfig } from '@app/common';

/** The CLI reads the same DATABASE_URL, NATS_URL and SUBJECT_PREFIX as the services. */
export class CliConfig extends BaseConfig {
  /** Where the notifier answers (acknowledgments). */
  @Matches(/^https?:\/\/.+/)
  NOTIFIER_URL = 'http://127.0.0.1:3105';

  /** The notifier's SERVICE_TOKEN, sent as a bearer token (empty: a development notifier without one). */
  @IsString()
  NOTIFIER_TOKEN = '';

  /**
   * Replicas of the JetStream streams (3 on the production NATS cluster; 1 on a single server). Read by
   * `nats:provision` only: the services never create or change a stream.
   */
  @IsInt()
  @Min(1)
  @Max(5)
  STREAM_REPLICAS = 1;
}
