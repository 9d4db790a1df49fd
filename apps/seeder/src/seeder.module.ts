import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { AppLogger } from '@app/common';
import { ServiceModule } from '@app/messaging';
import { SeederConfig } from './seeder.config';
import { SeederService } from './seeder.service';

@Module({})
export class SeederModule {
  static forRoot(config: SeederConfig, logger: AppLogger): DynamicModule {
    return {
      module: SeederModule,
      imports: [ServiceModule.forRoot({ service: 'seeder', config, configClass: SeederConfig, logger })],
      providers: [SeederService],
    };
  }
}
