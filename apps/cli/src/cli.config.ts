import { BaseConfig } from '@app/common';

/** The CLI reads the same DATABASE_URL, NATS_URL and SUBJECT_PREFIX as the services. */
export class CliConfig extends BaseConfig {}
