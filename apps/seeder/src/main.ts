import { runService } from '@app/messaging';
import { SeederConfig } from './seeder.config';
import { SeederModule } from './seeder.module';
import { paceHeapForSeeding } from './seeding/heap';

// A seeder process's work is seeding: its heap grows as seeding needs (heap.ts).
paceHeapForSeeding();

runService({
  service: 'seeder',
  configClass: SeederConfig,
  module: (config, logger) => SeederModule.forRoot(config, logger),
});
