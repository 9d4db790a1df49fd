import type { Envelope, LabelMaturityDto, Subject } from '@app/contracts';
import type { NotificationSeverity } from '@app/domain';
import { MODEL_CONFIGS } from '@app/domain';

export interface NotificationMessage {
  severity: NotificationSeverity;
  subject: string;
  body: string;
  modelType: string | null;
}

/** A share as people read it: 0.912 -> "91.2%". */
export const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** The label coverage line of a drift alert: how far the labels of recent predictions have arrived. */
function labelsLine(labels: LabelMaturityDto | undefined): string[] {
  if (!labels) return [];
  const coverage = labels.coverage === undefined ? 'no predictions' : pct(labels.coverage);
  const oldest = labels.oldestUnlabelledAt
    ? `; oldest unlabelled ${labels.oldestUnlabelledAt.slice(0, 10)}`
    : '';
  return [
    `- labels of the last ${labels.windowDays} days' predictions: ${labels.labelled} of ${labels.predictions} (${coverage})${oldest}`,
  ];
}

/**
 * What people are told at once about an event: what happened, why (figures), what the system did, and how
 * to acknowledge. Returns null for events that need no message of their own (a validation that passed is
 * followed by its own model.deployed message; drift checks and an episode's retrain, which the tenant's
 * daily digest tells: ./digest.ts).
 */
export function composeMessage(event: Envelope): NotificationMessage | null {
  switch (event.type) {
    case 'drift.detected': {
      const p = (event as Envelope<'drift.detected'>).payload;
      // An episode's retrain is told by the tenant's daily digest (its drift.checked); a forced one, which
      // a person asked for, is answered here at once.
      if (p.episode) return null;
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
        ...labelsLine(p.labels),
        'Action: retraining has been requested.',
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
      if (p.passed && p.challenger) {
        const title = MODEL_CONFIGS[p.modelType].displayName;
        return {
          severity: 'info',
          subject: `[Union Eyes ML] Shadow challenger started: ${title} v${p.candidateVersion}`,
          body: [
            `Candidate version ${p.candidateVersion} of ${title} for tenant ${event.tenantId} passed the gates and runs as a shadow challenger beside version ${p.championVersion ?? 'none'}, which stays active until live claims decide.`,
            ...p.gates.map((g) => `- PASS ${g.name}: ${g.detail}`),
          ].join('\n'),
          modelType: p.modelType,
        };
      }
      if (p.passed) return null;
      const name = MODEL_CONFIGS[p.modelType].displayName;
      const lines = [
        `Candidate version ${p.candidateVersion} of ${name} for tenant ${event.tenantId} was rejected; version ${p.championVersion ?? 'none'} stays active.`,
        ...p.gates.map((g) => `- ${g.passed ? 'PASS' : 'FAIL'} ${g.name}: ${g.detail}`),
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
      if (p.reason === 'promoted') return null; // model.challenger.decided tells it, with the evidence
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
    case 'model.challenger.decided': {
      const p = (event as Envelope<'model.challenger.decided'>).payload;
      const name = MODEL_CONFIGS[p.modelType].displayName;
      const e = p.evidence;
      const promoted = p.decision === 'promoted';
      return {
        severity: promoted ? 'success' : 'info',
        subject: promoted
          ? `[Union Eyes ML] Promoted after its shadow trial: ${name} v${p.challengerVersion}`
          : `[Union Eyes ML] Shadow challenger retired: ${name} v${p.challengerVersion}`,
        body: [
          promoted
            ? `${name} version ${p.challengerVersion} is now active for tenant ${event.tenantId} (was ${p.championVersion}; reason: promoted).`
            : `Shadow challenger version ${p.challengerVersion} of ${name} for tenant ${event.tenantId} was retired (${p.decision}); version ${p.championVersion} stays active.`,
          p.reason,
          `Trial ${e.startedOn} to ${e.decidedOn} (${e.days} day(s)): ${e.labelledPairs} labelled pairs, ${e.discordantPairs} where exactly one was right, the challenger in ${e.challengerWins}.`,
        ].join('\n'),
        modelType: p.modelType,
      };
    }
    case 'training.failed': {
      const p = (event as Envelope<'training.failed'>).payload;
      const name = MODEL_CONFIGS[p.modelType].displayName;
      const body = [
        `Retraining ${name} for tenant ${event.tenantId} failed (${p.code}): ${p.reason}`,
        'The active version stays in production.',
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
      const body = `Seeding finished: ${s.tenants} tenants, ${s.users} users, ${s.claims} claims, ${s.predictions} predictions, ${s.modelMetadata} model metadata rows, ${s.feedback} feedback samples.${s.insufficientSamples ? ` ${s.insufficientSamples} models have no version 1: insufficient samples (fewer labelled claims than their minTrainingSamples).` : ''}`;
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

/** Subjects the notifier listens to (drift.checked: the digest's items, and each tenant's day). */
export const NOTIFIED_SUBJECTS = [
  'drift.checked',
  'drift.detected',
  'model.validated',
  'model.deployed',
  'model.challenger.decided',
  'training.failed',
  'seed.completed',
  'seed.failed',
] as const satisfies readonly Subject[];

const escapeHtml = (t: string) =>
  t.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** How to acknowledge one delivered notification (it has its own id). */
export function ackLine(notificationId: string): string {
  return `Acknowledge: npm run ml:ack -- --notification ${notificationId} --by <you>   (or POST /alerts/${notificationId}/ack on the notifier)`;
}

/** The plain-text body as stored and emailed: the message, then how to acknowledge it. */
export function textBody(m: NotificationMessage, notificationId: string, reminder: boolean): string {
  return `${reminder ? 'Reminder: nobody has acknowledged this alert yet.\n\n' : ''}${m.body}\n\n${ackLine(notificationId)}`;
}

/** HTML version of a stored text body (its first line as the lead, the rest as a list). */
export function htmlFromText(subject: string, text: string): string {
  const [first, ...rest] = text.split('\n');
  const items = rest
    .filter((l) => l.trim())
    .map((l) => `<li>${escapeHtml(l.replace(/^- /, ''))}</li>`)
    .join('');
  return `<!doctype html><html><body style="font-family: sans-serif"><h2>${escapeHtml(subject)}</h2><p>${escapeHtml(first ?? '')}</p>${items ? `<ul>${items}</ul>` : ''}</body></html>`;
}

/** Slack incoming-webhook payload with Block Kit sections, from a stored text body. */
export function slackFromText(
  severity: NotificationMessage['severity'],
  subject: string,
  text: string,
): Record<string, unknown> {
  const emoji = {
    failure: ':red_circle:',
    warning: ':warning:',
    success: ':white_check_mark:',
    info: ':information_source:',
  }[severity];
  const [first, ...rest] = text.split('\n');
  return {
    text: subject,
    blocks: [
      {
        type: 'header',
        text: { type: 'plain_text', text: subject.replace(/^\[Union Eyes ML\] /, '').slice(0, 150) },
      },
      { type: 'section', text: { type: 'mrkdwn', text: `${emoji} ${first ?? ''}` } },
      ...(rest.some((l) => l.trim())
        ? [{ type: 'section', text: { type: 'mrkdwn', text: rest.join('\n').trim().slice(0, 2900) } }]
        : []),
    ],
  };
}
