import { consumedBy, ROUTES } from '@app/contracts';
import type { BusApp, Subject } from '@app/contracts';
import { eventHandlersOf } from '@app/messaging';
import { DriftMonitorService } from '../apps/drift-monitor/src/drift-monitor.service';
import { NotificationService } from '../apps/notifier/src/notification.service';
import { OutcomesService } from '../apps/scorer/src/outcomes/outcomes.service';
import { ScoringService } from '../apps/scorer/src/scoring/scoring.service';
import { SeederService } from '../apps/seeder/src/seeder.service';
import { TrainerService } from '../apps/trainer/src/trainer.service';
import { ValidatorService } from '../apps/validator/src/validator.service';

// ROUTES (libs/contracts) is what scripts/check-deploy.ts derives the NATS permissions from: the
// handlers the services declare must be exactly the consumers it names. (What they publish is proved by
// test/integration/nats-permissions.int-spec.ts, which runs them as users with only those permissions.)
// A service's handlers may live in several classes (the scorer's scoring and outcomes): all of them.
const HANDLERS: Record<string, object[]> = {
  'drift-monitor': [DriftMonitorService],
  trainer: [TrainerService],
  validator: [ValidatorService],
  notifier: [NotificationService],
  seeder: [SeederService],
  scorer: [ScoringService, OutcomesService],
};

describe('the declared routes', () => {
  it.each(Object.entries(HANDLERS))('name every @OnEvent handler of the %s, and no other', (app, ctors) => {
    const handled = ctors.flatMap((ctor) => eventHandlersOf(ctor).map((h) => h.subject));
    expect([...handled].sort()).toEqual([...consumedBy(app as BusApp)].sort());
  });

  it('give the scheduler, the cli and the claims application no durable consumer, and every subject a publisher', () => {
    expect(consumedBy('scheduler')).toEqual([]);
    expect(consumedBy('cli')).toEqual([]);
    expect(consumedBy('claims-app')).toEqual([]);
    for (const [subject, route] of Object.entries(ROUTES) as [Subject, { publishers: readonly string[] }][])
      expect({ subject, publishers: route.publishers.length > 0 }).toEqual({ subject, publishers: true });
  });
});
