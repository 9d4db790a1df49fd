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
  subgroups: SubgroupAccuracy[];
  fairnessMaxGap: number;
  fairnessMinGroup: number;
  fairnessBlocking: boolean;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
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

/**
 * The validation gates, each with its value, threshold, p-value where there is one, and verdict. Pure:
 * the validator decides with these, records them, and puts them on model.validated.
 */
export function evaluateGates(i: GateInput): GateResultDto[] {
  const gates: GateResultDto[] = [
    {
      name: 'accuracy_floor',
      value: i.holdoutAccuracy,
      threshold: i.accuracyThreshold,
      passed: i.holdoutAccuracy >= i.accuracyThreshold,
      detail: `hold-out accuracy ${pct(i.holdoutAccuracy)} ${i.holdoutAccuracy >= i.accuracyThreshold ? '>=' : '<'} threshold ${pct(i.accuracyThreshold)}`,
    },
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
