import type { Envelope, Subject } from '@app/contracts';
import type { NotificationSeverity } from '@app/domain';
import { MODEL_CONFIGS } from '@app/domain';

export interface NotificationMessage {
  severity: NotificationSeverity;
  subject: string;
  body: string;
  modelType: string | null;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/**
 * What people are told about an event: what happened, why (figures), what the system did, and how to
 * acknowledge. Returns null for events that need no message (a validation that passed is followed by
 * its own model.deployed message).
 */
export function composeMessage(event: Envelope): NotificationMessage | null {
  const ack = (tenant: string) =>
    `Acknowledge with: npm run ml:ack -- --tenant ${tenant} --notification <id> --by <you>`;
  switch (event.type) {
    case 'drift.detected': {
      const p = (event as Envelope<'drift.detected'>).payload;
      const name = MODEL_CONFIGS[p.modelType].displayName;
      const lines = [
        `${name} for tenant ${event.tenantId} needs retraining (active version ${p.activeVersion ?? 'none'}).`,
        ...p.reasons.map((r) => `- ${r}`),
        ...p.driftedFeatures.map((f) => `- ${f.feature}: PSI ${f.psi.toFixed(3)} (${f.band})`),
        ...(p.accuracy
          ? [
              `- 7-day accuracy ${pct(p.accuracy.value)} (95% CI ${pct(p.accuracy.low)}-${pct(p.accuracy.high)}, n=${p.accuracy.labelled}) vs threshold ${pct(p.accuracy.threshold)}`,
            ]
          : []),
        'Action: retraining has been requested.',
        ack(event.tenantId),
      ];
      return {
        severity: 'warning',
        subject: `[Union Eyes ML] Drift detected: ${name}`,
        body: lines.join('\n'),
        modelType: p.modelType,
      };
    }
    case 'model.validated': {
      const p = (event as Envelope<'model.validated'>).payload;
      if (p.passed) return null;
      const name = MODEL_CONFIGS[p.modelType].displayName;
      const lines = [
        `Candidate version ${p.candidateVersion} of ${name} for tenant ${event.tenantId} was rejected; version ${p.championVersion ?? 'none'} stays active.`,
        ...p.gates.map((g) => `- ${g.passed ? 'PASS' : 'FAIL'} ${g.name}: ${g.detail}`),
        ack(event.tenantId),
      ];
      return {
        severity: 'failure',
        subject: `[Union Eyes ML] Candidate rejected: ${name} v${p.candidateVersion}`,
        body: lines.join('\n'),
        modelType: p.modelType,
      };
    }
    case 'model.deployed': {
      const p = (event as Envelope<'model.deployed'>).payload;
      const name = MODEL_CONFIGS[p.modelType].displayName;
      const body = [
        `${name} version ${p.version} is now active for tenant ${event.tenantId} (was ${p.previousVersion ?? 'none'}; reason: ${p.reason}).`,
        `Hold-out accuracy: ${pct(p.accuracy)}.`,
      ].join('\n');
      return {
        severity: 'success',
        subject: `[Union Eyes ML] Deployed: ${name} v${p.version}`,
        body,
        modelType: p.modelType,
      };
    }
    case 'training.failed': {
      const p = (event as Envelope<'training.failed'>).payload;
      const name = MODEL_CONFIGS[p.modelType].displayName;
      const body = [
        `Retraining ${name} for tenant ${event.tenantId} failed (${p.code}): ${p.reason}`,
        'The active version stays in production.',
        ack(event.tenantId),
      ].join('\n');
      return {
        severity: 'failure',
        subject: `[Union Eyes ML] Training failed: ${name}`,
        body,
        modelType: p.modelType,
      };
    }
    case 'seed.completed': {
      const s = (event as Envelope<'seed.completed'>).payload.summary;
      const body = `Seeding finished: ${s.tenants} tenants, ${s.users} users, ${s.claims} claims, ${s.predictions} predictions, ${s.modelMetadata} model metadata rows, ${s.feedback} feedback samples.`;
      return {
        severity: 'info',
        subject: '[Union Eyes ML] Platform seeding complete',
        body,
        modelType: null,
      };
    }
    case 'seed.failed': {
      const p = (event as Envelope<'seed.failed'>).payload;
      return {
        severity: 'failure',
        subject: '[Union Eyes ML] Platform seeding failed',
        body: `Seeding failed (${p.code}): ${p.reason}`,
        modelType: null,
      };
    }
    default:
      return null;
  }
}

/** Subjects the notifier listens to. */
export const NOTIFIED_SUBJECTS = [
  'drift.detected',
  'model.validated',
  'model.deployed',
  'training.failed',
  'seed.completed',
  'seed.failed',
] as const satisfies readonly Subject[];
