import { BaseConfig } from '@app/common';

export class NotifierConfig extends BaseConfig {
  override HTTP_PORT = 3105;
}
