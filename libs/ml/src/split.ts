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

/**
 * Holds out the most recent `validationSplit` share, so validation measures the future, not the past.
 * `examples` need not be sorted.
 */
export function splitByTime<T extends LabelledExample>(
  examples: readonly T[],
  validationSplit: number,
): TimeSplit<T> {
  if (!(validationSplit > 0 && validationSplit < 1))
    throw new RangeError(`validationSplit must be in (0, 1), got ${validationSplit}`);
  if (examples.length < 2) throw new RangeError(`need at least 2 examples to split, got ${examples.length}`);
  const sorted = [...examples].sort((a, b) => a.at.getTime() - b.at.getTime());
  const holdoutSize = Math.max(1, Math.round(sorted.length * validationSplit));
  const cut = sorted.length - holdoutSize;
  return { train: sorted.slice(0, cut), holdout: sorted.slice(cut), cutoff: sorted[cut]!.at };
}
