import type { GateResultDto } from '@app/contracts';
import { discordant, mcnemar } from '@app/ml';

/** The champion scored on (part of) the candidate's hold-out: paired per-example outcomes. */
export interface ChampionScore {
  version: number;
  /** Where the champion's outcomes come from: its artifact, or the predictions it made in production. */
  source: 'artifact' | 'stored predictions';
  champion: boolean[];
  candidate: boolean[];
}

export interface SubgroupAccuracy {
  attribute: string;
  group: string;
  n: number;
  accuracy: number;
}

export interface GateInput {
  holdoutAccuracy: number;
  validationSamples: number;
  accuracyThreshold: number;
  minHoldoutSamples: number;
  champion: ChampionScore | null;
  championTolerance: number;
  alpha: number;
  /** Accuracy points by which a candidate must beat the champion when the gain is not significant. */
  minGain: number;
  subgroups: SubgroupAccuracy[];
  fairnessMaxGap: number;
  fairnessMinGroup: number;
  fairnessBlocking: boolean;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
/** Accuracy points: 0.03 is "3.0". */
const pts = (x: number) => (x * 100).toFixed(1);
const share = (xs: readonly boolean[]) => (xs.length === 0 ? 0 : xs.filter(Boolean).length / xs.length);

/** Largest accuracy gap between subgroups of one attribute, over groups large enough to compare. */
export function largestGap(
  groups: readonly SubgroupAccuracy[],
  minGroup: number,
): { gap: number; attribute: string; best?: SubgroupAccuracy; worst?: SubgroupAccuracy } {
  let result: { gap: number; attribute: string; best?: SubgroupAccuracy; worst?: SubgroupAccuracy } = {
    gap: 0,
    attribute: '-',
  };
  for (const attribute of new Set(groups.map((g) => g.attribute))) {
    const big = groups.filter((g) => g.attribute === attribute && g.n >= minGroup);
    if (big.length < 2) continue;
    const best = big.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
    const worst = big.reduce((a, b) => (b.accuracy < a.accuracy ? b : a));
    if (best.accuracy - worst.accuracy > result.gap)
      result = { gap: best.accuracy - worst.accuracy, attribute, best, worst };
  }
  return result;
}

/** Which rule let a candidate replace the champion (docs/models.md, "Deploy only what improves"). */
export type ImprovementRule = 'no_champion' | 'no_paired_outcomes' | 'significant' | 'min_gain' | 'floor';

/**
 * Deploy only what improves: a candidate replaces a champion only when it is significantly better on the
 * shared hold-out (McNemar at `alpha`, in the candidate's favour), or at least `minGain` points better, or
 * the champion is under the accuracy floor there and the candidate over it. A candidate merely "not
 * worse" is rejected as no_improvement: retraining on the same labels then deploys nothing, and the model
 * waits for new ones. Without a champion (or one with no outcome on these examples) there is nothing to
 * improve on, and the other gates decide.
 */
export function improvementGate(i: GateInput): GateResultDto {
  if (!i.champion)
    return {
      name: 'improvement',
      passed: true,
      rule: 'no_champion',
      detail: 'no active version to improve on: passes',
    };
  if (i.champion.champion.length === 0)
    return {
      name: 'improvement',
      passed: true,
      rule: 'no_paired_outcomes',
      detail: `champion v${i.champion.version} has no outcomes on these hold-out examples: nothing to compare, passes`,
    };
  const ch = share(i.champion.champion);
  const ca = share(i.champion.candidate);
  const gain = ca - ch;
  const { b, c } = discordant(i.champion.champion, i.champion.candidate);
  const t = mcnemar(b, c);
  // Rounded to whole basis points: 0.88 - 0.85 is 0.0300000000000000266 in floating point, which must count
  // as the 3 points it is.
  const points = Math.round(gain * 10_000) / 10_000;
  const holds: [ImprovementRule, boolean, string][] = [
    [
      'significant',
      c > b && t.pValue < i.alpha,
      `significantly better (McNemar p=${t.pValue.toPrecision(3)} < ${i.alpha})`,
    ],
    ['min_gain', points >= i.minGain, `${pts(gain)} points better (>= ${pts(i.minGain)})`],
    [
      'floor',
      ch < i.accuracyThreshold && ca >= i.accuracyThreshold,
      `the champion is under the ${pct(i.accuracyThreshold)} floor and the candidate over it`,
    ],
  ];
  const allowed = holds.filter(([, ok]) => ok);
  const figures = `on the same ${i.champion.champion.length} hold-out examples: candidate ${pct(ca)} vs champion v${i.champion.version} ${pct(ch)} (${i.champion.source}); candidate-only right ${c}, champion-only right ${b}`;
  return {
    name: 'improvement',
    value: gain,
    threshold: i.minGain,
    pValue: t.pValue,
    passed: allowed.length > 0,
    ...(allowed.length > 0 ? { rule: allowed[0]![0] } : { reason: 'no_improvement' }),
    detail:
      allowed.length > 0
        ? `${figures}: deployable, ${allowed.map(([, , why]) => why).join('; ')}`
        : `${figures}: no_improvement (not significantly better at ${i.alpha}, less than ${pts(i.minGain)} points better, and no floor to rescue): the champion stays`,
  };
}

/**
 * The validation gates, each with its value, threshold, p-value where there is one, and verdict. Pure:
 * the validator decides with these, records them, and puts them on model.validated.
 */
/**
 * The accuracy floor. A candidate under it may still replace a champion that is under it too, on the same
 * hold-out, when the candidate is significantly better (McNemar at `alpha`): when the relationship changed
 * (concept drift), the first candidates that learn it are rarely over the floor yet, and keeping a champion
 * that is far worse helps nobody. The accuracy check keeps the episode open while the deployed version is
 * under its threshold, so retraining goes on (docs/models.md, "Deploy only what improves").
 */
export function accuracyFloorGate(i: GateInput): GateResultDto {
  const over = i.holdoutAccuracy >= i.accuracyThreshold;
  const base = {
    name: 'accuracy_floor',
    value: i.holdoutAccuracy,
    threshold: i.accuracyThreshold,
  };
  const detail = `hold-out accuracy ${pct(i.holdoutAccuracy)} ${over ? '>=' : '<'} threshold ${pct(i.accuracyThreshold)}`;
  if (over) return { ...base, passed: true, detail };
  const paired = i.champion && i.champion.champion.length > 0 ? i.champion : null;
  if (paired) {
    const ch = share(paired.champion);
    const { b, c } = discordant(paired.champion, paired.candidate);
    const t = mcnemar(b, c);
    if (ch < i.accuracyThreshold && c > b && t.pValue < i.alpha)
      return {
        ...base,
        passed: true,
        pValue: t.pValue,
        rule: 'better_than_failing_champion',
        detail: `${detail}, but champion v${paired.version} is under it too on the same ${paired.champion.length} examples (${pct(ch)}) and the candidate is significantly better (McNemar p=${t.pValue.toPrecision(3)} < ${i.alpha}): passes, still under the threshold`,
      };
  }
  return { ...base, passed: false, detail };
}

export function evaluateGates(i: GateInput): GateResultDto[] {
  const gates: GateResultDto[] = [
    accuracyFloorGate(i),
    {
      name: 'enough_evidence',
      value: i.validationSamples,
      threshold: i.minHoldoutSamples,
      passed: i.validationSamples >= i.minHoldoutSamples,
      detail: `${i.validationSamples} hold-out examples (need ${i.minHoldoutSamples})`,
    },
  ];
  if (i.champion && i.champion.champion.length === 0) {
    const detail = `champion v${i.champion.version} has no outcomes on these hold-out examples: nothing to compare, passes`;
    gates.push({ name: 'champion_comparison', passed: true, detail });
    gates.push({ name: 'champion_mcnemar', passed: true, detail });
  } else if (!i.champion) {
    gates.push({
      name: 'champion_comparison',
      passed: true,
      detail: 'no active version to compare with: passes',
    });
    gates.push({
      name: 'champion_mcnemar',
      passed: true,
      detail: 'no active version to compare with: passes',
    });
  } else {
    const ch = share(i.champion.champion);
    const ca = share(i.champion.candidate);
    const n = i.champion.champion.length;
    const floor = ch - i.championTolerance;
    gates.push({
      name: 'champion_comparison',
      value: ca,
      threshold: floor,
      passed: ca >= floor,
      detail: `on the same ${n} hold-out examples: candidate ${pct(ca)} vs champion v${i.champion.version} ${pct(ch)} (${i.champion.source}; tolerance ${pct(i.championTolerance)})`,
    });
    const { b, c } = discordant(i.champion.champion, i.champion.candidate);
    const t = mcnemar(b, c);
    const championBetter = b > c && t.pValue < i.alpha;
    gates.push({
      name: 'champion_mcnemar',
      value: t.statistic ?? undefined,
      threshold: i.alpha,
      pValue: t.pValue,
      passed: !championBetter,
      detail: `McNemar (${t.method}): champion-only right ${b}, candidate-only right ${c}, p=${t.pValue.toPrecision(3)}${championBetter ? ': the champion is significantly better' : ''}`,
    });
  }
  gates.push(improvementGate(i));
  const gap = largestGap(i.subgroups, i.fairnessMinGroup);
  const fair = gap.gap <= i.fairnessMaxGap;
  const where =
    gap.best && gap.worst
      ? ` by ${gap.attribute}: ${gap.best.group} ${pct(gap.best.accuracy)} vs ${gap.worst.group} ${pct(gap.worst.accuracy)}`
      : ' (no two subgroups large enough to compare)';
  gates.push({
    name: 'fairness',
    value: gap.gap,
    threshold: i.fairnessMaxGap,
    passed: fair || !i.fairnessBlocking,
    detail: `largest subgroup accuracy gap ${pct(gap.gap)}${where}; limit ${pct(i.fairnessMaxGap)}${fair ? '' : i.fairnessBlocking ? ': blocks' : ': advisory for this model, not blocking'}`,
  });
  return gates;
}
