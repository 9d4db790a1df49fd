import { decide, eligibility, historyDays, needsNewLabels, remindsOn } from './decision';
import type { DayBreach, DecisionInput, EpisodeState, FeatureResult } from './decision';

const stable: FeatureResult[] = [
  { feature: 'member_age', psi: 0.02, band: 'stable', baselineSize: 1000, currentSize: 300 },
  { feature: 'claim_type', psi: 0.12, band: 'moderate', baselineSize: 1000, currentSize: 300 },
];
const drifted: FeatureResult[] = [
  ...stable,
  { feature: 'union_tenure_years', psi: 0.31, band: 'significant', baselineSize: 1000, currentSize: 300 },
];
/** Champion v2: a real model trained on 5,000 examples, so a retrain needs max(200, 500) = 500 new labels. */
const base: DecisionInput = {
  force: false,
  requestedBy: 'schedule',
  logicalDate: '2030-03-10',
  champion: { version: 2, hasArtifact: true, trainingSamples: 5000 },
  correct: 90,
  labelled: 100,
  accuracyThreshold: 0.85,
  minLabelled: 30,
  windowDays: 7,
  cohort: { correct: 0, labelled: 0, days: 30 },
  maturity: { predictions: 210, labelled: 42 },
  estimate: null,
  features: stable,
  psiWindowDays: 10,
  minWindowSamples: 250,
  driftThreshold: 0.25,
  newLabels: 800,
  minNewLabels: 200,
  openEpisode: null,
  rejectedRetrains: 0,
  newEpisodeId: 'e-new',
  // One breached day opens an episode here: these fixtures are about the signals; k of n has its own.
  opening: { k: 1, n: 1 },
};
/** An episode of drift opened on 2030-03-08 that retrained that day against v2, with 700 new labels then. */
const open: EpisodeState = {
  id: 'e-1',
  condition: 'drift',
  startedOn: '2030-03-08',
  lastSeenOn: '2030-03-09',
  days: 2,
  retrains: 1,
  lastRetrainOn: '2030-03-08',
  lastRetrainChampion: 2,
  lastRetrainNewLabels: 700,
};

describe('drift decision: the signals', () => {
  it('takes no action when features are stable and accuracy meets the threshold', () => {
    const d = decide(base);
    expect(d.decision).toBe('no_action');
    expect(d.accuracy).toMatchObject({ value: 0.9, labelled: 100, threshold: 0.85 });
    // Wilson 95% interval of 90/100, computed independently: [0.8256, 0.9448].
    expect(d.accuracy!.low).toBeCloseTo(0.8256, 4);
    expect(d.accuracy!.high).toBeCloseTo(0.9448, 4);
    expect(d.reasons).toEqual([
      'claim_type PSI 0.120 (moderate: recorded, no retrain)',
      'largest PSI 0.120 (claim_type) is within 0.25',
      '7-day accuracy 90.0% (95% CI 82.6%-94.5%, n=100) meets the 85.0% threshold',
    ]);
    expect(d.episode).toEqual({ kind: 'none' });
    expect(d.eligibility).toBeUndefined();
  });

  it('retrains on a significant PSI, naming the feature, when new labels allow it', () => {
    const d = decide({ ...base, features: drifted });
    expect(d.decision).toBe('retrain');
    expect(d.reasons[0]).toBe('union_tenure_years PSI 0.310 > 0.25 (significant drift)');
    expect(d.reasons.at(-1)).toBe(
      "800 labelled examples arrived after v2's training cut-off (need 500): a retrain can learn from them",
    );
  });

  it('does not retrain while a shadow challenger is on trial: it awaits its verdict', () => {
    const d = decide({ ...base, features: drifted, challenger: { version: 3, startedOn: '2030-03-02' } });
    expect(d.decision).toBe('awaiting_labels');
    expect(d.breach).toBe(true);
    expect(d.eligibility).toMatchObject({ eligible: false, newLabels: 800, needed: 500 });
    expect(d.eligibility!.reason).toBe(
      'v3 has been on trial as a shadow challenger since 2030-03-02: a retrain waits for its verdict',
    );
  });

  it('retrains when the whole 95% interval of accuracy is below the threshold', () => {
    // 70/100: Wilson [0.6042, 0.7810], entirely under 0.85 (computed independently).
    const d = decide({ ...base, correct: 70 });
    expect(d.decision).toBe('retrain');
    expect(d.reasons).toContain(
      '7-day accuracy 70.0% (95% CI 60.4%-78.1%, n=100) is below the 85.0% threshold',
    );
    expect(d.episode).toMatchObject({ kind: 'open', episode: { condition: 'accuracy' } });
  });

  it('breaches on the filing cohort: its first labels significantly under the threshold, while the week is fine', () => {
    // The week's labels are still mostly of older claims (90/100); of the claims filed in the last 30 days,
    // 36 of the 100 labelled so far were right: Wilson 95% [0.2727, 0.4576], computed independently.
    const d = decide({ ...base, cohort: { correct: 36, labelled: 100, days: 30 } });
    expect(d.decision).toBe('retrain');
    expect(d.reasons).toContain(
      'claims filed in the last 30 days: 36.0% right of the 100 labelled so far (95% CI 27.3%-45.8%), below the 85.0% threshold',
    );
    expect(d.episode).toMatchObject({ kind: 'open', episode: { condition: 'accuracy' } });
    // Too few labels in the cohort (29 < 30): not judged. A cohort over the threshold clears nothing.
    expect(decide({ ...base, cohort: { correct: 5, labelled: 29, days: 30 } }).decision).toBe('no_action');
    const weekBelow = { ...base, correct: 70, labelled: 100 };
    expect(decide({ ...weekBelow, cohort: { correct: 99, labelled: 100, days: 30 } }).decision).toBe(
      'retrain',
    );
  });

  it('does not retrain when accuracy is under the threshold but not significantly', () => {
    // 80/100: Wilson [0.7112, 0.8666] still reaches 0.85.
    const d = decide({ ...base, correct: 80 });
    expect(d.decision).toBe('no_action');
    expect(d.reasons[2]).toMatch(/is not significantly below the 85.0% threshold/);
  });

  it('says insufficient_data when neither window has enough data, never drift', () => {
    const few: FeatureResult[] = [{ feature: 'member_age', baselineSize: 1000, currentSize: 12 }];
    const d = decide({ ...base, features: few, psiWindowDays: 30, correct: 5, labelled: 10 });
    expect(d.decision).toBe('insufficient_data');
    expect(d.reasons).toEqual([
      'only 12 claims in the last 30 days (need 250): PSI not judged',
      'only 10 labelled predictions in the last 7 days (need 30): accuracy not judged',
    ]);
    expect(decide({ ...base, features: few, correct: 0, labelled: 0 }).accuracy).toBeUndefined();
  });

  it('says insufficient_labels when the inputs are stable but the active version has too few labels', () => {
    const d = decide({ ...base, correct: 5, labelled: 10 });
    expect(d.decision).toBe('insufficient_labels');
    expect(d.reasons.at(-1)).toBe(
      'only 10 labelled predictions in the last 7 days (need 30): accuracy not judged',
    );
    // Drift is judged on the inputs alone: too few labels never hide it.
    expect(decide({ ...base, features: drifted, correct: 0, labelled: 0 }).decision).toBe('retrain');
  });

  it('judges a window without enough labels by its estimated accuracy, and says so', () => {
    const unlabelled = { ...base, correct: 0, labelled: 0, maturity: { predictions: 210, labelled: 0 } };
    const meets = decide({
      ...unlabelled,
      estimate: { estimate: 0.93, low: 0.9, high: 0.96, n: 210, method: 'exact' },
    });
    expect(meets.decision).toBe('no_action');
    expect(meets.accuracySource).toBe('estimated');
    expect(meets.reasons.slice(-2)).toEqual([
      'only 0 labelled predictions in the last 7 days (need 30): judged by the estimate',
      "estimated accuracy of the last 7 days' 210 predictions 93.0% (95% CI 90.0%-96.0%) meets the 85.0% threshold",
    ]);
    // Its whole interval under the threshold: a breach of accuracy, with the same rule as realized accuracy.
    const below = decide({
      ...unlabelled,
      estimate: { estimate: 0.7, low: 0.64, high: 0.76, n: 210, method: 'exact' },
    });
    expect(below).toMatchObject({ decision: 'retrain', accuracySource: 'estimated' });
    expect(below.episode).toMatchObject({ kind: 'open', episode: { condition: 'accuracy' } });
    expect(below.reasons).toContain(
      "estimated accuracy of the last 7 days' 210 predictions 70.0% (95% CI 64.0%-76.0%) is below the 85.0% threshold",
    );
    // Too few estimated predictions to judge either: insufficient_labels, as without an estimate.
    const few = decide({
      ...unlabelled,
      estimate: { estimate: 0.7, low: 0.4, high: 0.9, n: 12, method: 'exact' },
    });
    expect(few).toMatchObject({ decision: 'insufficient_labels', accuracySource: null });
    // Enough labels: the realized accuracy decides, whatever the estimate says.
    const realized = decide({
      ...base,
      estimate: { estimate: 0.5, low: 0.4, high: 0.6, n: 210, method: 'exact' },
    });
    expect(realized).toMatchObject({ decision: 'no_action', accuracySource: 'realized' });
  });

  it('retrains when forced, whatever the labels, and leaves episodes alone; and when there is no active model', () => {
    const forced = decide({ ...base, force: true, features: drifted, newLabels: 0, openEpisode: open });
    expect(forced).toMatchObject({ decision: 'retrain', reasons: ['retraining forced by schedule'] });
    expect(forced.episode).toEqual({ kind: 'none' });
    expect(decide({ ...base, champion: null }).decision).toBe('retrain');
  });
});

describe('drift decision: a retrain only when it can change something', () => {
  it('reads the labels new to the champion only for a breach, the only decision that looks at them', () => {
    expect(needsNewLabels(base)).toBe(false);
    expect(needsNewLabels({ ...base, features: drifted })).toBe(true);
    // 60 of 100 right: the whole interval is under 85%.
    expect(needsNewLabels({ ...base, correct: 60 })).toBe(true);
    expect(needsNewLabels({ ...base, features: drifted, force: true })).toBe(false);
    expect(needsNewLabels({ ...base, features: drifted, champion: null })).toBe(false);
    // Whatever the count, a day without a breach decides the same: what skipping the read relies on.
    for (const newLabels of [0, 10_000]) expect(decide({ ...base, newLabels })).toEqual(decide(base));
  });
  it('needs max(minNewLabels, 10% of the champion training set) labels after its cut-off', () => {
    const champion = { version: 2, hasArtifact: true, trainingSamples: 5000 };
    const at = (newLabels: number, trainingSamples: number | null = 5000) =>
      eligibility({
        champion: { ...champion, trainingSamples },
        newLabels,
        minNewLabels: 200,
        episode: null,
      });
    expect(at(499)).toMatchObject({ eligible: false, newLabels: 499, needed: 500 });
    expect(at(500)).toMatchObject({ eligible: true, needed: 500 });
    // A small training set: minNewLabels is the floor. 10% of 1,234 rounds up to 124.
    expect(at(199, 1234)).toMatchObject({ eligible: false, needed: 200 });
    expect(at(200, 1234)).toMatchObject({ eligible: true, needed: 200 });
    expect(at(0, 12_340).needed).toBe(1234);
    // Not recorded (an older version): minNewLabels alone.
    expect(at(200, null)).toMatchObject({ eligible: true, needed: 200 });
  });

  it('is eligible whatever the labels when the champion has no artifact (a seeded version)', () => {
    const e = eligibility({
      champion: { version: 1, hasArtifact: false, trainingSamples: null },
      newLabels: 0,
      minNewLabels: 200,
      episode: null,
    });
    expect(e).toEqual({
      eligible: true,
      newLabels: 0,
      needed: 200,
      reason: 'v1 has no artifact: a trained model can be compared with it, retrain',
    });
  });

  it('waits for labels on drift without enough of them: awaiting_labels with the label coverage, an episode opens', () => {
    const d = decide({ ...base, features: drifted, newLabels: 120 });
    expect(d.decision).toBe('awaiting_labels');
    expect(d.eligibility).toEqual({
      eligible: false,
      newLabels: 120,
      needed: 500,
      reason:
        "only 120 labelled examples arrived after v2's training cut-off (need 500): a retrain would learn nothing new, awaiting labels",
    });
    expect(d.reasons.slice(-2)).toEqual([
      d.eligibility!.reason,
      "labels of the last 7 days' predictions so far: 20.0% (42 of 210)",
    ]);
    expect(d.episode).toEqual({
      kind: 'open',
      episode: {
        id: 'e-new',
        condition: 'drift',
        startedOn: '2030-03-10',
        lastSeenOn: '2030-03-10',
        days: 1,
        retrains: 0,
        lastRetrainOn: null,
        lastRetrainChampion: null,
        lastRetrainNewLabels: null,
      },
    });
  });

  it('retrains once per episode on the same labels: the next day of drift awaits labels', () => {
    // The day after the retrain of 03-08 (its candidate was rejected: v2 is still the champion), 80 more
    // labels than then: fewer than the 500 needed.
    const d = decide({ ...base, features: drifted, newLabels: 780, openEpisode: open });
    expect(d.decision).toBe('awaiting_labels');
    expect(d.eligibility).toMatchObject({ eligible: false, newLabels: 80, needed: 500 });
    expect(d.eligibility!.reason).toBe(
      "only 80 labelled examples arrived since this episode's retrain on 2030-03-08 (need 500): awaiting labels",
    );
    expect(d.episode).toEqual({
      kind: 'continue',
      episode: { ...open, lastSeenOn: '2030-03-10', days: 3 },
      remind: false,
    });
  });

  it('retrains again in an episode once enough labels arrived since its last retrain', () => {
    const d = decide({ ...base, features: drifted, newLabels: 1200, openEpisode: open });
    expect(d.decision).toBe('retrain');
    expect(d.eligibility).toMatchObject({ eligible: true, newLabels: 500 });
    expect(d.episode).toMatchObject({
      kind: 'continue',
      episode: {
        retrains: 2,
        days: 3,
        lastRetrainOn: '2030-03-10',
        lastRetrainChampion: 2,
        lastRetrainNewLabels: 1200,
      },
    });
  });

  it('counts from the new champion cut-off after a deployment in the episode', () => {
    // v3 was deployed after the retrain of 03-08: its own cut-off counts, not the episode's last retrain.
    const d = decide({
      ...base,
      champion: { version: 3, hasArtifact: true, trainingSamples: 6000 },
      features: drifted,
      newLabels: 40,
      openEpisode: open,
    });
    expect(d.decision).toBe('awaiting_labels');
    expect(d.eligibility).toMatchObject({ newLabels: 40, needed: 600 });
    expect(d.eligibility!.reason).toMatch(/after v3's training cut-off/);
  });

  it('doubles the labels a retrain needs for each candidate of the episode rejected as no_improvement', () => {
    // 03-08's candidate was rejected: 1,200 - 700 = 500 new labels are no longer enough, 1,000 are.
    const low = { ...base, correct: 70, labelled: 100, openEpisode: open, rejectedRetrains: 1 };
    const waiting = decide({ ...low, newLabels: 1200 });
    expect(waiting.decision).toBe('awaiting_labels');
    expect(waiting.eligibility).toMatchObject({ eligible: false, newLabels: 500, needed: 1000 });
    expect(waiting.eligibility!.reason).toBe(
      "only 500 labelled examples arrived since this episode's retrain on 2030-03-08 (need 1000, 500 doubled for each of the 1 candidate(s) of this episode rejected as no_improvement): awaiting labels",
    );
    expect(decide({ ...low, newLabels: 1700 }).decision).toBe('retrain');
    // Two rejections: 2,000.
    const twice = decide({ ...low, newLabels: 2600, rejectedRetrains: 2 });
    expect(twice.decision).toBe('awaiting_labels');
    expect(twice.eligibility).toMatchObject({ newLabels: 1900, needed: 2000 });
    expect(decide({ ...low, newLabels: 2700, rejectedRetrains: 2 }).decision).toBe('retrain');
  });

  it('stops retraining on input drift alone once the champion held up against two candidates, but not on low accuracy', () => {
    const drift = { ...base, features: drifted, newLabels: 100_000, openEpisode: open };
    expect(decide({ ...drift, rejectedRetrains: 1 }).decision).toBe('retrain');
    const held = decide({ ...drift, rejectedRetrains: 2 });
    expect(held.decision).toBe('awaiting_labels');
    expect(held.eligibility).toMatchObject({ eligible: false });
    expect(held.eligibility!.reason).toBe(
      "v2 held up against 2 candidates trained on this episode's data (rejected as no_improvement): input drift alone does not retrain it again in this episode, an accuracy breach will",
    );
    // The episode goes on (drift persists), with no retrain counted.
    expect(held.episode).toEqual({
      kind: 'continue',
      episode: { ...open, lastSeenOn: '2030-03-10', days: 3 },
      remind: false,
    });
    // Accuracy significantly under its threshold still retrains (backoff aside).
    const failing = decide({ ...drift, correct: 70, labelled: 100, rejectedRetrains: 2 });
    expect(failing.decision).toBe('retrain');
  });

  it('retrains a champion without an artifact once per episode, then waits for labels like any other', () => {
    const seeded = { version: 1, hasArtifact: false, trainingSamples: null };
    const first = decide({ ...base, champion: seeded, features: drifted, newLabels: 30 });
    expect(first.decision).toBe('retrain');
    expect(first.episode).toMatchObject({ kind: 'open', episode: { retrains: 1, lastRetrainChampion: 1 } });
    const state = (first.episode as { episode: EpisodeState }).episode;
    const next = decide({
      ...base,
      logicalDate: '2030-03-11',
      champion: seeded,
      features: drifted,
      newLabels: 45,
      openEpisode: state,
    });
    expect(next.decision).toBe('awaiting_labels');
    expect(next.eligibility).toMatchObject({ newLabels: 15, needed: 200 });
  });
});

describe('drift decision: episodes', () => {
  it('opens on the first breached day, continues while breached, and closes on the first day without', () => {
    const day1 = decide({ ...base, logicalDate: '2030-03-10', features: drifted });
    expect(day1.episode).toMatchObject({ kind: 'open', episode: { id: 'e-new', days: 1, retrains: 1 } });
    const e1 = (day1.episode as { episode: EpisodeState }).episode;

    // Day 2: drift and low accuracy. The episode goes on, with both conditions, and waits for labels.
    const day2 = decide({
      ...base,
      logicalDate: '2030-03-11',
      features: drifted,
      correct: 70,
      newLabels: 850,
      openEpisode: e1,
      newEpisodeId: 'unused',
    });
    expect(day2.decision).toBe('awaiting_labels');
    expect(day2.episode).toEqual({
      kind: 'continue',
      episode: { ...e1, condition: 'drift_and_accuracy', lastSeenOn: '2030-03-11', days: 2 },
      remind: false,
    });
    const e2 = (day2.episode as { episode: EpisodeState }).episode;

    // Day 3: nothing breached. The episode ends that day.
    const day3 = decide({ ...base, logicalDate: '2030-03-12', openEpisode: e2 });
    expect(day3.decision).toBe('no_action');
    expect(day3.episode).toEqual({ kind: 'close', episode: e2, endedOn: '2030-03-12' });
    expect(day3.reasons.at(-1)).toBe(
      'no drift or low accuracy: the episode open since 2030-03-10 ends after 2 day(s)',
    );
  });

  it('keeps the episode open on a day that judges nothing, and on a catch-up of an older day', () => {
    const few: FeatureResult[] = [{ feature: 'member_age', baselineSize: 1000, currentSize: 12 }];
    const blind = decide({ ...base, features: few, correct: 0, labelled: 0, openEpisode: open });
    expect(blind.decision).toBe('insufficient_data');
    expect(blind.episode).toEqual({ kind: 'none' });
    const older = decide({ ...base, logicalDate: '2030-03-09', openEpisode: open });
    expect(older.decision).toBe('no_action');
    expect(older.episode).toEqual({ kind: 'none' });
  });

  it('closes a drift episode on stable inputs even when accuracy cannot be judged yet', () => {
    const d = decide({ ...base, correct: 0, labelled: 0, openEpisode: open });
    expect(d.decision).toBe('insufficient_labels');
    expect(d.episode).toEqual({ kind: 'close', episode: open, endedOn: '2030-03-10' });
  });

  it('counts the days of an episode from its first breached day to its last, gaps included', () => {
    const d = decide({
      ...base,
      logicalDate: '2030-03-14',
      features: drifted,
      newLabels: 700,
      openEpisode: open,
    });
    expect(d.episode).toMatchObject({ kind: 'continue', episode: { startedOn: '2030-03-08', days: 7 } });
  });
});

describe('drift decision: an episode opens on k of the last n days', () => {
  const twoOfThree = { ...base, opening: { k: 2, n: 3 } };
  const day = (d: number) => new Date(Date.UTC(2030, 2, d)).toISOString().slice(0, 10);

  /**
   * Runs the decision over a scripted sequence of days (true: drift that day), carrying the episode and the
   * stored breaches from one day to the next as the drift monitor does. Returns each day's decision.
   */
  function script(days: readonly boolean[], input: DecisionInput = twoOfThree) {
    const stored: DayBreach[] = [];
    let episode: EpisodeState | null = null;
    return days.map((breached, i) => {
      const today: DecisionInput = {
        ...input,
        logicalDate: day(i + 1),
        features: breached ? drifted : stable,
        // The first retrain takes the new labels; no more arrive, so later breached days await labels.
        openEpisode: episode,
        newEpisodeId: `e-${i + 1}`,
      };
      const needed = historyDays(today);
      const d = decide({ ...today, recent: needed > 0 ? stored.slice(-needed) : undefined });
      stored.push({ logicalDate: today.logicalDate, breach: d.breach });
      if (d.episode.kind === 'open' || d.episode.kind === 'continue') episode = d.episode.episode;
      if (d.episode.kind === 'close') episode = null;
      return d;
    });
  }

  it('watches a lone day of breach, opens on the second of three, and dates the episode from the first', () => {
    const ds = script([true, false, true, true]);
    expect(ds.map((d) => d.decision)).toEqual(['watching', 'no_action', 'retrain', 'awaiting_labels']);
    expect(ds[0]!.reasons.at(-1)).toBe('a breach on 1 of the last 3 days (an episode opens at 2): watching');
    expect(ds[0]!.episode).toEqual({ kind: 'none' });
    expect(ds[2]!.episode).toMatchObject({
      kind: 'open',
      episode: { id: 'e-3', startedOn: '2030-03-01', lastSeenOn: '2030-03-03', days: 3 },
    });
    expect(ds[2]!.reasons).toContain('a breach on 2 of the last 3 days: the episode opens');
  });

  it('never opens on breaches further apart than the window', () => {
    const ds = script([true, false, false, true, false, false, true]);
    expect(ds.map((d) => d.decision)).toEqual([
      'watching',
      'no_action',
      'no_action',
      'watching',
      'no_action',
      'no_action',
      'watching',
    ]);
    expect(ds.every((d) => d.episode.kind === 'none')).toBe(true);
  });

  it('closes only after n - k + 1 clean days in a row, so the same breaches cannot reopen it', () => {
    const ds = script([true, true, false, true, false, false, true]);
    expect(ds.map((d) => [d.decision, d.episode.kind])).toEqual([
      ['watching', 'none'],
      ['retrain', 'open'],
      ['no_action', 'none'], // one clean day: still open
      ['awaiting_labels', 'continue'],
      ['no_action', 'none'],
      ['no_action', 'close'], // the second clean day in a row
      ['watching', 'none'], // a new breach starts from scratch
    ]);
    expect(ds[2]!.reasons.at(-1)).toBe(
      'no drift or low accuracy today; the episode open since 2030-03-01 closes after 2 clean days in a row',
    );
    expect(ds[5]!.reasons.at(-1)).toBe(
      'no drift or low accuracy on 2 days in a row: the episode open since 2030-03-01 ends after 4 day(s)',
    );
  });

  it('reads the earlier days only when they can change the decision', () => {
    expect(historyDays({ ...twoOfThree, features: drifted })).toBe(2); // a breach could open
    expect(historyDays(twoOfThree)).toBe(0); // no breach, no episode
    expect(historyDays({ ...twoOfThree, openEpisode: open })).toBe(1); // a clean day could close
    expect(historyDays({ ...twoOfThree, features: drifted, openEpisode: open })).toBe(0);
    expect(historyDays({ ...base, features: drifted })).toBe(0); // 1 of 1
    expect(historyDays({ ...twoOfThree, features: drifted, force: true })).toBe(0);
  });

  it('reminds people when an open episode completes its 1st, 2nd, 4th, 8th... week', () => {
    const ds = script(
      Array.from({ length: 60 }, () => true),
      { ...twoOfThree, newLabels: 0 },
    );
    const reminders = ds.flatMap((d, i) =>
      d.episode.kind === 'continue' && d.episode.remind ? [i + 1] : [],
    );
    // Opened on day 2, dated from day 1: days 8, 15, 29 and 57 complete its weeks 1, 2, 4 and 8.
    expect(reminders).toEqual([8, 15, 29, 57]);
    // A gap (days without a breach inside the episode) still reminds once when it crosses a boundary.
    expect([remindsOn(7, 9), remindsOn(9, 14), remindsOn(14, 40), remindsOn(29, 50)]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    // Not when the champion held up against the episode's candidates on input drift alone: nothing to do.
    const heldUp = script(
      Array.from({ length: 16 }, () => true),
      {
        ...twoOfThree,
        newLabels: 0,
        rejectedRetrains: 2,
      },
    );
    expect(heldUp.some((d) => d.episode.kind === 'continue' && d.episode.remind)).toBe(false);
  });
});
