import type { Subject } from './subjects';

/**
 * Every app that talks on the bus: the seven services, the console (people's actions, published through
 * its outbox), the operator's command line, and the claims
 * application (not part of this project: its NATS user is declared here so that what it may publish is
 * too; the simulator and the tests play its part).
 */
export const BUS_APPS = [
  'scheduler',
  'drift-monitor',
  'trainer',
  'validator',
  'notifier',
  'seeder',
  'scorer',
  'console',
  'cli',
  'claims-app',
] as const;
export type BusApp = (typeof BUS_APPS)[number];
/** The apps that hold durable consumers (the CLI follows events through ephemeral ones only). */
export type ConsumingApp = Exclude<BusApp, 'cli' | 'scheduler' | 'claims-app' | 'console'>;

export interface Route {
  /** Apps that publish the subject (through their outbox, or the CLI directly). */
  publishers: readonly BusApp[];
  /** Apps with a durable consumer (`@OnEvent`) of the subject. */
  consumers: readonly ConsumingApp[];
}

/**
 * Who publishes and who consumes each subject, declared once. The NATS permissions of
 * deploy/nats/values.yaml are derived from it (scripts/check-deploy.ts), and the services' `@OnEvent`
 * handlers are checked against it (scripts/routes.spec.ts); a service that published or
 * consumed anything else would be refused by NATS in test/integration/nats-permissions.int-spec.ts.
 */
export const ROUTES = {
  'drift.check.requested': { publishers: ['scheduler', 'cli', 'console'], consumers: ['drift-monitor'] },
  // The validator re-evaluates a shadow challenger at every daily check (issue 19).
  'drift.checked': { publishers: ['drift-monitor'], consumers: ['notifier', 'validator'] },
  'drift.detected': { publishers: ['drift-monitor'], consumers: ['trainer', 'notifier'] },
  'model.trained': { publishers: ['trainer'], consumers: ['validator'] },
  'training.failed': { publishers: ['trainer'], consumers: ['notifier'] },
  'model.validated': { publishers: ['validator'], consumers: ['notifier'] },
  'model.deployed': { publishers: ['validator'], consumers: ['notifier', 'scorer'] },
  'model.rollback.requested': { publishers: ['cli', 'console'], consumers: ['validator'] },
  'model.challenger.decided': { publishers: ['validator'], consumers: ['notifier'] },
  'seed.requested': { publishers: ['cli'], consumers: ['seeder'] },
  'seed.completed': { publishers: ['seeder'], consumers: ['notifier'] },
  'seed.failed': { publishers: ['seeder'], consumers: ['notifier'] },
  'claim.filed': { publishers: ['claims-app'], consumers: ['scorer'] },
  'claim.resolved': { publishers: ['claims-app'], consumers: ['scorer'] },
  'claim.scored': { publishers: ['scorer'], consumers: [] },
  'claim.outcomes.due': { publishers: ['scheduler'], consumers: ['scorer'] },
} as const satisfies Record<Subject, Route>;

const entries = Object.entries(ROUTES) as [Subject, Route][];

/** The subjects an app publishes, in the order of ROUTES. */
export function publishedBy(app: BusApp): Subject[] {
  return entries.filter(([, r]) => r.publishers.includes(app)).map(([s]) => s);
}

/** The subjects an app consumes durably, in the order of ROUTES. */
export function consumedBy(app: BusApp): Subject[] {
  return entries.filter(([, r]) => (r.consumers as readonly BusApp[]).includes(app)).map(([s]) => s);
}
