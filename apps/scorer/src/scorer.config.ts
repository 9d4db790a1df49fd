import { BaseConfig } from '@app/common';

export class ScorerConfig extends BaseConfig {
  override HTTP_PORT = 3107;
}
