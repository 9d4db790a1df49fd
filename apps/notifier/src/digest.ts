import type { Envelope } from '@app/contracts';
import { MODEL_CONFIGS, NOTIFICATION_SEVERITIES } from '@app/domain';
import type { AlertItemKind, ModelType, NotificationSeverity } from '@app/domain';
import { pct } from './messages';
import type { NotificationMessage } from './messages';

// A tenant's daily digest (docs/models.md, "Alerts"): one message per tenant per day that lists every model
// whose state changed, instead of one message per model and event. Pure: the fixtures test it.

/** One change as the digest lists it (an alert_items row before it is stored). */
export interface AlertItemDraft {
  modelType: ModelType;
  kind: AlertItemKind;
  severity: NotificationSeverity;
  title: string;
  lines: string[];
}

/** A stored item, as the digest composes it. */
export interface DigestItem extends AlertItemDraft {
  day: string;
  correlationId: string;
}

/**
 * The item a drift check adds to its tenant's digest: an episode that opened, retrained again, completed
 * its 1st, 2nd, 4th... week (a reminder) or closed. Null for the other checks (nobody hears of them).
 */
export function itemOfCheck(event: Envelope<'drift.checked'>): AlertItemDraft | null {
  const p = event.payload;
  const e = p.episode;
  if (!e) return null;
  const reasons = p.reasons;
  const state =
    p.decision === 'retrain'
      ? 'retraining has been requested'
      : `awaiting labels: a retrain needs ${p.eligibility?.needed ?? 'more'} labelled examples new to it (${p.eligibility?.newLabels ?? 0} so far)`;
  const base = { modelType: p.modelType };
  if (e.closedOn)
    return {
      ...base,
      kind: 'episode_closed',
      severity: 'success',
      title: `back to normal: the ${e.condition.replace(/_/g, ' ')} episode since ${e.startedOn} closed on ${e.closedOn} after ${e.days} day(s), ${e.retrains} retrain(s)`,
      lines: reasons,
    };
  if (e.opened)
    return {
      ...base,
      kind: 'episode_opened',
      severity: 'warning',
      title: `${e.condition === 'drift' ? 'input drift' : e.condition === 'accuracy' ? 'low accuracy' : 'input drift and low accuracy'} since ${e.startedOn} (active version ${p.activeVersion ?? 'none'}): ${state}`,
      lines: [
        ...reasons,
        ...(p.labels?.coverage !== undefined
          ? [
              `labels of the last ${p.labels.windowDays} days' predictions so far: ${pct(p.labels.coverage)} (${p.labels.labelled} of ${p.labels.predictions})`,
            ]
          : []),
      ],
    };
  if (p.decision === 'retrain')
    return {
      ...base,
      kind: 'retrain_requested',
      severity: 'info',
      title: `still in the episode since ${e.startedOn} (day ${e.days}): retraining again`,
      lines: reasons,
    };
  if (e.remind)
    return {
      ...base,
      kind: 'episode_reminder',
      severity: 'warning',
      title: `still open: the ${e.condition.replace(/_/g, ' ')} episode since ${e.startedOn}, day ${e.days}, ${e.retrains} retrain(s) so far; ${state}`,
      lines: reasons,
    };
  return null;
}

/**
 * The item an episode's retrain ends with (the caller knows it is one: its correlation opened or retrained
 * an episode): the candidate deployed, rejected (the champion stays), or training failed.
 */
export function itemOfOutcome(event: Envelope): AlertItemDraft | null {
  switch (event.type) {
    case 'model.deployed': {
      const p = (event as Envelope<'model.deployed'>).payload;
      if (p.reason === 'promoted') return null; // its model.challenger.decided says it, with the evidence
      return {
        modelType: p.modelType,
        kind: 'deployed',
        severity: 'success',
        title: `version ${p.version} deployed (was ${p.previousVersion ?? 'none'}), hold-out accuracy ${pct(p.accuracy)}`,
        lines: [],
      };
    }
    case 'model.validated': {
      const p = (event as Envelope<'model.validated'>).payload;
      if (p.passed && p.challenger)
        return {
          modelType: p.modelType,
          kind: 'challenger_started',
          severity: 'info',
          title: `candidate version ${p.candidateVersion} passed the gates and runs as a shadow challenger beside version ${p.championVersion ?? 'none'}, which stays active until live claims decide`,
          lines: p.gates.map((g) => `PASS ${g.name}: ${g.detail}`),
        };
      if (p.passed) return null; // its model.deployed says it
      return {
        modelType: p.modelType,
        kind: 'rejected',
        // Within an episode a rejected candidate is the system working: the champion stays.
        severity: 'warning',
        title: `candidate version ${p.candidateVersion} rejected; version ${p.championVersion ?? 'none'} stays active`,
        lines: p.gates.filter((g) => !g.passed).map((g) => `FAIL ${g.name}: ${g.detail}`),
      };
    }
    case 'training.failed': {
      const p = (event as Envelope<'training.failed'>).payload;
      return {
        modelType: p.modelType,
        kind: 'training_failed',
        severity: 'failure',
        title: `retraining failed (${p.code}); the active version stays`,
        lines: [p.reason],
      };
    }
    default:
      return null;
  }
}

/** The item a shadow challenger's end adds to its tenant's digest: promoted, or retired and why. */
export function itemOfChallenger(event: Envelope<'model.challenger.decided'>): AlertItemDraft {
  const p = event.payload;
  const e = p.evidence;
  const lines = [
    p.reason,
    `trial ${e.startedOn} to ${e.decidedOn} (${e.days} day(s)): ${e.labelledPairs} labelled pairs, ${e.discordantPairs} where exactly one was right, the challenger in ${e.challengerWins}`,
  ];
  if (p.decision === 'promoted')
    return {
      modelType: p.modelType,
      kind: 'challenger_promoted',
      severity: 'success',
      title: `version ${p.challengerVersion} promoted after its shadow trial: it replaces version ${p.championVersion}`,
      lines,
    };
  return {
    modelType: p.modelType,
    kind: 'challenger_retired',
    severity: 'info',
    title: `shadow challenger version ${p.challengerVersion} retired (${p.decision.replace('retired_', '').replace(/_/g, ' ')}); version ${p.championVersion} stays active`,
    lines,
  };
}

/** The event kind a recipient subscribes to for an item (notification_recipients.event_kinds). */
export function subscriptionKindOf(kind: AlertItemKind): string {
  switch (kind) {
    case 'deployed':
      return 'model.deployed';
    case 'rejected':
      return 'model.validated';
    case 'training_failed':
      return 'training.failed';
    case 'challenger_started':
      return 'model.validated';
    case 'challenger_promoted':
    case 'challenger_retired':
      return 'model.challenger.decided';
    default:
      return 'drift.detected';
  }
}

const rank = (s: NotificationSeverity) => NOTIFICATION_SEVERITIES.indexOf(s);

/** The most severe of some severities (failure > warning > success > info). */
export function worst(severities: readonly NotificationSeverity[]): NotificationSeverity {
  return severities.reduce<NotificationSeverity>((w, s) => (rank(s) > rank(w) ? s : w), 'info');
}

/**
 * One message for a tenant's day: every model that changed state, each with what happened, in the order
 * it happened. `day` is the digest's logical date.
 */
export function composeDigest(
  tenantId: string,
  day: string,
  items: readonly DigestItem[],
): NotificationMessage {
  const byModel = new Map<ModelType, DigestItem[]>();
  for (const i of items) byModel.set(i.modelType, [...(byModel.get(i.modelType) ?? []), i]);
  const models = [...byModel.keys()];
  const names = models.map((m) => MODEL_CONFIGS[m].displayName);
  const lines = [
    `${models.length} model(s) of tenant ${tenantId} changed state on ${day}:`,
    ...models.flatMap((m) =>
      byModel
        .get(m)!
        .flatMap((i) => [
          `- ${MODEL_CONFIGS[m].displayName}: ${i.title}${i.day !== day ? ` (on ${i.day})` : ''}`,
          ...i.lines.map((l) => `    ${l}`),
        ]),
    ),
    'Details: npm run ml:status -- --tenant ' +
      tenantId +
      ' (every check is in drift_checks, every episode in drift_episodes). You get one such message a day at most.',
  ];
  return {
    severity: worst(items.map((i) => i.severity)),
    subject: `[Union Eyes ML] ${day}: ${names.join(', ')}`,
    body: lines.join('\n'),
    modelType: models.length === 1 ? models[0]! : null,
  };
}
