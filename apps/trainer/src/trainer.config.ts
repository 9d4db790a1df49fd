import { BaseConfig } from '@app/common';

export class TrainerConfig extends BaseConfig {
  override HTTP_PORT = 3103;
}
