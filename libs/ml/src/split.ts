/** A labelled example with the time it happened (for the time-based split). */
export interface LabelledExample {
  label: string;
  at: Date;
}

export interface TimeSplit<T extends LabelledExample> {
  train: T[];
  holdout: T[];
  /** Earliest time in the hold-out: everything before it trained the model. */
  cutoff: Date;
}

/** The examples by time (ties keep their order) and the hold-out's size; `validationSplit` in (0, max). */
function sortedForSplit<T extends LabelledExample>(
  examples: readonly T[],
  validationSplit: number,
  max: number,
): { sorted: T[]; holdoutSize: number } {
  if (!(validationSplit > 0 && validationSplit < max))
    throw new RangeError(`validationSplit must be in (0, ${max}), got ${validationSplit}`);
  if (examples.length < 2) throw new RangeError(`need at least 2 examples to split, got ${examples.length}`);
  const sorted = [...examples].sort((a, b) => a.at.getTime() - b.at.getTime());
  return { sorted, holdoutSize: Math.max(1, Math.round(sorted.length * validationSplit)) };
}

/**
 * Holds out the most recent `validationSplit` share, so validation measures the future, not the past.
 * `examples` need not be sorted.
 */
export function splitByTime<T extends LabelledExample>(
  examples: readonly T[],
  validationSplit: number,
): TimeSplit<T> {
  const { sorted, holdoutSize } = sortedForSplit(examples, validationSplit, 1);
  const cut = sorted.length - holdoutSize;
  return { train: sorted.slice(0, cut), holdout: sorted.slice(cut), cutoff: sorted[cut]!.at };
}

/** The method name recorded with a run's split by `splitRecentInterleaved`. */
export const RECENT_INTERLEAVED = 'recent_interleaved';

/**
 * The hold-out among the examples at or after a split's cut-off (its recent window, oldest first): every
 * other one, counting back from the newest. The trainer splits with it and the validator rebuilds the same
 * hold-out from the same examples (docs/models.md, "The hold-out").
 */
export function heldOutOf<T>(recent: readonly T[]): T[] {
  return recent.filter((_, k) => (recent.length - 1 - k) % 2 === 0);
}

/**
 * Holds out `validationSplit` of the examples from the most recent twice that share, every other one (the
 * newest included), and trains on the rest, half of the recent window included. A hold-out of the newest
 * examples alone measures the present, but when the relationship has just changed (concept drift) it takes
 * nearly all of the few examples of the new one and leaves the model nothing to learn it from; interleaved,
 * training and hold-out share the recent window, and the hold-out stays as recent. `examples` need not be
 * sorted; ties in time keep their given order (callers give them by filing time, then id).
 */
export function splitRecentInterleaved<T extends LabelledExample>(
  examples: readonly T[],
  validationSplit: number,
): TimeSplit<T> {
  const { sorted, holdoutSize } = sortedForSplit(examples, validationSplit, 0.5);
  const start = sorted.length - Math.min(sorted.length - 1, 2 * holdoutSize);
  const recent = sorted.slice(start);
  const held = new Set(heldOutOf(recent));
  return {
    train: [...sorted.slice(0, start), ...recent.filter((e) => !held.has(e))],
    holdout: recent.filter((e) => held.has(e)),
    cutoff: sorted[start]!.at,
  };
}

/**
 * One example in `every`, counting back from the newest (the last given), set apart from the rest:
 * early stopping's rows. Interleaved, not the newest alone, so that the rows training keeps are as recent
 * as those it gives up (the recency weights favour the newest). `indices` are the positions taken.
 */
export function takeEvery<T>(
  items: readonly T[],
  every: number,
): { kept: T[]; taken: T[]; indices: number[] } {
  if (!(Number.isInteger(every) && every >= 2))
    throw new RangeError(`every must be an integer >= 2, got ${every}`);
  const kept: T[] = [];
  const taken: T[] = [];
  const indices: number[] = [];
  items.forEach((item, k) => {
    if ((items.length - 1 - k) % every === 0) {
      taken.push(item);
      indices.push(k);
    } else kept.push(item);
  });
  return { kept, taken, indices };
}
