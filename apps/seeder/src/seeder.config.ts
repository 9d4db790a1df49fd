import { BaseConfig } from '@app/common';

export class SeederConfig extends BaseConfig {
  override HTTP_PORT = 3106;
}
