import { scrubText } from '@app/common';
import { parseEndpoints, secretsOf } from './notifier.config';
import type { Endpoints, NotifierConfig } from './notifier.config';

/** The notifier's secrets, parsed once at start-up, and a scrubber that keeps them out of logs and rows. */
export class NotifierSecrets {
  readonly endpoints: Endpoints;
  /** Every secret value, longest first. */
  readonly values: readonly string[];

  constructor(config: NotifierConfig) {
    this.endpoints = parseEndpoints(config);
    this.values = secretsOf(config, this.endpoints).sort((a, b) => b.length - a.length);
  }

  /** The logger's own scrubbing (credentials in URLs, tokens), plus these exact values. */
  scrub(text: string): string {
    return scrubText(text, this.values);
  }
}
