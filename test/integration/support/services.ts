import { DriftMonitorConfig } from '../../../apps/drift-monitor/src/drift-monitor.config';
import { DriftMonitorModule } from '../../../apps/drift-monitor/src/drift-monitor.module';
import { NotifierConfig } from '../../../apps/notifier/src/notifier.config';
import { NotifierModule } from '../../../apps/notifier/src/notifier.module';
import { SchedulerConfig } from '../../../apps/scheduler/src/scheduler.config';
import { ScorerConfig } from '../../../apps/scorer/src/scorer.config';
import { ScorerModule } from '../../../apps/scorer/src/scorer.module';
import { SchedulerModule } from '../../../apps/scheduler/src/scheduler.module';
import { SeederConfig } from '../../../apps/seeder/src/seeder.config';
import { SeederModule } from '../../../apps/seeder/src/seeder.module';
import { TrainerConfig } from '../../../apps/trainer/src/trainer.config';
import { TrainerModule } from '../../../apps/trainer/src/trainer.module';
import { ValidatorConfig } from '../../../apps/validator/src/validator.config';
import { ValidatorModule } from '../../../apps/validator/src/validator.module';
import type { Harness } from './harness';

/** Extra environment: for every service (`env`), and for one service by name. */
export interface StartAllOptions {
  env?: (service: string) => Record<string, string>;
  scheduler?: Record<string, string>;
  notifier?: Record<string, string>;
}

/** Starts every service in this process, each as its own Nest app with its own connections. */
export async function startAllServices(h: Harness, opts: StartAllOptions = {}) {
  const env = (service: string, own: Record<string, string> = {}) => ({ ...opts.env?.(service), ...own });
  return {
    scheduler: await h.startService(
      'scheduler',
      SchedulerConfig,
      (c, l) => SchedulerModule.forRoot(c, l),
      env('scheduler', { SCHEDULE_ENABLED: 'false', ...opts.scheduler }),
    ),
    driftMonitor: await h.startService(
      'drift-monitor',
      DriftMonitorConfig,
      (c, l) => DriftMonitorModule.forRoot(c, l),
      env('drift-monitor'),
    ),
    trainer: await h.startService(
      'trainer',
      TrainerConfig,
      (c, l) => TrainerModule.forRoot(c, l),
      env('trainer'),
    ),
    validator: await h.startService(
      'validator',
      ValidatorConfig,
      (c, l) => ValidatorModule.forRoot(c, l),
      env('validator'),
    ),
    notifier: await h.startService(
      'notifier',
      NotifierConfig,
      (c, l) => NotifierModule.forRoot(c, l),
      env('notifier', opts.notifier),
    ),
    seeder: await h.startService('seeder', SeederConfig, (c, l) => SeederModule.forRoot(c, l), env('seeder')),
    scorer: await h.startService('scorer', ScorerConfig, (c, l) => ScorerModule.forRoot(c, l), env('scorer')),
  };
}
